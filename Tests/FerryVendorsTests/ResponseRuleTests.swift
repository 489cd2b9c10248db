import Testing
@testable import FerryVendors

/// How ferry reads a vendor's answer to one request.
@Suite struct ResponseRuleTests {
    static let success = #"{"MsgCode":"100","Msg":"Events uploaded","status":"success"}"#
    static let wrongToken = #"{"MsgCode":400,"Msg":"Authentication Failure","status":"failure"}"#

    func toplyne(_ status: Int, _ body: String, retryAfter: Double? = nil) -> ResponseVerdict {
        ResponseRule.toplyneStatusBody.verdict(status: status, body: Array(body.utf8), retryAfter: retryAfter)
    }

    func http(_ status: Int, _ body: String = "", retryAfter: Double? = nil) -> ResponseVerdict {
        ResponseRule.httpStatus.verdict(status: status, body: Array(body.utf8), retryAfter: retryAfter)
    }

    // MARK: Toplyne, HTTP 200

    @Test func successBodyIsAccepted() {
        #expect(toplyne(200, Self.success) == .accepted)
        // The document's sample response, as pretty-printed there.
        #expect(toplyne(200, "{\n    \"MsgCode\": \"100\",\n    \"Msg\": \"Accounts uploaded\",\n    \"status\": \"success\"\n}") == .accepted)
        #expect(toplyne(201, Self.success) == .accepted)
    }

    @Test func wrongTokenWithHTTP200IsAnAuthenticationFailure() {
        let verdict = toplyne(200, Self.wrongToken)
        guard case .authenticationFailed(let reason) = verdict else {
            Issue.record("expected authenticationFailed, got \(verdict)")
            return
        }
        #expect(reason.contains("Authentication Failure"))
    }

    @Test func otherFailureWithHTTP200IsARejection() {
        let verdict = toplyne(200, #"{"MsgCode":"300","Msg":"Invalid payload: events[3].eventName missing","status":"failure"}"#)
        guard case .rejected(let reason) = verdict else {
            Issue.record("expected rejected, got \(verdict)")
            return
        }
        #expect(reason.contains("Invalid payload"))
        #expect(toplyne(200, #"{"status":"failure"}"#) == .rejected(reason: "no message"))
    }

    @Test(arguments: [
        "<html>502 Bad Gateway</html>",
        "",
        "not json at all",
        #"["status","success"]"#,
        #"{"MsgCode":"100","Msg":"Events uploaded"}"#,
        #"{"status":"pending"}"#,
        #"{"status":true}"#,
        #"{"MsgCode":"100","Msg":"Events uploaded","status":"success""#,
    ])
    func http200WithoutSuccessStatusIsRetried(_ body: String) {
        let verdict = toplyne(200, body)
        guard case .retry(_, let retryAfter) = verdict else {
            Issue.record("expected retry for \(body.debugDescription), got \(verdict)")
            return
        }
        #expect(retryAfter == nil)
    }

    // MARK: Status codes every vendor means the same way

    @Test(arguments: [401, 403])
    func unauthorisedIsAnAuthenticationFailure(_ status: Int) {
        let verdict = toplyne(status, #"{"message":"bad token"}"#)
        guard case .authenticationFailed(let reason) = verdict else {
            Issue.record("expected authenticationFailed for \(status), got \(verdict)")
            return
        }
        #expect(reason.contains("\(status)"))
        #expect(reason.contains("bad token"))
        guard case .authenticationFailed = http(status) else {
            Issue.record("httpStatus: expected authenticationFailed for \(status)")
            return
        }
    }

    @Test func tooManyRequestsCarriesRetryAfter() {
        #expect(toplyne(429, "", retryAfter: 2.5) == .retry(reason: "HTTP 429", retryAfter: 2.5))
        guard case .retry(_, let after) = toplyne(429, Self.success, retryAfter: nil) else {
            Issue.record("429 is not retried")
            return
        }
        #expect(after == nil)
        #expect(http(429, retryAfter: 2.5) == .retry(reason: "HTTP 429", retryAfter: 2.5))
    }

    @Test(arguments: [500, 502, 503, 504, 408])
    func serverErrorsAndTimeoutsAreRetried(_ status: Int) {
        for verdict in [toplyne(status, "oops", retryAfter: 1), http(status, "oops", retryAfter: 1)] {
            guard case .retry(let reason, let after) = verdict else {
                Issue.record("expected retry for \(status), got \(verdict)")
                continue
            }
            #expect(reason.contains("\(status)"))
            #expect(after == 1)
        }
        // Even a success-looking body does not make a 5xx a success.
        #expect(toplyne(status, Self.success) != .accepted)
    }

    @Test(arguments: [400, 413, 422])
    func contentErrorsAreRejected(_ status: Int) {
        for verdict in [toplyne(status, #"{"Msg":"bad event","status":"failure"}"#), http(status)] {
            guard case .rejected(let reason) = verdict else {
                Issue.record("expected rejected for \(status), got \(verdict)")
                continue
            }
            #expect(reason.contains("\(status)"))
        }
        guard case .rejected(let reason) = toplyne(status, #"{"Msg":"bad event","status":"failure"}"#) else { return }
        #expect(reason.contains("bad event"))
    }

    @Test(arguments: [404, 405, 301])
    func otherStatusesAreFatal(_ status: Int) {
        guard case .fatal(let reason) = toplyne(status, "") else {
            Issue.record("expected fatal for \(status), got \(toplyne(status, ""))")
            return
        }
        #expect(reason == "HTTP \(status)")
        guard case .fatal = http(status) else {
            Issue.record("httpStatus: expected fatal for \(status)")
            return
        }
    }

    // MARK: httpStatus

    @Test func httpStatusAcceptsAny2xxWithoutReadingTheBody() {
        #expect(http(204) == .accepted)
        #expect(http(200, #"{"status":"failure"}"#) == .accepted)
        #expect(http(202, "not json") == .accepted)
    }

    // MARK: Messages

    @Test func messagesAreCappedAndCarryTheCode() {
        let long = String(repeating: "x", count: 2000)
        guard case .rejected(let reason) = toplyne(200, #"{"status":"failure","Msg":"\#(long)"}"#) else {
            Issue.record("expected rejected")
            return
        }
        #expect(reason.count <= 500)
        guard case .authenticationFailed(let auth) = toplyne(200, Self.wrongToken) else { return }
        #expect(auth.contains("400"))
    }
}

@Suite struct ResponseRuleAuthWordTests {
    /// A content failure whose message merely contains the letters "auth" (a property named
    /// `author`) is a rejection of the content, not an authentication failure that stops the run.
    @Test func contentFailureMentioningAuthorIsARejection() {
        let body = #"{"MsgCode":"300","Msg":"eventProperties.author must be a string","status":"failure"}"#
        let verdict = ResponseRule.toplyneStatusBody.verdict(status: 200, body: Array(body.utf8), retryAfter: nil)
        guard case .rejected(let reason) = verdict else {
            Issue.record("expected rejected, got \(verdict)")
            return
        }
        #expect(reason.contains("author"))
    }
}

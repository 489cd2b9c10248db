import Foundation
import Testing
import FerryCore
import FerryVendors
@testable import FerrySandbox

/// Refusals in each vendor's own shape and status, read by ferry's `ResponseRule` the way
/// they are meant; a refused request leaves nothing in the ledger.
@Suite struct RejectionTests {
    static func toplyneEvents(_ count: Int, bad: (index: Int, json: String)? = nil) -> [UInt8] {
        let events = (0..<count).map { index in
            if let bad, bad.index == index { return bad.json }
            return #"{"userId":"u\#(index)","eventName":"login","timestamp":1700000000}"#
        }
        return bytes(#"{"events":[\#(events.joined(separator: ","))]}"#)
    }

    static func activity(_ index: Int) -> String {
        #"{"activity_name":"Purchase","asset_id":"web-1","timestamp":"2024-01-01T00:00:00Z","identity":"c\#(index)","activity_source":"web","activity_params":{"n":\#(index)}}"#
    }

    static func netcoreActivities(_ count: Int, replacing bad: (index: Int, json: String)? = nil) -> [UInt8] {
        bytes("[" + (0..<count).map { bad?.index == $0 ? bad?.json ?? "" : activity($0) }.joined(separator: ",") + "]")
    }

    static func isRejected(_ verdict: ResponseVerdict) -> Bool {
        if case .rejected = verdict { return true }
        return false
    }

    static func isAuthFailure(_ verdict: ResponseVerdict) -> Bool {
        if case .authenticationFailed = verdict { return true }
        return false
    }

    static func message(_ reply: Reply) -> String {
        for key in ["Msg", "message"] { if case .string(let text)? = reply.json?.value(atPath: key) { return text } }
        return reply.text
    }

    // MARK: Malformed and mistyped content

    @Test func malformedJSONIsRejectedInToplyneShape() async throws {
        let events = try target("toplyne.user_events")
        try await withSandbox { server in
            let reply = try await SandboxHTTP.send(events, on: server, body: bytes(#"{"events": [{"userId": "u1",}"#))
            #expect(reply.status == 400)
            #expect(reply.json?.value(atPath: "status") == .string("failure"))
            #expect(Self.message(reply).contains("malformed JSON"))
            #expect(Self.isRejected(reply.verdict(events)))
            #expect(await server.ledger.counts.isEmpty)
        }
    }

    @Test func oneMistypedRecordRejectsTheWholeBatchNamingIt() async throws {
        let events = try target("toplyne.user_events")
        try await withSandbox { server in
            let body = Self.toplyneEvents(3, bad: (1, #"{"userId":"u1","eventName":"login","timestamp":"2024-01-01"}"#))
            let reply = try await SandboxHTTP.send(events, on: server, body: body)
            #expect(reply.status == 400)
            #expect(Self.message(reply).contains("1 of 3 records are invalid"))
            #expect(Self.message(reply).contains("events[1].timestamp: expected"))
            #expect(Self.isRejected(reply.verdict(events)))
            #expect(await server.ledger.records(for: events.name).isEmpty)
        }
    }

    @Test func missingRequiredFieldIsNamedInNetcoreShape() async throws {
        let activities = try target("netcore.activities")
        try await withSandbox { server in
            let bad = #"{"asset_id":"web-1","timestamp":"2024-01-01T00:00:00Z","identity":"c2","activity_source":"web","activity_params":{}}"#
            let reply = try await SandboxHTTP.send(activities, on: server, body: Self.netcoreActivities(4, replacing: (2, bad)), region: "in")
            #expect(reply.status == 400)
            #expect(reply.json?.value(atPath: "status") == .string("error"))
            #expect(Self.message(reply).hasPrefix("Bad Request | "))
            #expect(Self.message(reply).contains("[2].activity_name: required"))
            #expect(Self.isRejected(reply.verdict(activities)))
            #expect(await server.ledger.counts.isEmpty)
        }
    }

    @Test func emptyNetcoreArraysAreRejected() async throws {
        let activities = try target("netcore.activities")
        try await withSandbox { server in
            let empty = try await SandboxHTTP.send(activities, on: server, body: bytes("[]"))
            #expect(empty.status == 400)
            #expect(Self.message(empty).contains("Do Not Pass an Empty Array"))
            #expect(Self.isRejected(empty.verdict(activities)))
            let inner = #"{"activity_name":"Purchase","asset_id":"web-1","timestamp":"2024-01-01T00:00:00Z","identity":"c0","activity_source":"web","activity_params":{"items":[]}}"#
            let blank = try await SandboxHTTP.send(activities, on: server, body: Self.netcoreActivities(1, replacing: (0, inner)), region: "eu")
            #expect(blank.status == 400)
            #expect(Self.message(blank).contains("activity_params.items: empty array"))
            #expect(await server.ledger.counts.isEmpty)
        }
    }

    @Test func talonOneRecordErrorsListEachProblem() async throws {
        let profiles = try target("talonone.customer_profiles")
        try await withSandbox { server in
            let reply = try await SandboxHTTP.send(profiles, on: server, path: "/v2/customer_profiles/c1",
                                                   body: bytes(#"{"attributes":"gold","audiencesChanges":{"adds":["x"]}}"#))
            #expect(reply.status == 400)
            guard case .array(let errors)? = reply.json?.value(atPath: "errors") else {
                Issue.record("no errors array: \(reply.text)")
                return
            }
            let titles = errors.compactMap { error -> String? in
                if case .string(let title)? = error.value(atPath: "title") { return title }
                return nil
            }
            #expect(titles.contains("attributes: expected an object"))
            #expect(titles.contains("audiencesChanges.adds[0]: expected an integer"))
            #expect(Self.isRejected(reply.verdict(profiles)))
        }
    }

    @Test func wrongContentTypeStopsTheRun() async throws {
        let events = try target("toplyne.account_events")
        try await withSandbox { server in
            let reply = try await SandboxHTTP.send(events, on: server, body: Self.toplyneEvents(1), contentType: "text/plain")
            #expect(reply.status == 415)
            if case .fatal = reply.verdict(events) {} else { Issue.record("415 read as \(reply.verdict(events))") }
        }
    }

    // MARK: Limits

    @Test func toplyneTakesAtMost500EventsPerRequest() async throws {
        let events = try target("toplyne.user_events")
        try await withSandbox { server in
            let over = try await SandboxHTTP.send(events, on: server, body: Self.toplyneEvents(501))
            #expect(over.status == 400)
            #expect(Self.message(over).contains("501 records in one request; at most 500"))
            #expect(Self.isRejected(over.verdict(events)))
            let full = try await SandboxHTTP.send(events, on: server, body: Self.toplyneEvents(500))
            #expect(full.verdict(events) == .accepted)
            #expect(await server.ledger.counts == [events.name: 500])
        }
    }

    @Test func netcoreTakesAtMost1000ActivitiesPerRequest() async throws {
        let activities = try target("netcore.activities")
        try await withSandbox { server in
            let over = try await SandboxHTTP.send(activities, on: server, body: Self.netcoreActivities(1001))
            #expect(over.status == 400)
            #expect(Self.isRejected(over.verdict(activities)))
            let full = try await SandboxHTTP.send(activities, on: server, body: Self.netcoreActivities(1000))
            #expect(full.verdict(activities) == .accepted)
            #expect(await server.ledger.counts == [activities.name: 1000])
        }
    }

    @Test func pyzeCountsFiftyProfileFieldsAcrossTheRequest() async throws {
        let profiles = try target("pyze.user_profiles")
        func body(profiles: Int, fields: Int) -> [UInt8] {
            let list = (0..<profiles).map { p in
                "{" + ([#""userId":"u\#(p)""#] + (1..<fields).map { #""custom_\#($0)":\#($0)"# }).joined(separator: ",") + "}"
            }
            return bytes(#"{"user_profiles":[\#(list.joined(separator: ","))]}"#)
        }
        try await withSandbox { server in
            let over = try await SandboxHTTP.send(profiles, on: server, body: body(profiles: 2, fields: 26))
            #expect(over.status == 400)
            #expect(Self.message(over).contains("52 profile fields in one request"))
            #expect(Self.isRejected(over.verdict(profiles)))
            let fits = try await SandboxHTTP.send(profiles, on: server, body: body(profiles: 2, fields: 25))
            #expect(fits.verdict(profiles) == .accepted)
            #expect(await server.ledger.counts == [profiles.name: 2])
        }
    }

    @Test func bodiesOverTheSizeLimitAreRefusedWith413() async throws {
        let profiles = try target("toplyne.user_profiles")
        try await withSandbox { server in
            let big = String(repeating: "x", count: Toplyne.maxBodyBytes)
            let body = bytes(#"{"profiles":[{"userId":"u","creationTime":1,"firstName":"\#(big)"}]}"#)
            let reply = try await SandboxHTTP.send(profiles, on: server, body: body)
            #expect(reply.status == 413)
            #expect(reply.json?.value(atPath: "status") == .string("failure"))
            #expect(Self.isRejected(reply.verdict(profiles)))
        }
    }

    // MARK: Credentials

    @Test(arguments: [nil, "Bearer wrong-token", "ApiKey-v1 sandbox-toplyne-token"])
    func toplyneAuthFailureIsHTTP200WithItsFailureBody(authorization: String?) async throws {
        let events = try target("toplyne.account_events")
        try await withSandbox { server in
            let reply = try await SandboxHTTP.send(events, on: server, body: Self.toplyneEvents(1),
                                                   authorization: .some(authorization))
            #expect(reply.status == 200)
            #expect(reply.json == jsonObject(["MsgCode": .int(400), "Msg": .string("Authentication Failure"), "status": .string("failure")]))
            #expect(Self.isAuthFailure(reply.verdict(events)))
            #expect(await server.ledger.counts.isEmpty)
        }
    }

    @Test(arguments: [nil, "Bearer nope", "Basic c2FuZGJveA=="])
    func netcoreAnswers401InvalidAPIKey(authorization: String?) async throws {
        let activities = try target("netcore.activities")
        try await withSandbox { server in
            let reply = try await SandboxHTTP.send(activities, on: server, body: Self.netcoreActivities(1),
                                                   authorization: .some(authorization))
            #expect(reply.status == 401)
            #expect(reply.json == jsonObject(["status": .string("error"), "message": .string("Unauthorized | Invalid API Key")]))
            #expect(Self.isAuthFailure(reply.verdict(activities)))
        }
    }

    @Test func talonOneIntegrationWantsApiKeyV1() async throws {
        let referrals = try target("talonone.referrals")
        let body = bytes(#"{"campaignId":7,"advocateProfileIntegrationId":"adv-1"}"#)
        try await withSandbox { server in
            let bearer = try await SandboxHTTP.send(referrals, on: server, body: body,
                                                    authorization: .some("Bearer \(SandboxCredentials.talonOneAPIKey)"))
            #expect(bearer.status == 401)
            #expect(bearer.json?.value(atPath: "message") != nil)
            #expect(bearer.json?.value(atPath: "errors") != nil)
            #expect(Self.isAuthFailure(bearer.verdict(referrals)))
            let missing = try await SandboxHTTP.send(referrals, on: server, body: body, authorization: .some(nil))
            #expect(missing.status == 401)
            let right = try await SandboxHTTP.send(referrals, on: server, body: body)
            #expect(right.status == 201)
            #expect(right.verdict(referrals) == .accepted)
        }
    }

    @Test func pyzeEventsCarryTheAppKeyInTheBody() async throws {
        let events = try target("pyze.events")
        func event(appKey: String?) -> [UInt8] {
            let key = appKey.map { #","appKey":"\#($0)""# } ?? ""
            return bytes(#"{"type":"event","event":"e","userId":"u","eventTime":"2024-01-01T00:00:00Z"\#(key)}"#)
        }
        try await withSandbox { server in
            let other = try await SandboxHTTP.send(events, on: server, body: event(appKey: "another-app"))
            #expect(other.status == 403)
            #expect(Self.message(other) == "Need access to the provided app")
            #expect(Self.isAuthFailure(other.verdict(events)))
            let none = try await SandboxHTTP.send(events, on: server, body: event(appKey: nil))
            #expect(none.status == 400)
            #expect(Self.message(none).contains("\"appKey\" is not provided"))
            #expect(Self.isRejected(none.verdict(events)))
            let right = try await SandboxHTTP.send(events, on: server, body: event(appKey: SandboxCredentials.pyzeAppKey))
            #expect(right.status == 202)
            #expect(await server.ledger.counts == [events.name: 1])
        }
    }

    @Test func pyzeProfilesNeedTheBearerToken() async throws {
        let profiles = try target("pyze.user_profiles")
        try await withSandbox { server in
            let reply = try await SandboxHTTP.send(profiles, on: server, body: bytes(#"{"user_profiles":[{"userId":"u"}]}"#),
                                                   authorization: .some(nil))
            #expect(reply.status == 401)
            #expect(Self.message(reply) == "Not authorized to view")
            #expect(Self.isAuthFailure(reply.verdict(profiles)))
        }
    }

    // MARK: Talon.One management API

    static let couponsCSV = "value,usageLimit,attributes\r\nC-1,2,\"{\"\"tier\"\":\"\"gold\"\"}\"\r\nC-2,,\r\n"

    static func multipart(_ csv: String, boundary: String = "b0undary", field: String = "upFile") -> [UInt8] {
        bytes("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"coupons.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n--\(boundary)--\r\n")
    }

    @Test func couponImportAcceptsSessionTokenFromLoginOrManagementKey() async throws {
        let coupons = try target("talonone.coupons_import")
        try await withSandbox { server in
            let login = try await SandboxHTTP.send("POST", server.baseURL + "/talonone/v1/sessions",
                                                   headers: [("Content-Type", "application/json")],
                                                   body: bytes(#"{"email":"\#(SandboxCredentials.talonOneEmail)","password":"\#(SandboxCredentials.talonOnePassword)"}"#))
            #expect(login.status == 201)
            guard case .string(let token)? = login.json?.value(atPath: "token") else {
                Issue.record("no token: \(login.text)")
                return
            }
            let path = "/v1/applications/3/campaigns/9/import_coupons"
            let type = "multipart/form-data; boundary=b0undary"
            for authorization in ["Bearer \(token)", "ManagementKey-v1 \(SandboxCredentials.talonOneManagementKey)"] {
                let reply = try await SandboxHTTP.send(coupons, on: server, path: path, body: Self.multipart(Self.couponsCSV),
                                                       authorization: .some(authorization), contentType: type)
                #expect(reply.status == 200, "\(reply.text)")
                #expect(reply.verdict(coupons) == .accepted)
            }
            let records = await server.ledger.records(for: coupons.name)
            #expect(records.count == 4)
            #expect(records.first == (try JSONParser.parse(#"{"path":"/v1/applications/3/campaigns/9/import_coupons","parameters":{"applicationId":"3","campaignId":"9"},"body":{"value":"C-1","usageLimit":2,"attributes":{"tier":"gold"}}}"#)))
            let wrong = try await SandboxHTTP.send(coupons, on: server, path: path, body: Self.multipart(Self.couponsCSV),
                                                   authorization: .some("Bearer not-a-session"), contentType: type)
            #expect(wrong.status == 401)
            #expect(Self.isAuthFailure(wrong.verdict(coupons)))
        }
    }

    @Test func loginWithAWrongPasswordIsRefused() async throws {
        try await withSandbox { server in
            let reply = try await SandboxHTTP.send("POST", server.baseURL + "/talonone/v1/sessions",
                                                   headers: [("Content-Type", "application/json")],
                                                   body: bytes(#"{"email":"\#(SandboxCredentials.talonOneEmail)","password":"guess"}"#))
            #expect(reply.status == 401)
            #expect(reply.json?.value(atPath: "token") == nil)
        }
    }

    @Test func badCouponFilesAreRejectedNamingTheRow() async throws {
        let coupons = try target("talonone.coupons_import")
        let path = "/v1/applications/3/campaigns/9/import_coupons"
        let type = "multipart/form-data; boundary=b0undary"
        try await withSandbox { server in
            let badLimit = try await SandboxHTTP.send(coupons, on: server, path: path,
                                                      body: Self.multipart("value,usageLimit\r\nC-1,1\r\nC-2,many\r\n"), contentType: type)
            #expect(badLimit.status == 400)
            #expect(badLimit.text.contains("row 3: usageLimit: expected an integer"))
            #expect(Self.isRejected(badLimit.verdict(coupons)))
            let unknownColumn = try await SandboxHTTP.send(coupons, on: server, path: path,
                                                           body: Self.multipart("value,colour\r\nC-1,red\r\n"), contentType: type)
            #expect(unknownColumn.status == 400)
            #expect(unknownColumn.text.contains("unknown CSV column colour"))
            let wrongPart = try await SandboxHTTP.send(coupons, on: server, path: path,
                                                       body: Self.multipart("value\r\nC-1\r\n", field: "file"), contentType: type)
            #expect(wrongPart.status == 400)
            #expect(wrongPart.text.contains("no part named \\\"upFile\\\""))
            let notInteger = try await SandboxHTTP.send(coupons, on: server, path: "/v1/applications/app/campaigns/9/import_coupons",
                                                        body: Self.multipart("value\r\nC-1\r\n"), contentType: type)
            #expect(notInteger.status == 400)
            #expect(await server.ledger.counts.isEmpty)
        }
    }
}

/// Vendor rules beyond the schema, as the targets' adjusters state them.
@Suite struct VendorRuleTests {
    @Test func pyzeAliasesAndOperations() async throws {
        let profiles = try target("pyze.user_profiles")
        try await withSandbox { server in
            let alias = try await SandboxHTTP.send(profiles, on: server,
                                                   body: bytes(#"{"user_profiles":[{"userId":"u1"},{"userId":"u2","user_alias":{"alias_label":"fb"}}]}"#))
            #expect(alias.status == 400)
            #expect(RejectionTests.message(alias).contains("user_profiles[1].user_alias needs both alias_label and alias_id"))
            #expect(RejectionTests.message(alias).contains("(invalid_alias)"))
            let operation = try await SandboxHTTP.send(profiles, on: server,
                                                       body: bytes(#"{"user_profiles":[{"userId":"u1","custom-score":{"add":1}}]}"#))
            #expect(operation.status == 400)
            #expect(RejectionTests.message(operation).contains("invalid_operation"))
            let fine = try await SandboxHTTP.send(profiles, on: server,
                                                  body: bytes(#"{"user_profiles":[{"userId":"u1","custom-score":{"inc":1},"custom-tags":{"remove":["a"]}}]}"#))
            #expect(fine.status == 200)
            #expect(await server.ledger.counts == [profiles.name: 1])
        }
    }

    @Test func talonOneCostsAndReservations() async throws {
        let sessions = try target("talonone.customer_sessions")
        let reservations = try target("talonone.coupon_reservations")
        try await withSandbox { server in
            let cost = try await SandboxHTTP.send(sessions, on: server, path: "/v2/customer_sessions/S1",
                                                  body: bytes(#"{"customerSession":{"profileId":"p","additionalCosts":{"shipping":4.5}}}"#))
            #expect(cost.status == 400)
            #expect(cost.text.contains("customerSession.additionalCosts.shipping must be an object"))
            let nobody = try await SandboxHTTP.send(reservations, on: server, path: "/v1/coupon_reservations/C1",
                                                    body: bytes(#"{"integrationIDs":[]}"#))
            #expect(nobody.status == 400)
            let ids = (0..<1001).map { "\"p\($0)\"" }.joined(separator: ",")
            let many = try await SandboxHTTP.send(reservations, on: server, path: "/v1/coupon_reservations/C1",
                                                  body: bytes(#"{"integrationIDs":[\#(ids)]}"#))
            #expect(many.status == 400)
            #expect(many.text.contains("too wide for one request"))
            #expect(RejectionTests.isRejected(many.verdict(reservations)))
            #expect(await server.ledger.counts.isEmpty)
        }
    }
}

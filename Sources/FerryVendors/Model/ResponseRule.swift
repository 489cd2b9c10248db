import FerryCore

/// What a vendor's answer to one request means.
public enum ResponseVerdict: Sendable, Equatable {
    /// Every record in the request was accepted.
    case accepted
    /// Try the same request again later (after `retryAfter` seconds when the vendor says).
    case retry(reason: String, retryAfter: Double?)
    /// The request's content was refused as a whole: split it to find the bad records.
    case rejected(reason: String)
    /// Some records were refused, by index in the request; the others were accepted.
    case partiallyRejected(accepted: Int, rejected: [Int: String])
    /// Authentication or authorisation failed: stop the run.
    case authenticationFailed(reason: String)
    /// Anything else that no retry or split can fix (wrong endpoint, ...): stop the run.
    case fatal(reason: String)
}

/// How to read a vendor's answers.
public enum ResponseRule: Sendable {
    /// Toplyne: HTTP 2xx is not enough; the body's `status` must be `"success"`. A body with
    /// `"status":"failure"` is an authentication failure when its message says so (the document's
    /// only example: MsgCode 400, "Authentication Failure"), otherwise a rejection of the content.
    case toplyneStatusBody
    /// Netcore: HTTP 2xx whose body is `{"status": "success"}` or empty (the document shows only
    /// that body, and every documented failure has its own status code). A 2xx body with any
    /// other `status` is a failure: an authentication failure when its message says so,
    /// otherwise a rejection of the content. Any other 2xx body is retried.
    case successStatusOrEmptyBody
    /// Success is any 2xx status; the body is not examined.
    case httpStatus
    /// Talon.One integration API: any 2xx is success (its document shows no failure body on
    /// success). 409 (the record conflicts with the deployment's state) rejects that record, and
    /// so does a 404 carrying Talon.One's JSON error body (`message`/`errors`: the profile,
    /// coupon or campaign named does not exist); a 404 without one (a proxy's page, a wrong
    /// `--endpoint`) stops the run. Other statuses as for every vendor.
    case talonOneIntegration

    /// The description for `ferry targets NAME`.
    public var displayName: String {
        switch self {
        case .toplyneStatusBody:
            return "HTTP 2xx with body {\"status\": \"success\"}; {\"status\": \"failure\"} is a failure even with HTTP 200"
        case .successStatusOrEmptyBody:
            return "HTTP 2xx with body {\"status\": \"success\"} or an empty body; another status in the body is a failure"
        case .httpStatus:
            return "HTTP 2xx"
        case .talonOneIntegration:
            return "HTTP 2xx; 409, and 404 with Talon.One's JSON error body, reject the one record; a 404 without it stops the run"
        }
    }

    /// Judges one answer. `retryAfter` is the parsed Retry-After header, when present.
    public func verdict(status: Int, body: [UInt8], retryAfter: Double?) -> ResponseVerdict {
        if self == .talonOneIntegration, let verdict = Self.talonOneIntegration(status: status, body: body) {
            return verdict
        }
        if let common = Self.commonVerdict(status: status, body: body, retryAfter: retryAfter) {
            return common
        }
        switch self {
        case .httpStatus, .talonOneIntegration:
            return .accepted
        case .toplyneStatusBody:
            return Self.toplyne(body: body)
        case .successStatusOrEmptyBody:
            return Self.successStatusOrEmpty(body: body)
        }
    }

    /// Status codes every vendor means the same way. Nil for 2xx (vendor-specific).
    static func commonVerdict(status: Int, body: [UInt8], retryAfter: Double?) -> ResponseVerdict? {
        if (200..<300).contains(status) { return nil }
        let message = Self.message(in: body)
        switch status {
        case 401, 403:
            return .authenticationFailed(reason: "HTTP \(status)" + (message.map { ": \($0)" } ?? ""))
        case 408, 425, 429, 500..<600:
            return .retry(reason: "HTTP \(status)" + (message.map { ": \($0)" } ?? ""), retryAfter: retryAfter)
        case 400, 413, 422:
            return .rejected(reason: "HTTP \(status)" + (message.map { ": \($0)" } ?? ""))
        default:
            return .fatal(reason: "HTTP \(status)" + (message.map { ": \($0)" } ?? ""))
        }
    }

    static func toplyne(body: [UInt8]) -> ResponseVerdict {
        guard let value = try? body.withUnsafeBufferPointer({ try JSONParser.parse($0) }),
              case .object(let object) = value else {
            return .retry(reason: "HTTP 2xx with a body that is not a JSON object", retryAfter: nil)
        }
        let status: String? = {
            if case .string(let s) = object["status"] { return s.lowercased() }
            return nil
        }()
        let text = message(in: body) ?? "no message"
        switch status {
        case "success":
            return .accepted
        case "failure":
            if isAuthenticationMessage(text) { return .authenticationFailed(reason: text) }
            return .rejected(reason: text)
        default:
            return .retry(reason: "HTTP 2xx without \"status\": \"success\" (\(text))", retryAfter: nil)
        }
    }

    static func successStatusOrEmpty(body: [UInt8]) -> ResponseVerdict {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return .accepted }
        guard let value = try? body.withUnsafeBufferPointer({ try JSONParser.parse($0) }),
              case .object(let object) = value else {
            return .retry(reason: "HTTP 2xx with a body that is neither empty nor a JSON object", retryAfter: nil)
        }
        let text = message(in: body) ?? "no message"
        guard case .string(let status) = object["status"] else {
            return .retry(reason: "HTTP 2xx without \"status\": \"success\" (\(text))", retryAfter: nil)
        }
        if status.lowercased() == "success" { return .accepted }
        let reason = "status \(status): \(text)"
        if isAuthenticationMessage(text) || mentionsBadAPIKey(text) { return .authenticationFailed(reason: reason) }
        return .rejected(reason: reason)
    }

    /// Netcore's wording for a wrong key: "Invalid API Key" (its 401 row), also "wrong api-key".
    static func mentionsBadAPIKey(_ text: String) -> Bool {
        let words = text.lowercased().split { !$0.isLetter }
        for index in words.indices.dropLast(2) where ["invalid", "wrong", "missing", "expired", "bad"].contains(words[index]) {
            if words[index + 1] == "api" && words[index + 2] == "key" { return true }
        }
        return false
    }

    /// Whether a failure message is about credentials, judged by whole words ("Authentication
    /// Failure", "unauthorized", "invalid token"), so that a content error naming a field such
    /// as `author` is not mistaken for one.
    static func isAuthenticationMessage(_ text: String) -> Bool {
        let words = text.lowercased().split { !$0.isLetter }
        let credentialWords: Set<Substring> = ["authentication", "unauthorized", "unauthorised", "unauthenticated", "forbidden"]
        if words.contains(where: { credentialWords.contains($0) }) { return true }
        for (first, second) in zip(words, words.dropFirst()) {
            if ["invalid", "expired", "missing", "wrong", "bad"].contains(first) && ["token", "key", "credentials"].contains(second) { return true }
            if ["api", "access", "auth"].contains(first) && second == "token" && words.contains("invalid") { return true }
        }
        return false
    }

    /// A vendor's human message from a JSON body: `Msg`, `message`, `error`, `detail` (with
    /// `MsgCode`/`code` when present). Never includes request content or secrets.
    static func message(in body: [UInt8]) -> String? {
        guard !body.isEmpty,
              let value = try? body.withUnsafeBufferPointer({ try JSONParser.parse($0) }),
              case .object(let object) = value else { return nil }
        var text: String?
        for key in ["Msg", "message", "error", "detail", "msg"] {
            switch object[key] {
            case .string(let s): text = s
            case .object(let nested):
                if case .string(let s) = nested["message"] { text = s }
            default: break
            }
            if text != nil { break }
        }
        guard var found = text else { return nil }
        for key in ["MsgCode", "code"] {
            switch object[key] {
            case .string(let s): found = "\(s) \(found)"
            case .int(let n): found = "\(n) \(found)"
            default: continue
            }
            break
        }
        return String(found.prefix(500))
    }

    /// Talon.One's statuses that differ from `commonVerdict`; nil for the others.
    static func talonOneIntegration(status: Int, body: [UInt8]) -> ResponseVerdict? {
        switch status {
        case 409:
            return .rejected(reason: "HTTP 409" + (message(in: body).map { ": \($0)" } ?? ""))
        case 404:
            guard let value = try? body.withUnsafeBufferPointer({ try JSONParser.parse($0) }),
                  case .object(let object) = value, object["message"] != nil || object["errors"] != nil else { return nil }
            return .rejected(reason: "HTTP 404" + (message(in: body).map { ": \($0)" } ?? ""))
        default:
            return nil
        }
    }
}

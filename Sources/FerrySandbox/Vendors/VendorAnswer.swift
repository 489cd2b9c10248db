import FerryCore
import FerryVendors

/// An answer to a vendor request in that vendor's own shape: status, JSON body (empty for
/// 204) and Retry-After. Shapes, from vendor-docs/:
/// - Toplyne: `{"MsgCode": ..., "Msg": ..., "status": "success" | "failure"}`. A wrong or
///   missing token is answered HTTP 200 with the document's failure body (MsgCode 400,
///   "Authentication Failure"); content errors are HTTP 400 (413 for size) with a failure body.
/// - Pyze: 202 for an accepted event, 200 for profiles; errors as the document's table
///   (400 "Not a valid input", 401 "Not authorized to view", 403 "Need access to the provided
///   app", 500) with `{"message": ...}`.
/// - Talon.One: `{"message": ..., "errors": [{"title": ...}]}` with 400/401/404/409/413/415.
/// - Netcore: `{"status": "success"}`; errors with the document's status codes and
///   `{"status": "error", "message": "<Reason> | <detail>"}` (401 "Unauthorized | Invalid API Key").
struct VendorAnswer: Sendable, Equatable {
    var status: Int
    var body: [UInt8]
    var retryAfter: Int?

    init(status: Int, json: JSONValue?, retryAfter: Int? = nil) {
        self.status = status
        self.body = json.map { JSONWriter.serialize($0) } ?? []
        self.retryAfter = retryAfter
    }

    // MARK: Success

    /// What the vendor answers when it accepts the request.
    static func accepted(_ target: Target, sequence: UInt64, accepted: VendorRoute.Accepted,
                         parameters: [String: String]) -> VendorAnswer {
        switch target.vendor {
        case .toplyne:
            let text = target.name.hasSuffix("events") ? "Events uploaded"
                : target.name == "toplyne.account_profiles" ? "Accounts uploaded" : "Users uploaded"
            return VendorAnswer(status: 200, json: jsonObject(["MsgCode": .string("100"), "Msg": .string(text), "status": .string("success")]))
        case .pyze:
            if target.envelope == .single {
                return VendorAnswer(status: 202, json: jsonObject(["message": .string("Event has been accepted for processing")]))
            }
            return VendorAnswer(status: 200, json: jsonObject(["message": .string("User profiles accepted"), "count": .int(Int64(accepted.count))]))
        case .netcore:
            return VendorAnswer(status: 200, json: jsonObject(["status": .string("success")]))
        case .talonone:
            return talonOneAccepted(target, sequence: sequence, record: accepted.records.first, parameters: parameters,
                                    count: accepted.count)
        }
    }

    static func talonOneAccepted(_ target: Target, sequence: UInt64, record: JSONValue?, parameters: [String: String], count: Int) -> VendorAnswer {
        let body = record?.value(atPath: "body") ?? record ?? .object(JSONObject())
        switch target.name {
        case "talonone.customer_profiles":
            return VendorAnswer(status: 200, json: jsonObject([
                "customerProfile": jsonObject(["integrationId": .string(parameters["customerProfileId"] ?? ""),
                                               "attributes": body.value(atPath: "attributes") ?? .object(JSONObject())]),
                "effects": .array([]),
            ]))
        case "talonone.customer_sessions":
            var session = JSONObject([(key: "integrationId", value: .string(parameters["customerSessionId"] ?? ""))])
            if case .object(let sent)? = body.value(atPath: "customerSession") {
                for member in sent.members { session.append(member.key, member.value) }
            }
            return VendorAnswer(status: 200, json: jsonObject(["customerSession": .object(session), "effects": .array([])]))
        case "talonone.events":
            return VendorAnswer(status: 200, json: jsonObject(["event": body, "effects": .array([])]))
        case "talonone.coupon_reservations":
            return VendorAnswer(status: 201, json: jsonObject(["value": .string(parameters["couponValue"] ?? "")]))
        case "talonone.referrals":
            var referral = JSONObject([(key: "id", value: .int(Int64(sequence))),
                                       (key: "code", value: .string("SANDBOX-REF-\(sequence)"))])
            if case .object(let sent) = body { for member in sent.members { referral.append(member.key, member.value) } }
            return VendorAnswer(status: 201, json: .object(referral))
        case "talonone.customer_data_deletion":
            return VendorAnswer(status: 204, json: nil)
        default:
            // The coupons CSV import (management API): the document's import answer.
            return VendorAnswer(status: 200, json: jsonObject([
                "accountId": .int(1), "created": .string("2026-01-01T00:00:00Z"), "entity": .string("Coupon"),
                "filter": .object(JSONObject()), "id": .int(Int64(sequence)), "userId": .int(1),
                "imported": .int(Int64(count)),
            ]))
        }
    }

    // MARK: Failures

    /// The vendor's answer to a refused request.
    static func refused(_ rejection: Rejection, vendor: Vendor) -> VendorAnswer {
        switch vendor {
        case .toplyne:
            if rejection.reason == .unauthenticated || rejection.reason == .forbidden {
                return VendorAnswer(status: 200, json: toplyneFailure(code: .int(400), "Authentication Failure"))
            }
            return VendorAnswer(status: rejection.status, json: toplyneFailure(code: .int(Int64(rejection.status)), rejection.messageWithDetails))
        case .pyze:
            let text: String
            switch rejection.reason {
            case .unauthenticated: text = "Not authorized to view"
            case .forbidden: text = "Need access to the provided app"
            default: text = "Not a valid input: " + rejection.messageWithDetails
            }
            return VendorAnswer(status: rejection.status, json: jsonObject(["message": .string(text)]))
        case .talonone:
            let errors = (rejection.details.isEmpty ? [rejection.message] : rejection.details).map {
                jsonObject(["title": .string($0)])
            }
            return VendorAnswer(status: rejection.status, json: jsonObject(["message": .string(rejection.message), "errors": .array(errors)]))
        case .netcore:
            let text: String
            switch rejection.reason {
            case .unauthenticated, .forbidden: text = "Unauthorized | Invalid API Key"
            case .tooLarge: text = "Payload Too Large | " + rejection.messageWithDetails
            case .unsupportedMediaType: text = "Unsupported Media Type | " + rejection.messageWithDetails
            case .methodNotAllowed: text = "Method Not Allowed"
            default: text = "Bad Request | " + rejection.messageWithDetails
            }
            return VendorAnswer(status: rejection.status, json: jsonObject(["status": .string("error"), "message": .string(text)]))
        }
    }

    static func toplyneFailure(code: JSONValue, _ message: String) -> JSONValue {
        jsonObject(["MsgCode": code, "Msg": .string(message), "status": .string("failure")])
    }

    /// An injected 429/500/502/503 in the vendor's shape; 429 and 503 carry Retry-After.
    static func fault(status: Int, vendor: Vendor, retryAfter: Int) -> VendorAnswer {
        let reason: String
        switch status {
        case 429: reason = "Too Many Requests"
        case 502: reason = "Bad Gateway"
        case 503: reason = "Service Unavailable"
        default: reason = "Internal Server Error"
        }
        let after = (status == 429 || status == 503) ? retryAfter : nil
        switch vendor {
        case .toplyne:
            return VendorAnswer(status: status, json: toplyneFailure(code: .int(Int64(status)), reason), retryAfter: after)
        case .pyze:
            let text = status == 500 ? "Pyze internal server error. Please contact Pyze if problem persist" : reason
            return VendorAnswer(status: status, json: jsonObject(["message": .string(text)]), retryAfter: after)
        case .talonone:
            return VendorAnswer(status: status, json: jsonObject(["message": .string(reason), "errors": .array([jsonObject(["title": .string(reason)])])]), retryAfter: after)
        case .netcore:
            return VendorAnswer(status: status, json: jsonObject(["status": .string("error"), "message": .string(reason)]), retryAfter: after)
        }
    }
}

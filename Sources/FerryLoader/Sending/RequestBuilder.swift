import Foundation
import FerryCore
import FerryVendors

/// Turns a batch into the HTTP request the vendor expects: URL (base + the target's path, or
/// the batch's filled path), method, content type, the credential in the target's header,
/// and the body, with a send-time member (Pyze's `sentAt`) added at the moment of sending.
public struct RequestBuilder: Sendable {
    public let target: Target
    /// Without a trailing slash.
    public let baseURL: String
    /// The `Authorization` header's value; nil when the target sends none (Pyze events).
    let authorization: String?
    /// The base URL's path, in front of every request target.
    private let basePath: String
    /// The base path and the endpoint's path, for batches without a path of their own.
    private let endpointTarget: String
    /// Every header but Content-Length (the transport adds it).
    private let headers: [(name: String, value: String)]
    /// `"field":` of the send-time member, when the target adds one to a single record.
    private let sendTimeKey: [UInt8]?

    public init(target: Target, baseURL: String, authorization: String?) {
        self.target = target
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.authorization = authorization
        basePath = Origin(base)?.basePath ?? ""
        endpointTarget = basePath + target.endpoint.path
        var headers: [(name: String, value: String)] = [("User-Agent", "ferry/0.1"), ("Accept", "application/json")]
        if let authorization { headers.append(("Authorization", authorization)) }
        if target.envelope != .none { headers.append(("Content-Type", target.endpoint.contentType)) }
        self.headers = headers
        if let field = target.sendTimeField, target.envelope == .single {
            var key = JSONWriter(capacity: 32)
            key.writeString(field)
            sendTimeKey = key.bytes + [UInt8(ascii: ":")]
        } else {
            sendTimeKey = nil
        }
    }

    /// The `Authorization` value for `secret` under the target's scheme; nil for schemes
    /// that send none.
    public static func authorization(for auth: AuthScheme, secret: String) -> String? {
        switch auth.kind {
        case .bearer: return "Bearer \(secret)"
        case .apiKeyV1: return "ApiKey-v1 \(secret)"
        case .managementSession: return secret   // already the full value (ManagementCredentials)
        case .pyzeAppKey: return nil
        }
    }

    public func url(for batch: Batch) -> String {
        baseURL + (batch.path ?? target.endpoint.path)
    }

    /// The request for `batch`: method, target (the base URL's path and the endpoint's or
    /// the batch's filled path), headers and body.
    func request(for batch: Batch, now: Date = Date()) -> OutgoingRequest {
        OutgoingRequest(method: target.endpoint.method.rawValue, target: batch.path.map { basePath + $0 } ?? endpointTarget,
                        headers: headers, body: target.envelope == .none ? nil : body(of: batch, now: now))
    }

    /// The body as sent: the batch's bytes, with the send-time member appended to a
    /// single-record object.
    func body(of batch: Batch, now: Date) -> [UInt8] {
        guard let key = sendTimeKey, let close = batch.body.lastIndex(of: UInt8(ascii: "}")) else { return batch.body }
        // One allocation per request: the time is formatted as its quoted JSON token straight
        // into the body (a writer, a String and two copies of its bytes before).
        var out: [UInt8] = []
        out.reserveCapacity(batch.body.count + key.count + TimestampFormatter.maxJSONLength + 1)
        out += batch.body[..<close]
        if out.last != UInt8(ascii: "{") { out.append(UInt8(ascii: ",")) }
        out += key
        TimestampFormatter.appendJSON(now.millisecondTimestamp, as: .iso8601UTC, to: &out)
        out += batch.body[close...]
        return out
    }
}

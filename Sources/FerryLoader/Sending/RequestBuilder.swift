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
    /// Every header but Content-Length (the transport adds it).
    private let headers: [(name: String, value: String)]

    public init(target: Target, baseURL: String, authorization: String?) {
        self.target = target
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.authorization = authorization
        basePath = Origin(base)?.basePath ?? ""
        var headers: [(name: String, value: String)] = [("User-Agent", "ferry/0.1"), ("Accept", "application/json")]
        if let authorization { headers.append(("Authorization", authorization)) }
        if target.envelope != .none { headers.append(("Content-Type", target.endpoint.contentType)) }
        self.headers = headers
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
        OutgoingRequest(method: target.endpoint.method.rawValue, target: basePath + (batch.path ?? target.endpoint.path),
                        headers: headers, body: target.envelope == .none ? nil : body(of: batch, now: now))
    }

    /// The body as sent: the batch's bytes, with the send-time member appended to a
    /// single-record object.
    func body(of batch: Batch, now: Date) -> [UInt8] {
        guard let field = target.sendTimeField, target.envelope == .single,
              let close = batch.body.lastIndex(of: UInt8(ascii: "}")) else { return batch.body }
        var writer = JSONWriter(capacity: 64)
        writer.writeString(field)
        let key = writer.bytes
        writer.reset()
        writer.writeString(now.iso8601UTC)
        var out = Array(batch.body[..<close])
        let empty = out.last == UInt8(ascii: "{")
        if !empty { out.append(UInt8(ascii: ",")) }
        out += key
        out.append(UInt8(ascii: ":"))
        out += writer.bytes
        out += batch.body[close...]
        return out
    }
}

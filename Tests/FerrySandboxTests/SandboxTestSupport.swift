import AsyncHTTPClient
import Foundation
import FerryCore
import FerryVendors
import NIOCore
import Testing
@testable import FerrySandbox

/// An answer as a client sees it.
struct Reply: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var retryAfter: Double? { header("Retry-After").flatMap(Double.init) }

    var json: JSONValue? { try? JSONParser.parse(body) }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// How ferry's client reads this answer for `target`.
    func verdict(_ target: Target) -> ResponseVerdict {
        target.response.verdict(status: status, body: body, retryAfter: retryAfter)
    }
}

enum SandboxHTTP {
    static func send(_ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                     timeout: TimeAmount = .seconds(10)) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                     body: Array(bytes.readableBytesView))
    }

    /// A request to `target` with the sandbox's credential and the target's content type.
    static func send(_ target: Target, on server: SandboxServer, path: String? = nil, body: [UInt8]?,
                     region: String? = nil, authorization: String?? = .none, contentType: String? = nil,
                     extraHeaders: [(String, String)] = []) async throws -> Reply {
        var headers = extraHeaders
        let auth: String? = authorization ?? SandboxCredentials.authorization(for: target)
        if let auth { headers.append(("Authorization", auth)) }
        if body != nil { headers.append(("Content-Type", contentType ?? target.endpoint.contentType)) }
        return try await send(target.endpoint.method.rawValue, server.baseURL(for: target, region: region) + (path ?? target.endpoint.path),
                              headers: headers, body: body)
    }

    static func json(_ url: String, method: String = "GET", body: String? = nil) async throws -> JSONValue {
        let reply = try await send(method, url, body: body.map { Array($0.utf8) })
        return try JSONParser.parse(reply.body)
    }
}

/// Runs `body` against a fresh sandbox on an ephemeral loopback port, stopping it afterwards.
func withSandbox(_ configuration: SandboxConfiguration = SandboxConfiguration(),
                 _ body: (SandboxServer) async throws -> Void) async throws {
    let server = try await SandboxServer.start(configuration)
    do {
        try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func target(_ name: String) throws -> Target {
    try #require(TargetCatalog.target(named: name))
}

/// Counts of a JSON object of numbers (`/_sandbox/counts` members).
func numbers(_ value: JSONValue?) -> [String: Int] {
    guard case .object(let object)? = value else { return [:] }
    var result: [String: Int] = [:]
    for member in object.members { if case .int(let n) = member.value { result[member.key] = Int(n) } }
    return result
}

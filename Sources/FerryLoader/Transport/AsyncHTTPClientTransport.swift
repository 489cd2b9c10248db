import AsyncHTTPClient
import FerryCore
import NIOCore
import NIOHTTP1

/// HTTPS endpoints (the vendors' hosts): AsyncHTTPClient with full certificate
/// verification, HTTP/2 where the server offers it, no redirects, no decompression.
final class AsyncHTTPClientTransport: HTTPTransport {
    let origin: Origin
    private let client: HTTPClient

    init(origin: Origin, settings: LoadSettings) {
        self.origin = origin
        var configuration = HTTPClient.Configuration(
            certificateVerification: .fullVerification,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(min(settings.connectTimeout, 86_400) * 1000)),
                           read: .milliseconds(Int64(min(settings.timeout, 86_400) * 1000))),
            decompression: .disabled)
        configuration.connectionPool = .init(idleTimeout: .seconds(60),
                                             concurrentHTTP1ConnectionsPerHostSoftLimit: settings.concurrency)
        configuration.httpVersion = .automatic
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func send(_ request: OutgoingRequest, timeout: Duration) async throws(TransportError) -> ReceivedResponse {
        try request.validate()
        var outgoing = HTTPClientRequest(url: origin.prefix + request.target)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        do {
            let response = try await client.execute(outgoing, timeout: .nanoseconds(Int64(min(timeout.inSeconds, 1e9) * 1e9)))
            // AsyncHTTPClient's deadline ends with the head; the body is held to it here, at
            // each chunk (a body that stalls ends at the read timeout, `settings.timeout`).
            var body: [UInt8] = []
            for try await chunk in response.body {
                if body.count + chunk.readableBytes > Self.maxBodyBytes {
                    throw TransportError(.malformedResponse, "the answer's body is larger than \(Self.maxBodyBytes >> 20) MiB")
                }
                body += chunk.readableBytesView
                if clock.now > deadline { throw TransportError(.timeout, "no answer within the timeout") }
            }
            return ReceivedResponse(status: Int(response.status.code),
                                    headers: ResponseHeaders(response.headers.map { (name: $0.name, value: $0.value) }), body: body)
        } catch {
            throw Self.transportError(error)
        }
    }

    static let maxBodyBytes = 4 << 20

    func shutdown() async {
        try? await client.shutdown()
    }

    /// The error in words. AsyncHTTPClient's own description of a refused header holds the
    /// header's value, so those are named without it.
    static func transportError(_ error: Error) -> TransportError {
        if let error = error as? TransportError { return error }
        let text = "\(error)"
        if text.contains("invalidHeaderField") {
            return TransportError(.invalidRequest, "a header holds a character HTTP does not allow; check the credential")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return TransportError(.timeout, "no answer within the timeout")
            case .connectTimeout: return TransportError(.connect, "cannot connect (connect timeout)")
            case .remoteConnectionClosed: return TransportError(.connectionClosed, "the connection closed before the answer was complete")
            default: break
            }
        }
        let lower = text.lowercased()
        if lower.contains("timeout") || lower.contains("timed out") || lower.contains("deadline") {
            return TransportError(.timeout, "no answer within the timeout")
        }
        if lower.contains("closed") || lower.contains("eof") || lower.contains("reset") {
            return TransportError(.connectionClosed, "the connection closed before the answer was complete")
        }
        if lower.contains("refused") || lower.contains("connect") { return TransportError(.connect, "cannot connect (\(text))") }
        return TransportError(.other, text)
    }
}

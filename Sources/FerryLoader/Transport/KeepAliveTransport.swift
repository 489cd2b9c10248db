import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FerryCore
import NIOCore
import NIOPosix

/// ferry's own HTTP/1.1 client for plain-HTTP endpoints (the sandbox, a local proxy, a
/// vendor's test host): keep-alive connections taken from an idle stack and put back after
/// each answer, one write per request (head and body together), no per-request tasks or
/// pool state machine. A connection is opened when none is idle, so there are never more
/// than the senders in flight. HTTPS goes through `AsyncHTTPClientTransport`.
final class KeepAliveTransport: HTTPTransport {
    let origin: Origin
    private let group: EventLoopGroup
    private let connectTimeout: TimeAmount
    private let idle = NIOLockedValueBox<[Channel]>([])

    init(origin: Origin, connectTimeout: Double, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.origin = origin
        self.connectTimeout = .nanoseconds(Int64(max(0.001, connectTimeout) * 1e9))
        self.group = group
    }

    func send(_ request: OutgoingRequest, timeout: Duration) async throws(TransportError) -> ReceivedResponse {
        let clock = ContinuousClock()
        let start = clock.now
        let bytes = try encode(request)
        let channel = try await connection()
        let left = timeout - (clock.now - start)
        guard left > .zero else {
            park(channel)
            throw TransportError(.timeout, "no answer within the timeout")
        }
        let answer = channel.eventLoop.makePromise(of: HTTP1Answer.self)
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            // Never reached the handler (the channel closed first), or the write failed.
            answer.fail(HTTP1ClientHandler.transportError(error))
        }
        let exchange = HTTP1Exchange(bytes: bytes, bodyless: request.method == "HEAD",
                                     timeout: .nanoseconds(Int64(left.inSeconds * 1e9)), answer: answer)
        channel.writeAndFlush(exchange, promise: written)
        let result: HTTP1Answer
        do {
            result = try await answer.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw HTTP1ClientHandler.transportError(error)
        }
        if result.keepAlive { park(channel) }
        return result.response
    }

    func shutdown() async {
        let channels = idle.withLockedValue { channels in
            defer { channels.removeAll() }
            return channels
        }
        for channel in channels { try? await channel.close() }
    }

    private func park(_ channel: Channel) {
        idle.withLockedValue { $0.append(channel) }
    }

    /// An idle connection that is still open, or a new one.
    private func connection() async throws(TransportError) -> Channel {
        while let channel = idle.withLockedValue({ $0.popLast() }) {
            if channel.isActive { return channel }
            channel.close(promise: nil)
        }
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTP1ClientHandler())
                }
            }
        do {
            return try await bootstrap.connect(host: origin.host, port: origin.port).get()
        } catch {
            throw TransportError(.connect, "cannot connect to \(origin.hostHeader): \(Self.connectReason(error))")
        }
    }

    static func connectReason(_ error: Error) -> String {
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first?.error {
            return connectReason(first)
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ENETUNREACH, EHOSTUNREACH: return "no route to the host"
            default: return "\(error)"
            }
        }
        if case ChannelError.connectTimeout = error { return "no connection within the connect timeout" }
        return "\(error)"
    }

    /// The request line, `Host`, the request's headers, `Content-Length`, and the body, in
    /// one buffer. A header holding a line break is refused (it would split the request).
    func encode(_ request: OutgoingRequest) throws(TransportError) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 160 + request.target.utf8.count
                                                  + request.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
                                                  + (request.body?.count ?? 0))
        buffer.writeString(request.method)
        buffer.writeStaticString(" ")
        buffer.writeString(request.target.isEmpty ? "/" : request.target)
        buffer.writeStaticString(" HTTP/1.1\r\nHost: ")
        buffer.writeString(origin.hostHeader)
        buffer.writeStaticString("\r\n")
        for header in request.headers {
            guard Self.isFieldSafe(header.name), Self.isFieldSafe(header.value) else {
                throw TransportError(.other, "the \(Self.isFieldSafe(header.name) ? header.name : "a") header holds a line break; refused")
            }
            buffer.writeString(header.name)
            buffer.writeStaticString(": ")
            buffer.writeString(header.value)
            buffer.writeStaticString("\r\n")
        }
        if let body = request.body {
            buffer.writeStaticString("Content-Length: ")
            buffer.writeString(String(body.count))
            buffer.writeStaticString("\r\n\r\n")
            buffer.writeBytes(body)
        } else {
            if request.method == "POST" || request.method == "PUT" { buffer.writeStaticString("Content-Length: 0\r\n") }
            buffer.writeStaticString("\r\n")
        }
        return buffer
    }

    private static func isFieldSafe(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }
}

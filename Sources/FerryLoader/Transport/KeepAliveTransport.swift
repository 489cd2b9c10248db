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
    private let lastHead = NIOLockedValueBox<EncodedHead?>(nil)
    /// Idle connections, by the event loop they belong to: a sender running on a loop
    /// (`EventLoopTaskExecutor`) takes and opens connections on that loop.
    private let idle = NIOLockedValueBox<[ObjectIdentifier: [Connection]]>([:])

    /// A channel and its handler, which the transport hands each exchange to on the channel's loop.
    struct Connection: Sendable {
        let channel: Channel
        let handler: NIOLoopBound<HTTP1ClientHandler>
    }

    /// `loops`: how many of the group's event loops the senders run on (and open their
    /// connections on). One by default. With a loop per core (two on the benchmark
    /// machine), each answer tended to wake its own thread. Against the sandbox on two
    /// cores, one loop:
    /// - halved ferry's context switches (27-28k -> 14k for 40,000 Pyze requests at
    ///   concurrency 8);
    /// - took 15-20% less of ferry's CPU.
    /// Its thread spends about 130 us on a Netcore request of 1,000 activities (`perf`), so
    /// one loop has room for several thousand such requests a second.
    init(origin: Origin, connectTimeout: Double, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
         loops: Int = 1) {
        self.origin = origin
        self.connectTimeout = .nanoseconds(Int64(max(0.001, connectTimeout) * 1e9))
        self.group = group
        executors = group.makeIterator().prefix(max(1, loops)).map { EventLoopTaskExecutor($0) }
    }

    func send(_ request: OutgoingRequest, timeout: Duration) async throws(TransportError) -> ReceivedResponse {
        let clock = ContinuousClock()
        let start = clock.now
        let bytes = try encode(request)
        var (connection, reused) = try await self.connection(fresh: false)
        while true {
            let left = timeout - (clock.now - start)
            guard left > .zero else {
                park(connection)
                throw TransportError(.timeout, "no answer within the timeout")
            }
            do throws(TransportError) {
                let result = try await exchange(bytes, on: connection, bodyless: request.method == "HEAD", timeout: left)
                if result.keepAlive { park(connection) }
                return result.response
            } catch where reused && error.kind == .connectionClosed && error.nothingReceived {
                // A kept connection the server had closed while it was idle (its keep-alive
                // timeout): the request was not answered, so it goes once more on a new one.
                (connection, reused) = try await self.connection(fresh: true)
            }
        }
    }

    /// One request and its answer on `connection`; the channel is closed when it fails.
    private func exchange(_ bytes: ByteBuffer, on connection: Connection, bodyless: Bool,
                          timeout: Duration) async throws(TransportError) -> HTTP1Answer {
        let loop = connection.channel.eventLoop
        let limit = TimeAmount.nanoseconds(Int64(min(timeout.inSeconds, 1e9) * 1e9))
        do {
            return try await withUnsafeThrowingContinuation { continuation in
                let exchange = HTTP1Exchange(bytes: bytes, bodyless: bodyless, timeout: limit, answer: continuation)
                // The senders run on the loops (`executors`), so this is the usual case.
                if loop.inEventLoop {
                    connection.handler.value.start(exchange)
                } else {
                    loop.execute { connection.handler.value.start(exchange) }
                }
            }
        } catch {
            connection.channel.close(promise: nil)
            throw HTTP1ClientHandler.transportError(error)
        }
    }

    let executors: [any TaskExecutor]

    func shutdown() async {
        let connections = idle.withLockedValue { connections in
            defer { connections.removeAll() }
            return connections.values.flatMap { $0 }
        }
        for connection in connections { try? await connection.channel.close() }
    }

    private func park(_ connection: Connection) {
        idle.withLockedValue { $0[ObjectIdentifier(connection.channel.eventLoop), default: []].append(connection) }
    }

    /// An idle connection that is still open (`reused`), or a new one (always when `fresh`).
    private func connection(fresh: Bool) async throws(TransportError) -> (connection: Connection, reused: Bool) {
        let current = MultiThreadedEventLoopGroup.currentEventLoop
        let loop = current ?? group.next()
        let key = ObjectIdentifier(loop)
        // On a loop, only that loop's connections; elsewhere, any idle one.
        while !fresh, let connection = idle.withLockedValue({ idle -> Connection? in
            if current != nil { return idle[key]?.popLast() }
            for other in idle.keys { if let connection = idle[other]?.popLast() { return connection } }
            return nil
        }) {
            if connection.channel.isActive { return (connection, true) }
            connection.channel.close(promise: nil)
        }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTP1ClientHandler())
                }
            }
        do {
            let channel = try await bootstrap.connect(host: origin.host, port: origin.port).get()
            let handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: HTTP1ClientHandler.self), eventLoop: channel.eventLoop)
            }.get()
            return (Connection(channel: channel, handler: handler), false)
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
    /// one buffer. A header holding a line break is refused (it would split the request;
    /// `OutgoingRequest.validate`).
    func encode(_ request: OutgoingRequest) throws(TransportError) -> ByteBuffer {
        let head = try self.head(of: request)
        var buffer = ByteBufferAllocator().buffer(capacity: head.count + 32 + (request.body?.count ?? 0))
        buffer.writeBytes(head)
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

    /// The request's head up to Content-Length. The senders send the same head again and
    /// again (one endpoint, the same headers), so the last one is kept, checked and encoded.
    private func head(of request: OutgoingRequest) throws(TransportError) -> [UInt8] {
        if let last = lastHead.withLockedValue({ $0 }), last.matches(request) { return last.bytes }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128)
        func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
        append(request.method)
        append(" ")
        append(request.target.isEmpty ? "/" : request.target)
        append(" HTTP/1.1\r\nHost: ")
        append(origin.hostHeader)
        append("\r\n")
        try request.validate()
        for header in request.headers {
            append(header.name)
            append(": ")
            append(header.value)
            append("\r\n")
        }
        let head = EncodedHead(method: request.method, target: request.target, headers: request.headers, bytes: bytes)
        lastHead.withLockedValue { $0 = head }
        return bytes
    }

    private struct EncodedHead {
        var method: String
        var target: String
        var headers: [(name: String, value: String)]
        var bytes: [UInt8]

        func matches(_ request: OutgoingRequest) -> Bool {
            guard method == request.method, target == request.target, headers.count == request.headers.count else { return false }
            for (mine, theirs) in zip(headers, request.headers) where mine.name != theirs.name || mine.value != theirs.value {
                return false
            }
            return true
        }
    }
}

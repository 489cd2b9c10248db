import Foundation
import NIOCore
import NIOPosix

/// A TCP server on 127.0.0.1 that answers each HTTP request with bytes the test writes by
/// hand (so answers can be chunked, split, malformed, late or missing), and records the
/// raw requests and how many connections were opened.
final class RawHTTPServer: @unchecked Sendable {
    enum Reply: Sendable {
        /// These bytes, each piece written and flushed on its own; then the connection
        /// closes when `close` is true.
        case pieces([[UInt8]], close: Bool)
        /// No answer at all; the connection stays open.
        case silence
        /// The connection closes without an answer.
        case hangUp
        /// These bytes, written after a delay.
        case late([UInt8], after: TimeAmount)
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var channel: Channel?
    private let lock = NSLock()
    private var requestsSeen: [[UInt8]] = []
    private var connections = 0
    let reply: @Sendable (_ number: Int, _ request: [UInt8]) -> Reply

    init(reply: @escaping @Sendable (_ number: Int, _ request: [UInt8]) -> Reply) throws {
        self.reply = reply
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                countConnection()
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(server: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    /// The same answer to every request.
    static func answering(_ text: String, close: Bool = false) throws -> RawHTTPServer {
        try RawHTTPServer { _, _ in .pieces([Array(text.utf8)], close: close) }
    }

    var port: Int { channel?.localAddress?.port ?? 0 }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    var requests: [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        return requestsSeen
    }

    var connectionCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return connections
    }

    private func countConnection() {
        lock.lock()
        connections += 1
        lock.unlock()
    }

    fileprivate func record(_ request: [UInt8]) -> Int {
        lock.lock()
        defer { lock.unlock() }
        requestsSeen.append(request)
        return requestsSeen.count - 1
    }

    func shutdown() {
        try? channel?.close().wait()
        try? group.syncShutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let server: RawHTTPServer
        var pending: [UInt8] = []

        init(server: RawHTTPServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            pending += Array(unwrapInboundIn(data).readableBytesView)
            while let length = Self.requestLength(pending) {
                let request = Array(pending[..<length])
                pending.removeFirst(length)
                let number = server.record(request)
                switch server.reply(number, request) {
                case .pieces(let pieces, let close):
                    for piece in pieces { context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: piece)), promise: nil) }
                    if close { context.close(promise: nil) }
                case .silence:
                    break
                case .hangUp:
                    context.close(promise: nil)
                case .late(let bytes, let delay):
                    context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
                        context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
                    }
                }
            }
        }

        /// The length of the first whole request (head and Content-Length body), if it is all here.
        static func requestLength(_ bytes: [UInt8]) -> Int? {
            let end: [UInt8] = [13, 10, 13, 10]
            guard bytes.count >= 4, let head = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == end }) else {
                return nil
            }
            let text = String(decoding: bytes[..<head], as: UTF8.self).lowercased()
            var length = 0
            for line in text.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
            }
            return bytes.count >= head + 4 + length ? head + 4 + length : nil
        }
    }
}

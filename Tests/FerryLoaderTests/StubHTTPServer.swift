import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A tiny HTTP server on 127.0.0.1 for tests: answers each request with what `respond`
/// returns for its URI, and records the requests it saw.
final class StubHTTPServer: @unchecked Sendable {
    struct Seen: Sendable {
        var method: String
        var uri: String
        var authorization: String?
        var body: String
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var channel: Channel?
    private let lock = NSLock()
    private var seen: [Seen] = []
    let respond: @Sendable (Seen) -> (status: Int, body: String)

    init(respond: @escaping @Sendable (Seen) -> (status: Int, body: String)) throws {
        self.respond = respond
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(server: self))
                }
            }
        channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
    }

    var baseURL: String { "http://127.0.0.1:\(channel?.localAddress?.port ?? 0)" }

    var requests: [Seen] {
        lock.lock()
        defer { lock.unlock() }
        return seen
    }

    fileprivate func record(_ request: Seen) {
        lock.lock()
        seen.append(request)
        lock.unlock()
    }

    func shutdown() {
        try? channel?.close().wait()
        try? group.syncShutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let server: StubHTTPServer
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(server: StubHTTPServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let request):
                head = request
                body.clear()
            case .body(var part):
                body.writeBuffer(&part)
            case .end:
                guard let head else { return }
                let seen = Seen(method: head.method.rawValue, uri: head.uri, authorization: head.headers.first(name: "Authorization"),
                                body: body.getString(at: body.readerIndex, length: body.readableBytes) ?? "")
                server.record(seen)
                let (status, body) = server.respond(seen)
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: String(body.utf8.count))
                let response = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
                context.write(wrapOutboundOut(.head(response)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// One request on a connection: its bytes (head and body in one buffer, so one write), how
/// long the answer may take, and the promise its answer completes.
struct HTTP1Exchange: Sendable {
    var bytes: ByteBuffer
    var bodyless: Bool
    var timeout: TimeAmount
    var answer: EventLoopPromise<HTTP1Answer>
}

struct HTTP1Answer: Sendable {
    var response: ReceivedResponse
    /// Whether the connection can carry the next request.
    var keepAlive: Bool
}

/// The channel handler of one keep-alive HTTP/1.1 connection: one exchange at a time (no
/// pipelining). It writes the request, parses the answer, and completes the exchange's
/// promise exactly once: with the answer, or with a `TransportError` when the deadline
/// passes, the answer is malformed, or the connection fails or closes first. The connection
/// is closed whenever it cannot be trusted for another request.
final class HTTP1ClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = HTTP1Exchange
    typealias OutboundOut = ByteBuffer

    private var answer: EventLoopPromise<HTTP1Answer>?
    private var parser = HTTP1ResponseParser()
    /// When the exchange in flight times out.
    private var deadline = NIODeadline.distantFuture
    /// One timer per connection, not one per request: when it fires early (the exchange it
    /// was set for was answered, and a later one is in flight) it sets itself again for the
    /// current deadline; with no exchange in flight it lapses.
    private var timer: Scheduled<Void>?
    private var timerDeadline = NIODeadline.distantFuture
    private var closed = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard answer == nil, !closed else {
            let error = TransportError(.connectionClosed, closed ? "the connection was already closed"
                                                                 : "the connection was still busy with another request")
            exchange.answer.fail(error)
            promise?.fail(error)
            return
        }
        answer = exchange.answer
        parser = HTTP1ResponseParser(bodyless: exchange.bodyless)
        deadline = .now() + exchange.timeout
        if let timer, deadline < timerDeadline {
            // A shorter timeout than the one the timer was set for.
            timer.cancel()
            self.timer = nil
        }
        if timer == nil { startTimer(context: context) }
        context.writeAndFlush(wrapOutboundOut(exchange.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        guard answer != nil else {
            // Bytes nobody asked for: the connection is out of step.
            close(context)
            return
        }
        let progress: HTTP1ResponseParser.Progress
        do {
            progress = try bytes.withUnsafeReadableBytes { raw throws(TransportError) in try parser.feed(raw) }
        } catch {
            fail(error, context: context)
            return
        }
        if case .complete(let response, let keepAlive) = progress {
            // Answer first: closing runs channelInactive, which would fail the exchange.
            succeed(HTTP1Answer(response: response, keepAlive: keepAlive))
            if !keepAlive { close(context) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        if answer != nil {
            do throws(TransportError) {
                if let response = try parser.connectionClosed() {
                    succeed(HTTP1Answer(response: response, keepAlive: false))
                } else {
                    fail(TransportError(.connectionClosed, "the server closed the connection without answering"), context: nil)
                }
            } catch {
                fail(error, context: nil)
            }
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(Self.transportError(error), context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        closed = true
        timer?.cancel()
        timer = nil
        fail(TransportError(.connectionClosed, "the connection closed before the answer was complete"), context: nil)
    }

    private func startTimer(context: ChannelHandlerContext) {
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard answer != nil else { return }
            if NIODeadline.now() >= deadline {
                fail(TransportError(.timeout, "no answer within the timeout"), context: context)
            } else {
                startTimer(context: context)
            }
        }
    }

    private func succeed(_ result: HTTP1Answer) {
        let promise = answer
        answer = nil
        promise?.succeed(result)
    }

    /// Fails the exchange in flight, if any, and closes the connection.
    private func fail(_ error: TransportError, context: ChannelHandlerContext?) {
        var error = error
        if error.kind == .connectionClosed && !parser.hasStarted { error.nothingReceived = true }
        let promise = answer
        answer = nil
        if let context { close(context) }
        promise?.fail(error)
    }

    private func close(_ context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        context.close(promise: nil)
    }

    /// A socket error in words, without the request.
    static func transportError(_ error: Error) -> TransportError {
        if let error = error as? TransportError { return error }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNRESET, EPIPE: return TransportError(.connectionClosed, "the server reset the connection")
            case ETIMEDOUT: return TransportError(.timeout, "the connection timed out")
            default: return TransportError(.other, "\(error)")
            }
        }
        if let error = error as? ChannelError {
            switch error {
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed:
                return TransportError(.connectionClosed, "the connection closed before the answer was complete")
            case .connectTimeout: return TransportError(.connect, "connecting took longer than the connect timeout")
            default: return TransportError(.other, "\(error)")
            }
        }
        return TransportError(.other, "\(error)")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// One request on a connection: its bytes (head and body in one buffer, so one write), how
/// long the answer may take, and the continuation its answer resumes.
struct HTTP1Exchange: Sendable {
    var bytes: ByteBuffer
    var bodyless: Bool
    var timeout: TimeAmount
    var answer: UnsafeContinuation<HTTP1Answer, any Error>
}

struct HTTP1Answer: Sendable {
    var response: ReceivedResponse
    /// Whether the connection can carry the next request.
    var keepAlive: Bool
}

/// The channel handler of one keep-alive HTTP/1.1 connection: one exchange at a time (no
/// pipelining). `start` writes the request; the handler parses the answer and resumes the
/// exchange's continuation exactly once: with the answer, or with a `TransportError` when the
/// deadline passes, the answer is malformed, or the connection fails or closes first. The
/// connection is closed whenever it cannot be trusted for another request.
///
/// The transport calls `start` on the channel's event loop, straight rather than through the
/// pipeline's outbound path (no boxing of the exchange, no write promise): a write that fails
/// closes the channel, and closing fails the exchange in flight.
final class HTTP1ClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var answer: UnsafeContinuation<HTTP1Answer, any Error>?
    private var parser = HTTP1ResponseParser()
    /// When the exchange in flight times out.
    private var deadline = NIODeadline.distantFuture
    /// One timer per connection, not one per request: when it fires early (the exchange it
    /// was set for was answered, and a later one is in flight) it sets itself again for the
    /// current deadline; with no exchange in flight it lapses.
    private var timer: Scheduled<Void>?
    private var timerDeadline = NIODeadline.distantFuture
    private var closed = false
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Sends `exchange`'s request; its continuation gets the answer. On the channel's loop.
    func start(_ exchange: HTTP1Exchange) {
        guard answer == nil, !closed, let context else {
            // Nothing was written: the request may go on another connection.
            var error = TransportError(.connectionClosed, closed || context == nil ? "the connection was already closed"
                                                                                    : "the connection was still busy with another request")
            error.nothingReceived = true
            exchange.answer.resume(throwing: error)
            return
        }
        answer = exchange.answer
        parser.reset(bodyless: exchange.bodyless)
        deadline = .now() + exchange.timeout
        if let timer, deadline < timerDeadline {
            // A shorter timeout than the one the timer was set for.
            timer.cancel()
            self.timer = nil
        }
        if timer == nil { startTimer(context: context) }
        context.writeAndFlush(wrapOutboundOut(exchange.bytes), promise: nil)
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
        self.context = nil
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
        let continuation = answer
        answer = nil
        continuation?.resume(returning: result)
    }

    /// Fails the exchange in flight, if any, and closes the connection.
    private func fail(_ error: TransportError, context: ChannelHandlerContext?) {
        var error = error
        if error.kind == .connectionClosed && !parser.hasStarted { error.nothingReceived = true }
        let continuation = answer
        answer = nil
        if let context { close(context) }
        continuation?.resume(throwing: error)
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

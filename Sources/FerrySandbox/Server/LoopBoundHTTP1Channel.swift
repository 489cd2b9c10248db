import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 connection, with the task that handles it run on the connection's own
/// event loop: reading a request, checking it, and writing the answer then happen on the
/// thread that reads the socket, where Hummingbird would resume the handler on a thread of
/// Swift's global pool and hop back to the loop to write. The sandbox's actors (traffic,
/// ledger, Talon.One sessions) run on the calling loop too (a task's executor preference
/// covers default actors), still one caller at a time.
struct LoopBoundHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(LoopExecutor(value.channel.eventLoop)) {
            await inner.handle(value: value, logger: logger)
        }
    }

    /// The server builder for `Application(server:)`.
    static var builder: HTTPServerBuilder {
        HTTPServerBuilder { responder in LoopBoundHTTP1Channel(inner: HTTP1Channel(responder: responder)) }
    }
}

/// Runs a task's jobs on one NIO event loop. (FerryLoader's `EventLoopTaskExecutor` is the
/// same eight lines; FerrySandbox does not depend on FerryLoader, and a module for them alone
/// would be more than they are.)
private final class LoopExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

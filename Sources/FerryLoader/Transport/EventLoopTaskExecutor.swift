import NIOCore

/// Runs a task's jobs on one NIO event loop, so that a sender and its connection share a
/// thread: writing the request, reading the answer and resuming the sender happen without a
/// thread switch.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: EventLoop

    init(_ loop: EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

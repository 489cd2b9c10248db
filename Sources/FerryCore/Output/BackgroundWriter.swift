import Foundation

/// Runs an output's slow work (compression, write(2)) on its own thread, so that the thread
/// producing records does not wait on the disk. Two buffers in flight at most: memory stays
/// bounded and the producer waits when the disk falls behind.
final class BackgroundWriter: @unchecked Sendable {
    // Mutable state below is guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [[UInt8]] = []
    private var free: [[UInt8]] = []
    private var failure: OutputError?
    private var closing = false
    private var finished = false
    private let maxQueued = 2
    private let work: ([UInt8]) throws(OutputError) -> Void

    /// `work` is called on the background thread with each buffer, in order.
    init(name: String, work: @escaping ([UInt8]) throws(OutputError) -> Void) {
        self.work = work
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !closing { condition.wait() }
            if queue.isEmpty {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            var buffer = queue.removeFirst()
            let failed = failure != nil
            condition.unlock()

            var error: OutputError?
            if !failed {
                do throws(OutputError) {
                    try work(buffer)
                } catch let thrown {
                    error = thrown
                }
            }

            condition.lock()
            if let error, failure == nil { failure = error }
            // Emptied in place and handed back for the producer to fill again. (Emptying a copy
            // while `buffer` still held the storage made Array allocate a fresh one each time:
            // a megabyte of untouched pages, faulted in by the producer, for every flush.)
            buffer.removeAll(keepingCapacity: true)
            free.append(buffer)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Emptied buffers waiting to be handed back by `submit`.
    var spareBuffers: Int {
        condition.lock()
        defer { condition.unlock() }
        return free.count
    }

    /// Hands a full buffer over and returns an empty one to fill next.
    func submit(_ buffer: consuming [UInt8]) throws(OutputError) -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        while queue.count >= maxQueued && failure == nil { condition.wait() }
        if let failure { throw failure }
        let capacity = buffer.capacity
        queue.append(buffer)
        condition.broadcast()
        if let next = free.popLast() { return next }
        var fresh: [UInt8] = []
        fresh.reserveCapacity(capacity)
        return fresh
    }

    /// Waits until everything submitted has been handled; reports the first failure.
    func finish() throws(OutputError) {
        condition.lock()
        defer { condition.unlock() }
        closing = true
        condition.broadcast()
        while !finished { condition.wait() }
        if let failure { throw failure }
    }
}

import Foundation

/// The bounded queue between the pipeline (one thread that reads, maps and batches) and the
/// senders (tasks). `push` blocks the pipeline's thread while the queue is full, so reading
/// never runs further ahead of the network than the queue holds and memory stays flat.
/// A blocked pipeline is woken only once the senders have taken the queue down to half of
/// what it held, so that it refills in a burst instead of being woken for every batch sent.
///
/// Full means `capacity` batches, or more while their bodies total less than `byteBudget`, up
/// to `maxBatches`: small requests (one Pyze event each) queue by the hundred, so that the
/// pipeline is woken once for hundreds of them (at concurrency 1 it was woken every second
/// request, a cross-core wake-up each time), while large ones still stop at `capacity`.
final class BatchQueue: @unchecked Sendable {
    /// A batch to send: all its records, or only those at `positions` (what an earlier run left).
    struct Delivery: Sendable {
        var batch: Batch
        var positions: [Int]?
    }

    // Guarded by `condition`.
    /// Taken slots are set to nil so that a sent body is not kept alive until compaction.
    private var items: [Delivery?] = []
    private var head = 0
    private var waiting: [CheckedContinuation<Delivery?, Never>] = []
    private var closed = false
    private var producerWaiting = false
    /// Body bytes of the batches queued.
    private var bytes = 0
    /// Where a waiting producer is woken: half of what the queue held when it blocked.
    private var wakeAt = 0

    private let condition = NSCondition()
    private let capacity: Int
    private let byteBudget: Int
    private let maxBatches: Int
    private let lowWater: Int

    /// Batches queued at most, however small.
    static let defaultMaxBatches = 1024

    init(capacity: Int, byteBudget: Int = 0, maxBatches: Int = BatchQueue.defaultMaxBatches) {
        self.capacity = max(1, capacity)
        self.byteBudget = max(0, byteBudget)
        self.maxBatches = max(self.capacity, maxBatches)
        lowWater = self.capacity / 2
    }

    private var isFull: Bool {
        count >= maxBatches || (count >= capacity && bytes >= byteBudget)
    }

    private var count: Int { items.count - head }

    /// Batches waiting for a sender now.
    var queued: Int {
        condition.lock()
        defer { condition.unlock() }
        return count
    }

    /// Fewer batches wait than half the queue holds (the senders may soon have none).
    var isRunningLow: Bool {
        condition.lock()
        defer { condition.unlock() }
        return count < lowWater
    }

    /// Hands a batch to a sender, waiting for room. False when the queue was closed (the run
    /// is stopping): the batch was not taken.
    @discardableResult
    func push(_ batch: Delivery) -> Bool {
        condition.lock()
        while !closed && isFull {
            producerWaiting = true
            wakeAt = count / 2
            condition.wait()
        }
        producerWaiting = false
        if closed {
            condition.unlock()
            return false
        }
        if !waiting.isEmpty {
            let sender = waiting.removeFirst()
            condition.unlock()
            sender.resume(returning: batch)
            return true
        }
        items.append(batch)
        bytes += batch.batch.body.count
        condition.unlock()
        return true
    }

    private enum Take {
        case batch(Delivery?)
        case empty
    }

    /// The next batch, or nil once the queue is closed and empty (or closed for good). A
    /// queued batch is taken without suspending the sender (most requests, when the pipeline
    /// keeps ahead of the network).
    func next() async -> Delivery? {
        if case .batch(let batch) = poll() { return batch }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Delivery?, Never>) in
            condition.lock()
            if case .batch(let batch) = take() {
                continuation.resume(returning: batch)
                return
            }
            waiting.append(continuation)
            condition.unlock()
        }
    }

    /// `take` under the lock (which is released either way).
    private func poll() -> Take {
        condition.lock()
        let taken = take()
        if case .empty = taken { condition.unlock() }
        return taken
    }

    /// Called with the lock held: the next batch (nil when the queue is closed and empty),
    /// the lock released and a producer waiting for room woken when it is due; or `.empty`,
    /// the lock still held.
    private func take() -> Take {
        if head < items.count {
            let batch = items[head].take()   // moved out: a copy retained its five references
            head += 1
            bytes -= batch?.batch.body.count ?? 0
            if head > 64 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            let wake = producerWaiting && count <= wakeAt
            if wake { producerWaiting = false }
            condition.unlock()
            if wake { condition.signal() }
            return .batch(batch)
        }
        if closed {
            condition.unlock()
            return .batch(nil)
        }
        return .empty
    }

    /// No more batches: senders finish what is queued, then get nil.
    func finish() {
        condition.lock()
        closed = true
        let waiters = waiting
        waiting.removeAll()
        condition.unlock()
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// Stop now: batches still queued are dropped and returned (their rows stay pending), and
    /// a `push` waiting for room returns at once.
    func abandon() -> [Delivery] {
        condition.lock()
        closed = true
        let dropped = items[head...].compactMap { $0 }
        items.removeAll()
        head = 0
        bytes = 0
        let waiters = waiting
        waiting.removeAll()
        condition.unlock()
        condition.broadcast()
        for waiter in waiters { waiter.resume(returning: nil) }
        return dropped
    }
}

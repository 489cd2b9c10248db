import Dispatch
import NIOConcurrencyHelpers

/// The bounded queue between the pipeline (one thread that reads, maps and batches) and the
/// senders (tasks). `push` blocks the pipeline's thread while the queue is full, so reading
/// never runs further ahead of the network than `capacity` batches and memory stays flat.
final class BatchQueue: Sendable {
    /// A batch to send: all its records, or only those at `positions` (what an earlier run left).
    struct Delivery: Sendable {
        var batch: Batch
        var positions: [Int]?
    }

    private struct State {
        /// Taken slots are set to nil so that a sent body is not kept alive until compaction.
        var items: [Delivery?] = []
        var head = 0
        var waiting: [CheckedContinuation<Delivery?, Never>] = []
        var closed = false
    }

    private let state = NIOLockedValueBox(State())
    private let slots: DispatchSemaphore
    init(capacity: Int) {
        slots = DispatchSemaphore(value: max(1, capacity))
    }

    /// Hands a batch to a sender, waiting for room. False when the queue was closed (the run
    /// is stopping): the batch was not taken. A slot is held while a batch waits in the queue.
    @discardableResult
    func push(_ batch: Delivery) -> Bool {
        enum Action { case closed, handed(CheckedContinuation<Delivery?, Never>), queued }
        slots.wait()
        let action: Action = state.withLockedValue { state in
            if state.closed { return .closed }
            if !state.waiting.isEmpty { return .handed(state.waiting.removeFirst()) }
            state.items.append(batch)
            return .queued
        }
        switch action {
        case .closed:
            slots.signal()
            return false
        case .handed(let sender):
            slots.signal()
            sender.resume(returning: batch)
            return true
        case .queued:
            return true
        }
    }

    /// The next batch, or nil once the queue is closed and empty (or closed for good).
    func next() async -> Delivery? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Delivery?, Never>) in
            let ready: (Delivery?, Bool) = state.withLockedValue { state in
                if state.head < state.items.count {
                    let batch = state.items[state.head]
                    state.items[state.head] = nil
                    state.head += 1
                    if state.head > 64 && state.head * 2 > state.items.count {
                        state.items.removeFirst(state.head)
                        state.head = 0
                    }
                    return (batch, true)
                }
                if state.closed { return (nil, true) }
                state.waiting.append(continuation)
                return (nil, false)
            }
            if ready.1 {
                if ready.0 != nil { slots.signal() }
                continuation.resume(returning: ready.0)
            }
        }
    }

    /// No more batches: senders finish what is queued, then get nil.
    func finish() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Delivery?, Never>] in
            state.closed = true
            let waiters = state.waiting
            state.waiting.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// Stop now: batches still queued are dropped and returned (their rows stay pending), and
    /// a `push` waiting for room returns at once.
    func abandon() -> [Delivery] {
        let (dropped, waiters) = state.withLockedValue { state -> ([Delivery], [CheckedContinuation<Delivery?, Never>]) in
            state.closed = true
            let dropped = state.items[state.head...].compactMap { $0 }
            state.items.removeAll()
            state.head = 0
            let waiters = state.waiting
            state.waiting.removeAll()
            return (dropped, waiters)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        // Wake a producer blocked on a full queue.
        for _ in 0..<(dropped.count + 1) { slots.signal() }
        return dropped
    }
}

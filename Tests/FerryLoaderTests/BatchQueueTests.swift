import Foundation
import Testing
@testable import FerryLoader

@Suite struct BatchQueueTests {
    private func delivery(_ index: Int) -> BatchQueue.Delivery {
        BatchQueue.Delivery(batch: Batch(index: index, body: [], records: [], recordRanges: []), positions: nil)
    }

    /// A producer thread faster than the sender: every batch arrives once and in order, and
    /// the queue never holds more than its capacity.
    @Test func aFullQueueHoldsTheProducerAndLosesNothing() async {
        let queue = BatchQueue(capacity: 4)
        let producer = Thread {
            for index in 0..<500 { queue.push(self.delivery(index)) }
            queue.finish()
        }
        producer.start()
        var seen: [Int] = []
        var most = 0
        while let next = await queue.next() {
            seen.append(next.batch.index)
            most = max(most, queue.queued)
            if seen.count % 50 == 0 { try? await Task.sleep(for: .milliseconds(2)) }
        }
        #expect(seen == Array(0..<500))
        #expect(most <= 4)
    }

    /// The blocked producer is let go once the queue is down to half, not for every batch.
    @Test func theProducerWakesAtHalf() async throws {
        let queue = BatchQueue(capacity: 8)
        for index in 0..<8 { queue.push(delivery(index)) }
        let pushed = ManagedCounter()
        let producer = Thread {
            queue.push(self.delivery(8))
            pushed.increment()
        }
        producer.start()
        try await Task.sleep(for: .milliseconds(50))
        for _ in 0..<3 { _ = await queue.next() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(pushed.value == 0, "five queued of eight: the producer still waits")
        _ = await queue.next()
        for _ in 0..<100 where pushed.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(pushed.value == 1, "four of eight: the producer goes on")
        #expect(queue.queued == 5)
    }

    /// Running low (what tells the mapping threads to help) means fewer queued than half.
    @Test func theQueueRunsLowBelowHalf() async {
        let queue = BatchQueue(capacity: 4)
        #expect(queue.isRunningLow)
        queue.push(delivery(0))
        #expect(queue.isRunningLow, "one of four")
        queue.push(delivery(1))
        #expect(!queue.isRunningLow, "two of four")
        queue.push(delivery(2))
        _ = await queue.next()
        _ = await queue.next()
        #expect(queue.isRunningLow, "one of four again")
    }

    private func delivery(_ index: Int, bytes: Int) -> BatchQueue.Delivery {
        BatchQueue.Delivery(batch: Batch(index: index, body: [UInt8](repeating: 0x20, count: bytes), records: [],
                                         recordRanges: []), positions: nil)
    }

    /// Pushes from a thread until the queue holds the producer; how many it took.
    private func fill(_ queue: BatchQueue, bytes: Int, upTo limit: Int = 5000) async throws -> (queued: Int, producer: ManagedCounter) {
        let pushed = ManagedCounter()
        let producer = Thread {
            for index in 0..<limit {
                guard queue.push(self.delivery(index, bytes: bytes)) else { return }
                pushed.increment()
            }
        }
        producer.start()
        var last = -1
        while pushed.value != last {
            last = pushed.value
            try await Task.sleep(for: .milliseconds(30))
        }
        return (queue.queued, pushed)
    }

    /// Small batches (a single event each) queue past `capacity` while their bodies stay under
    /// the byte budget, up to `maxBatches`; large ones stop at `capacity`. Either way the
    /// producer is let go at half of what the queue held.
    @Test func smallBatchesQueueByTheHundred() async throws {
        let small = BatchQueue(capacity: 4, byteBudget: 64 << 10, maxBatches: 300)
        let (held, pushed) = try await fill(small, bytes: 100)
        #expect(held == 300, "100-byte bodies: up to maxBatches")
        for _ in 0..<149 { _ = await small.next() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(pushed.value == 300, "151 of 300 queued: the producer still waits")
        _ = await small.next()
        for _ in 0..<100 where pushed.value == 300 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(pushed.value > 300, "150 of 300: the producer goes on")
        _ = small.abandon()

        let budget = BatchQueue(capacity: 4, byteBudget: 64 << 10, maxBatches: 300)
        let (byBytes, _) = try await fill(budget, bytes: 1 << 10)
        #expect(byBytes == 64, "1 KiB bodies: until they total the 64 KiB budget")
        _ = budget.abandon()

        let large = BatchQueue(capacity: 4, byteBudget: 64 << 10, maxBatches: 300)
        let (few, _) = try await fill(large, bytes: 100 << 10)
        #expect(few == 4, "100 KiB bodies: capacity")
        _ = large.abandon()
    }

    /// Senders waiting on an empty queue get a pushed batch directly, and nil at the finish.
    @Test func waitingSendersGetBatchesAndThenTheEnd() async throws {
        let queue = BatchQueue(capacity: 1)
        async let first = queue.next()
        async let second = queue.next()
        try await Task.sleep(for: .milliseconds(50))
        #expect(queue.push(delivery(7)))
        try await Task.sleep(for: .milliseconds(50))
        queue.finish()
        let got = [await first, await second].map { $0?.batch.index }
        #expect(got.contains(7) && got.contains(nil), "\(got)")
        #expect(!queue.push(delivery(8)), "a finished queue takes nothing")
    }

    @Test func abandonReturnsWhatWasQueuedAndFreesTheProducer() async throws {
        let queue = BatchQueue(capacity: 2)
        queue.push(delivery(0))
        queue.push(delivery(1))
        let refused = ManagedCounter()
        let producer = Thread {
            if !queue.push(self.delivery(2)) { refused.increment() }
        }
        producer.start()
        try await Task.sleep(for: .milliseconds(50))
        let dropped = queue.abandon()
        #expect(dropped.map(\.batch.index) == [0, 1])
        for _ in 0..<100 where refused.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(refused.value == 1)
        #expect(await queue.next() == nil)
    }
}

/// A count shared between a thread and a test.
final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    /// Counts one more; the count before it.
    @discardableResult
    func increment() -> Int { lock.withLock { defer { count += 1 }; return count } }
}

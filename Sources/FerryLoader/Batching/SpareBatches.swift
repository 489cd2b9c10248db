import NIOConcurrencyHelpers

/// Batches whose requests are done, handed back by `load`'s senders so that the batcher fills
/// their arrays (body, records, byte ranges) again instead of allocating new ones.
///
/// The batcher runs on the pipeline's thread and the senders on the network's, so without it
/// every request's arrays were allocated by one thread and freed by another: glibc then frees
/// each into the allocating thread's arena under that arena's lock, which the pipeline holds
/// while it allocates the next batch, and the two threads met in `futex` about once every
/// four one-event Pyze requests. Bounded by count and by the arrays' capacity, so that a
/// burst of returns (a blocked pipeline while the senders drain the queue) is freed, not kept.
final class SpareBatches: Sendable {
    private let state = NIOLockedValueBox(State())
    let maxCount: Int
    let maxBytes: Int

    private struct State {
        var batches: [Batch] = []
        var bytes = 0
    }

    init(maxCount: Int, maxBytes: Int) {
        self.maxCount = maxCount
        self.maxBytes = maxBytes
    }

    /// Keeps `batch`'s storage for `take`, unless the spares are full (it is then freed here).
    func put(_ batch: consuming Batch) {
        let size = Self.bytes(of: batch)
        var batch: Batch? = consume batch
        state.withLockedValue { state in
            guard state.batches.count < maxCount, state.bytes + size <= maxBytes else { return }
            state.batches.append(batch.take()!)
            state.bytes += size
        }
        // A batch not kept is released here, outside the lock.
        _ = batch
    }

    /// A spare batch, or nil when there is none. Its arrays still hold the old contents:
    /// `removeAll(keepingCapacity: true)` them before use.
    func take() -> Batch? {
        state.withLockedValue { state in
            guard let batch = state.batches.popLast() else { return nil }
            state.bytes -= Self.bytes(of: batch)
            return batch
        }
    }

    /// The memory a batch's arrays hold: the body's and the records' and ranges' (64 bytes a
    /// record, more than a small record's JSON).
    static func bytes(of batch: borrowing Batch) -> Int {
        batch.body.capacity + batch.records.capacity * MemoryLayout<RecordRef>.stride
            + batch.recordRanges.capacity * MemoryLayout<Range<Int>>.stride
    }

    var count: Int { state.withLockedValue { $0.batches.count } }
}

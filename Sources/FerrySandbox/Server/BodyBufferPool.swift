import NIOConcurrencyHelpers
import NIOCore

/// Buffers for request bodies, handed back after each request and reused by the next, so
/// that a batched load does not allocate, touch and free a body-sized buffer per request.
///
/// Under a batched load (Toplyne's 100 KB bodies, Netcore's 300 KB) a fresh buffer per
/// request cost the sandbox a page fault per 4 KiB of body: glibc hands freed memory at the
/// top of a thread's heap back to the kernel (`madvise`) once more than its trim threshold
/// (128 KiB) is free there, and the next body's copy faults the pages in again: 5% of the
/// sandbox's CPU in one profile of a Toplyne load, and 18 to 47 faults a Netcore request.
///
/// At most `maximumKept` buffers, holding at most `maximumBytes` of capacity together, are
/// kept; a buffer with more capacity than `maximumBufferBytes` is let go. Buffers are
/// values: one handed back while a slice of it is still alive elsewhere is copied on its
/// next write, as any `ByteBuffer` is, never overwritten under that slice.
final class BodyBufferPool: Sendable {
    let maximumKept: Int
    let maximumBytes: Int
    let maximumBufferBytes: Int
    private let spare = NIOLockedValueBox(Spare())

    private struct Spare {
        var buffers: [ByteBuffer] = []
        var bytes = 0
    }

    init(maximumKept: Int = 64, maximumBytes: Int = 32 << 20, maximumBufferBytes: Int = 4 << 20) {
        self.maximumKept = maximumKept
        self.maximumBytes = maximumBytes
        self.maximumBufferBytes = maximumBufferBytes
    }

    /// An empty buffer: the one handed back last, or a new one.
    func take() -> ByteBuffer {
        spare.withLockedValue { spare in
            guard let buffer = spare.buffers.popLast() else { return ByteBuffer() }
            spare.bytes -= buffer.capacity
            return buffer
        }
    }

    /// Keeps `buffer`, emptied, for a later `take`, unless the pool is full or it is too big.
    func give(_ buffer: consuming ByteBuffer) {
        // `consume`: with a copy of the parameter alive, `clear()` would see the storage shared
        // and allocate new storage.
        var emptied = consume buffer
        let capacity = emptied.capacity
        guard capacity > 0, capacity <= maximumBufferBytes else { return }
        emptied.clear()
        spare.withLockedValue { spare in
            guard spare.buffers.count < maximumKept, spare.bytes + capacity <= maximumBytes else { return }
            spare.bytes += capacity
            spare.buffers.append(emptied)
        }
    }

    /// How many buffers and bytes of capacity are kept now.
    var kept: (buffers: Int, bytes: Int) {
        spare.withLockedValue { ($0.buffers.count, $0.bytes) }
    }
}

import Foundation

/// Decodes on a background thread (gzip inflate) while the caller parses the previous chunk.
/// A fixed pool of buffers bounds memory: the decoder waits when the parser falls behind.
final class PrefetchingChunkReader: ChunkReader, @unchecked Sendable {
    // All mutable state below is guarded by `condition`.
    private let condition = NSCondition()
    private var free: [UnsafeMutableRawBufferPointer]
    private var ready: [(buffer: UnsafeMutableRawBufferPointer, count: Int)] = []
    private var failure: InputError?
    private var producerDone = false
    private var cancelled = false
    private var consumed: Int64 = 0
    /// The buffer lent to the caller by the last nextChunk().
    private var lent: UnsafeMutableRawBufferPointer?
    private let all: [UnsafeMutableRawBufferPointer]
    private let source: ByteSource
    private var thread: Thread?

    init(source: ByteSource, chunkSize: Int, chunks: Int = 4) {
        self.source = source
        let buffers = (0..<max(2, chunks)).map { _ in
            UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        }
        all = buffers
        free = buffers
        let thread = Thread { [unowned self] in self.produce() }
        thread.name = "ferry.inflate"
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
    }

    deinit {
        close()
        for buffer in all { buffer.deallocate() }
    }

    private func produce() {
        while true {
            condition.lock()
            while free.isEmpty && !cancelled { condition.wait() }
            if cancelled { producerDone = true; condition.broadcast(); condition.unlock(); return }
            let buffer = free.removeLast()
            condition.unlock()

            var filled = 0
            var error: InputError?
            do throws(InputError) {
                while filled < buffer.count {
                    let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                    if n == 0 { break }
                    filled += n
                }
            } catch let thrown {
                error = thrown
            }

            condition.lock()
            consumed = source.storedBytesConsumed
            if filled > 0 { ready.append((buffer, filled)) } else { free.append(buffer) }
            let end = filled < buffer.count || error != nil
            if let error { failure = error }
            if end { producerDone = true }
            condition.broadcast()
            condition.unlock()
            if end { return }
        }
    }

    func nextChunk() throws(InputError) -> UnsafeBufferPointer<UInt8>? {
        condition.lock()
        defer { condition.unlock() }
        if let lent {
            free.append(lent)
            self.lent = nil
            condition.broadcast()
        }
        while ready.isEmpty && !producerDone { condition.wait() }
        if !ready.isEmpty {
            let chunk = ready.removeFirst()
            lent = chunk.buffer
            return UnsafeBufferPointer(start: chunk.buffer.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                       count: chunk.count)
        }
        if let failure { throw failure }
        return nil
    }

    var storedBytesConsumed: Int64 {
        condition.lock()
        defer { condition.unlock() }
        return consumed
    }

    /// Stops the decoder thread, waits for it, and closes the file.
    func close() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !producerDone && thread != nil { condition.wait() }
        thread = nil
        condition.unlock()
        source.close()
    }
}

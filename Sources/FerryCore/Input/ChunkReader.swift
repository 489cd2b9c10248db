/// Hands out decoded input in chunks. A chunk stays valid until the next call.
public protocol ChunkReader: AnyObject {
    /// The next chunk, or nil at the end of the input. Errors come after every chunk
    /// decoded before the damage has been handed out.
    func nextChunk() throws(InputError) -> UnsafeBufferPointer<UInt8>?
    /// Bytes of the stored file consumed so far (compressed bytes for gzip).
    var storedBytesConsumed: Int64 { get }
    /// Stops reading and releases the file. Safe to call more than once.
    func close()
}

/// Reads chunks on the calling thread, into one reused buffer.
final class DirectChunkReader: ChunkReader {
    private let source: ByteSource
    private let buffer: UnsafeMutableRawBufferPointer

    init(source: ByteSource, chunkSize: Int) {
        self.source = source
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    func nextChunk() throws(InputError) -> UnsafeBufferPointer<UInt8>? {
        var filled = 0
        // Fill the buffer (pipes and zlib hand out less than asked): fewer, larger chunks.
        while filled < buffer.count {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        if filled == 0 { return nil }
        return UnsafeBufferPointer(start: buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), count: filled)
    }

    var storedBytesConsumed: Int64 { source.storedBytesConsumed }

    func close() { source.close() }
}

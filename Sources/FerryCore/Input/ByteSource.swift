/// A stream of decoded bytes (plain file contents, or inflated gzip).
public protocol ByteSource: AnyObject {
    /// Fills `buffer` with up to `buffer.count` bytes and returns how many; 0 means the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
    /// Bytes consumed from the underlying file so far (compressed bytes for gzip), for progress.
    var storedBytesConsumed: Int64 { get }
    /// Releases the file descriptor. Further reads return 0.
    func close()
}

/// How an input is stored.
public enum Compression: String, Sendable {
    case none
    case gzip
}

/// An input opened for reading: its decoded bytes as chunks, with what was detected.
public final class OpenedInput {
    public let file: InputFile
    public let compression: Compression
    /// What inflates a gzip input (nil for a plain one).
    public let inflater: Inflater?
    /// Size of the stored file when known (regular files), for progress.
    public let storedSize: Int64?
    private let reader: ChunkReader
    private var held: UnsafeBufferPointer<UInt8>?
    private var heldPending = false
    /// Decoded bytes handed out so far.
    public private(set) var decodedBytes: Int64 = 0

    /// Default decoded chunk size: small enough to stay in cache, large enough to amortise calls.
    public static let defaultChunkSize = 1 << 18

    /// Opens `file`, detecting gzip by its magic bytes (never by the file name).
    /// Gzip is inflated on a background thread so that parsing overlaps decoding, with
    /// `inflater` (ISA-L where it loads, zlib otherwise).
    public init(_ file: InputFile, chunkSize: Int = OpenedInput.defaultChunkSize,
                inflater: Inflater = .preferred) throws(InputError) {
        self.file = file
        let raw = try RawFile(file)
        storedSize = raw.size
        try raw.fill(minimum: 2)
        let head = raw.buffered
        if head.count >= 2 && head[0] == 0x1F && head[1] == 0x8B {
            compression = .gzip
            let source = GzipSource(raw, inflater: inflater)
            self.inflater = source.kind
            reader = PrefetchingChunkReader(source: source, chunkSize: chunkSize)
        } else {
            compression = .none
            self.inflater = nil
            reader = DirectChunkReader(source: PlainSource(raw), chunkSize: chunkSize)
        }
    }

    deinit { reader.close() }

    /// The first decoded bytes (up to one chunk), without consuming them: for format sniffing.
    public func peek() throws(InputError) -> UnsafeBufferPointer<UInt8> {
        if !heldPending {
            held = try reader.nextChunk()
            heldPending = true
        }
        return held ?? UnsafeBufferPointer(start: nil, count: 0)
    }

    /// The next chunk of decoded bytes, valid until the next call; nil at the end.
    public func nextChunk() throws(InputError) -> UnsafeBufferPointer<UInt8>? {
        if heldPending {
            heldPending = false
            let chunk = held
            held = nil
            decodedBytes += Int64(chunk?.count ?? 0)
            return chunk
        }
        let chunk = try reader.nextChunk()
        decodedBytes += Int64(chunk?.count ?? 0)
        return chunk
    }

    /// Stored bytes consumed so far (compressed for gzip).
    public var storedBytesConsumed: Int64 { reader.storedBytesConsumed }

    public func close() { reader.close() }
}

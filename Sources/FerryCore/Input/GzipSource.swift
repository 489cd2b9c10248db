import CZlib

/// Inflates gzip data as a stream with zlib. Concatenated members (`cat a.gz b.gz`) are read
/// as one stream. Damage stops the stream with an error naming the compressed byte offset;
/// everything inflated before it has already been handed out.
final class GzipSource: ByteSource {
    private let file: RawFile
    private let stream: UnsafeMutablePointer<z_stream>
    private var initialized = false
    private var inMember = false
    private var finished = false
    /// Compressed offset where the current member started.
    private var memberStart: Int64 = 0
    private(set) var members = 0

    init(_ file: RawFile) {
        self.file = file
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    var storedBytesConsumed: Int64 { file.consumed }

    func close() {
        finished = true
        file.close()
    }

    /// An error met after some output was produced in the same call: thrown on the next call,
    /// so that the bytes inflated before the damage are handed out first.
    private var pendingError: InputError?

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if let error = pendingError {
            pendingError = nil
            finished = true
            throw error
        }
        guard !finished, let out = buffer.baseAddress, buffer.count > 0 else { return 0 }
        stream.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(clamping: buffer.count)
        let capacity = Int(stream.pointee.avail_out)
        do {
            try inflateInto()
        } catch {
            let produced = capacity - Int(stream.pointee.avail_out)
            if produced == 0 {
                finished = true
                throw error
            }
            pendingError = error
            return produced
        }
        return capacity - Int(stream.pointee.avail_out)
    }

    /// Inflates into the output window set on the stream until it is full or the input ends.
    private func inflateInto() throws(InputError) {
        while stream.pointee.avail_out > 0 {
            if !inMember {
                guard try startMember() else { finished = true; break }
            }
            if file.buffered.isEmpty {
                if try !file.fill() {
                    throw InputError(.gzipTruncated, file: file.name, offset: file.consumed,
                                     message: "gzip data ends unexpectedly (truncated file?)")
                }
            }
            let input = file.buffered
            stream.pointee.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
            stream.pointee.avail_in = UInt32(clamping: input.count)
            let offered = Int(stream.pointee.avail_in)
            let status = inflate(stream, Z_NO_FLUSH)
            let used = offered - Int(stream.pointee.avail_in)
            file.take(used)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                inMember = false
                members += 1
            case Z_NEED_DICT, Z_DATA_ERROR:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "invalid compressed data"
                throw InputError(.gzipCorrupt, file: file.name, offset: file.consumed,
                                 message: "corrupt gzip data: \(detail)")
            case Z_MEM_ERROR:
                throw InputError(.unreadable, file: file.name, offset: file.consumed,
                                 message: "out of memory while inflating")
            default:
                throw InputError(.gzipCorrupt, file: file.name, offset: file.consumed,
                                 message: "zlib inflate failed with status \(status)")
            }
        }
    }

    /// Starts the next member if one follows. Returns false at a clean end of input.
    /// Trailing zero bytes (padding some tools add) are ignored like gzip does; any other
    /// trailing data is an error rather than silently ignored.
    private func startMember() throws(InputError) -> Bool {
        guard try file.fill(minimum: 2) else { return false }
        let head = file.buffered
        if head.count < 2 || head[0] != 0x1F || head[1] != 0x8B {
            if members > 0, try skipZeroPadding() { return false }
            throw InputError(.gzipTrailingData, file: file.name, offset: file.consumed,
                             message: members > 0
                                ? "unexpected data after gzip member \(members)"
                                : "not gzip data")
        }
        memberStart = file.consumed
        if initialized {
            inflateReset(stream)
        } else {
            // 15 window bits + 16: gzip wrapper only, header and CRC-32/size trailer checked.
            let status = ferry_inflateInit2(stream, 15 + 16)
            guard status == Z_OK else {
                throw InputError(.unreadable, file: file.name, message: "zlib initialisation failed (\(status))")
            }
            initialized = true
        }
        inMember = true
        return true
    }

    /// Consumes the rest of the file if it is all zero bytes.
    private func skipZeroPadding() throws(InputError) -> Bool {
        while try file.fill() {
            let bytes = file.buffered
            if bytes.contains(where: { $0 != 0 }) { return false }
            file.take(bytes.count)
        }
        return true
    }
}

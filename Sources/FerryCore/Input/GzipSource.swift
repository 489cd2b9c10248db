/// Inflates gzip data as a stream, with ISA-L or zlib (`Inflater`). Concatenated members
/// (`cat a.gz b.gz`) are read as one stream. Damage stops the stream with an error naming the
/// compressed byte offset; everything inflated before it has already been handed out.
final class GzipSource: ByteSource {
    private let file: RawFile
    private let inflater: MemberInflater
    let kind: Inflater
    private var inMember = false
    private var finished = false
    private(set) var members = 0

    /// Inflates with `kind`, or with zlib when `kind` is ISA-L and it cannot be loaded.
    init(_ file: RawFile, inflater kind: Inflater = .preferred) {
        self.file = file
        if kind == .isal, let isal = IsalMemberInflater() {
            inflater = isal
            self.kind = .isal
        } else {
            inflater = ZlibMemberInflater(fileName: file.name)
            self.kind = .zlib
        }
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
        guard !finished, buffer.count > 0 else { return 0 }
        var produced = 0
        do {
            try inflate(into: buffer, produced: &produced)
        } catch {
            if produced == 0 {
                finished = true
                throw error
            }
            pendingError = error
        }
        return produced
    }

    /// Inflates into `buffer` until it is full or the input ends.
    private func inflate(into buffer: UnsafeMutableRawBufferPointer, produced: inout Int) throws(InputError) {
        while produced < buffer.count {
            if !inMember {
                guard try startMember() else { finished = true; return }
            }
            if file.buffered.isEmpty {
                if try !file.fill() {
                    throw InputError(.gzipTruncated, file: file.name, offset: file.consumed,
                                     message: "gzip data ends unexpectedly (truncated file?)")
                }
            }
            let step = inflater.inflate(UnsafeRawBufferPointer(file.buffered),
                                        into: UnsafeMutableRawBufferPointer(rebasing: buffer[produced...]))
            file.take(step.consumed)
            produced += step.produced
            switch step.problem {
            case nil:
                break
            case .corrupt(let detail)?:
                throw InputError(.gzipCorrupt, file: file.name, offset: file.consumed,
                                 message: "corrupt gzip data: \(detail)")
            case .outOfMemory?:
                throw InputError(.unreadable, file: file.name, offset: file.consumed,
                                 message: "out of memory while inflating")
            }
            if step.memberDone {
                inMember = false
                members += 1
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
        try inflater.beginMember()
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

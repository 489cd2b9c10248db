#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

private func systemClose(_ fd: Int32) { _ = close(fd) }
private func systemRead(_ fd: Int32, _ base: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, base, count) }

/// An open file descriptor read with read(2), with a small look-ahead buffer so that the
/// first bytes can be examined (gzip magic) before the decoder is chosen.
final class RawFile {
    let name: String
    private var fd: Int32
    private let ownsDescriptor: Bool
    /// Bytes read from the descriptor so far.
    private(set) var bytesRead: Int64 = 0
    /// Size of the file when it is a regular file, for progress; nil for pipes and stdin.
    let size: Int64?

    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var atEOF = false

    init(_ input: InputFile, bufferSize: Int = 1 << 18) throws(InputError) {
        name = input.displayName
        if input.isStdin {
            fd = 0
            ownsDescriptor = false
        } else {
            let opened = open(input.path, O_RDONLY | O_CLOEXEC)
            if opened < 0 {
                let code = errno
                let kind: InputError.Kind = code == ENOENT ? .notFound : .unreadable
                throw InputError(kind, file: input.displayName, message: "cannot open: \(String(cString: strerror(code)))")
            }
            fd = opened
            ownsDescriptor = true
        }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            size = Int64(info.st_size)
        } else {
            size = nil
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            if ownsDescriptor { systemClose(fd) }
            buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 8)
            throw InputError(.unreadable, file: input.displayName, message: "is a directory")
        }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit {
        close()
        buffer.deallocate()
    }

    func close() {
        if fd >= 0 {
            if ownsDescriptor { systemClose(fd) }
            fd = -1
        }
        atEOF = true
        start = 0
        end = 0
    }

    /// Buffered bytes not yet taken.
    var buffered: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[start..<end])
    }

    /// Bytes of the file consumed by the caller (read minus still buffered).
    var consumed: Int64 { bytesRead - Int64(end - start) }

    /// Marks `count` buffered bytes as taken.
    func take(_ count: Int) { start += count }

    /// Makes sure at least `minimum` bytes are buffered unless the file ends first.
    /// Returns false when nothing at all is buffered (end of file).
    @discardableResult
    func fill(minimum: Int = 1) throws(InputError) -> Bool {
        if end - start >= minimum { return true }
        if start > 0 {
            let pending = end - start
            if pending > 0, let base = buffer.baseAddress {
                memmove(base, base + start, pending)
            }
            start = 0
            end = pending
        }
        while !atEOF && end < minimum {
            let n = readSome(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            switch n {
            case .success(let count):
                if count == 0 { atEOF = true } else { end += count }
            case .failure(let error):
                throw error
            }
        }
        return end > start
    }

    /// Reads directly into `destination`, first from the look-ahead buffer.
    func read(into destination: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let pending = end - start
        if pending > 0 {
            let n = min(pending, destination.count)
            if let base = buffer.baseAddress { destination.baseAddress?.copyMemory(from: base + start, byteCount: n) }
            start += n
            return n
        }
        if atEOF { return 0 }
        switch readSome(into: destination) {
        case .success(let count):
            if count == 0 { atEOF = true }
            return count
        case .failure(let error):
            throw error
        }
    }

    private func readSome(into destination: UnsafeMutableRawBufferPointer) -> Result<Int, InputError> {
        guard fd >= 0, let base = destination.baseAddress, destination.count > 0 else { return .success(0) }
        while true {
            let n = systemRead(fd, base, destination.count)
            if n >= 0 {
                bytesRead += Int64(n)
                return .success(n)
            }
            if errno == EINTR { continue }
            let message = String(cString: strerror(errno))
            return .failure(InputError(.unreadable, file: name, offset: bytesRead, message: "read failed: \(message)"))
        }
    }
}

/// A plain (uncompressed) file as a byte source.
final class PlainSource: ByteSource {
    private let file: RawFile

    init(_ file: RawFile) { self.file = file }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        try file.read(into: buffer)
    }

    var storedBytesConsumed: Int64 { file.consumed }

    func close() { file.close() }
}

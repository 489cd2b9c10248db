#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib

/// A problem writing an output file.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

private func systemWrite(_ fd: Int32, _ base: UnsafeRawPointer, _ count: Int) -> Int { write(fd, base, count) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

/// A buffered output file (or standard output for `-`), optionally gzip-compressed.
/// Compression and write(2) run on a background thread (see `BackgroundWriter`); nothing is
/// lost on `close()`, which waits for them and reports any error.
public final class OutputFile {
    public let path: String
    private var fd: Int32
    private let ownsDescriptor: Bool
    /// Filled by the one thread that writes this file (the writer thread gets its own copy
    /// through `submit`), so without the run-time exclusivity checks.
    @exclusivity(unchecked) private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20
    private var deflater: UnsafeMutablePointer<z_stream>?
    private var compressed: [UInt8] = []
    private var background: BackgroundWriter?

    /// Opens `path` for writing (created, and truncated unless `append`); `-` is standard output.
    /// `gzip` compresses the stream (level 6). `background: false` writes on the calling
    /// thread (for small files, where a writer thread costs more than it saves).
    public init(path: String, gzip: Bool = false, background: Bool = true, append: Bool = false) throws(OutputError) {
        self.path = path
        if path == "-" {
            fd = 1
            ownsDescriptor = false
        } else {
            let opened = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC, 0o644)
            guard opened >= 0 else {
                throw OutputError(path: path, message: "cannot create: \(String(cString: strerror(errno)))")
            }
            fd = opened
            ownsDescriptor = true
        }
        buffer.reserveCapacity(bufferLimit + 4096)
        if gzip {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            guard ferry_deflateInit2(stream, 6, 15 + 16) == Z_OK else {
                stream.deallocate()
                throw OutputError(path: path, message: "zlib deflate initialisation failed")
            }
            deflater = stream
            compressed = [UInt8](repeating: 0, count: 1 << 18)
        }
        guard background else { return }
        // unowned(unsafe): the writer never outlives this file (deinit and close wait for it).
        self.background = BackgroundWriter(name: "ferry.output") { [unowned(unsafe) self] data throws(OutputError) in
            try self.consume(data, finishing: false)
        }
    }

    /// Writes `bytes` as the whole content of `path` (created or truncated), unbuffered: for
    /// many small files such as one per request.
    public static func writeWhole(path: String, bytes: [UInt8]) throws(OutputError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw OutputError(path: path, message: "cannot create: \(String(cString: strerror(errno)))")
        }
        var failure: OutputError?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count, let base = raw.baseAddress {
                let n = systemWrite(fd, base + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = OutputError(path: path, message: "write failed: \(String(cString: strerror(errno)))")
                    return
                }
                offset += n
            }
        }
        if systemClose(fd) != 0 && failure == nil {
            failure = OutputError(path: path, message: "close failed: \(String(cString: strerror(errno)))")
        }
        if let failure { throw failure }
    }

    deinit {
        try? background?.finish()
        if let deflater {
            deflateEnd(deflater)
            deflater.deallocate()
        }
        if ownsDescriptor && fd >= 0 { _ = systemClose(fd) }
    }

    public func write(_ bytes: UnsafeBufferPointer<UInt8>) throws(OutputError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= bufferLimit { try flush(finishing: false) }
    }

    /// Writes `bytes`, then lets `patch` change the copy just buffered (the same length) before
    /// it goes out: one copy where building the changed bytes first would take two.
    public func write(_ bytes: UnsafeBufferPointer<UInt8>, patching patch: (UnsafeMutableBufferPointer<UInt8>) -> Void) throws(OutputError) {
        let start = buffer.count
        buffer.append(contentsOf: bytes)
        buffer.withUnsafeMutableBufferPointer { patch(UnsafeMutableBufferPointer(rebasing: $0[start...])) }
        if buffer.count >= bufferLimit { try flush(finishing: false) }
    }

    public func write(_ bytes: [UInt8]) throws(OutputError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= bufferLimit { try flush(finishing: false) }
    }

    public func write(_ text: String) throws(OutputError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= bufferLimit { try flush(finishing: false) }
    }

    /// Flushes everything, ends the gzip stream, and closes the file.
    public func close() throws(OutputError) {
        guard fd >= 0 else { return }
        if let background {
            self.background = nil
            // Always wait for the writer thread, then report the first failure.
            var failure: OutputError?
            do throws(OutputError) {
                _ = try background.submit(buffer)
            } catch {
                failure = error
            }
            buffer.removeAll(keepingCapacity: true)
            do throws(OutputError) {
                try background.finish()
            } catch {
                failure = failure ?? error
            }
            if let failure {
                if ownsDescriptor { _ = systemClose(fd) }
                fd = -1
                throw failure
            }
        }
        try flush(finishing: true)
        if ownsDescriptor {
            if systemClose(fd) != 0 {
                fd = -1
                throw OutputError(path: path, message: "close failed: \(String(cString: strerror(errno)))")
            }
        }
        fd = -1
    }

    private func flush(finishing: Bool) throws(OutputError) {
        guard fd >= 0 else { throw OutputError(path: path, message: "already closed") }
        if let background, !finishing {
            // Moved, not copied, so that the writer thread holds the only reference and can
            // give the storage back for reuse.
            var full: [UInt8] = []
            swap(&full, &buffer)
            buffer = try background.submit(consume full)
            return
        }
        try consume(buffer, finishing: finishing)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Compresses (when gzip) and writes `data`. Runs on the background thread while it exists.
    private func consume(_ data: [UInt8], finishing: Bool) throws(OutputError) {
        if let deflater {
            try deflate(data, deflater, finishing: finishing)
        } else {
            try writeAll(data)
        }
    }

    private func deflate(_ data: [UInt8], _ stream: UnsafeMutablePointer<z_stream>, finishing: Bool) throws(OutputError) {
        var failure: OutputError?
        data.withUnsafeBufferPointer { input in
            // zlib reads next_in only; the pointer type is mutable for historical reasons.
            stream.pointee.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0) }
            stream.pointee.avail_in = UInt32(input.count)
            repeat {
                let produced: Int = compressed.withUnsafeMutableBufferPointer { out in
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = UInt32(out.count)
                    _ = CZlib.deflate(stream, finishing ? Z_FINISH : Z_NO_FLUSH)
                    return out.count - Int(stream.pointee.avail_out)
                }
                if produced > 0 {
                    do throws(OutputError) {
                        try writeAll(Array(compressed[0..<produced]))
                    } catch {
                        failure = error
                        return
                    }
                }
            } while stream.pointee.avail_out == 0   // zlib's loop: output space ran out, so more may be pending
        }
        if let failure { throw failure }
    }

    private func writeAll(_ bytes: [UInt8]) throws(OutputError) {
        var failure: OutputError?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                guard let base = raw.baseAddress else { return }
                let n = systemWrite(fd, base + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = OutputError(path: path, message: "write failed: \(String(cString: strerror(errno)))")
                    return
                }
                offset += n
            }
        }
        if let failure { throw failure }
    }
}

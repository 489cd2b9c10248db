import Foundation
import Testing
@testable import FerryCore

/// The output's writer thread hands each buffer back for reuse: the producer fills the same
/// storage again rather than a fresh megabyte of untouched pages every flush.
@Suite struct BackgroundWriterTests {
    /// A thread-safe list of what the writer thread was given: copies with storage of their
    /// own (keeping the buffer itself would stop it from being reused).
    final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [[UInt8]] = []
        func add(_ data: [UInt8]) {
            let copy = data.map { $0 }
            lock.withLock { items.append(copy) }
        }
        var all: [[UInt8]] { lock.withLock { items } }
        /// Waits (up to 10 s) until the writer thread has taken `count` buffers.
        func wait(for count: Int) {
            let deadline = Date().addingTimeInterval(10)
            while all.count < count && Date() < deadline { usleep(1000) }
        }
    }

    static func base(_ buffer: [UInt8]) -> UInt {
        buffer.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
    }

    @Test func aBufferWrittenComesBackEmptyWithItsStorage() throws {
        let seen = Seen()
        let writer = BackgroundWriter(name: "test.output") { data throws(OutputError) in seen.add(data) }
        var first = [UInt8](repeating: 7, count: 1 << 20)
        let firstStorage = Self.base(first)
        var second = try writer.submit(consume first)
        seen.wait(for: 1)
        // Written is not yet handed back: wait until the writer thread has emptied it.
        let deadline = Date().addingTimeInterval(10)
        while writer.spareBuffers == 0 && Date() < deadline { usleep(1000) }
        #expect(second.isEmpty && second.capacity >= 1 << 20)   // nothing to reuse yet: a new one
        second.append(contentsOf: [1, 2, 3])
        // The first buffer has been written, so it is the one handed back now, emptied.
        first = try writer.submit(consume second)
        #expect(first.isEmpty)
        #expect(first.capacity >= 1 << 20)
        #expect(Self.base(first) == firstStorage)
        try writer.finish()
        let written = seen.all
        #expect(written.count == 2)
        #expect(written.first?.count == 1 << 20 && written.first?.allSatisfy { $0 == 7 } == true)
        #expect(written.last == [1, 2, 3])
    }

    /// Through `OutputFile`: many flushes of a megabyte each write every byte, in order.
    @Test func anOutputFileWritesEveryFlushInOrder() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-bw-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try OutputFile(path: path)
        var expected: [UInt8] = []
        let line = Array("0123456789abcdefghijklmnopqrstuvwxyz\n".utf8)
        for index in 0..<200_000 {
            var row = line
            row[0] = UInt8(ascii: "0") + UInt8(index % 10)
            try row.withUnsafeBufferPointer { try file.write($0) }
            expected += row
        }
        try file.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
    }
}

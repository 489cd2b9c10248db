/// NDJSON lines copied out of the reader into one buffer, to be decoded and mapped on another
/// thread while the reader goes on. Reused (`removeAll`) rather than reallocated; one thread
/// at a time uses it (its owner hands it over under a lock).
public final class NDJSONLineBlock: @unchecked Sendable {
    @exclusivity(unchecked) private var bytes: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var byteCapacity: Int
    @exclusivity(unchecked) public private(set) var byteCount = 0
    @exclusivity(unchecked) private var lines: [(start: Int, count: Int, line: Int, recordNumber: Int)] = []

    public init(byteCapacity: Int = 1 << 16) {
        self.byteCapacity = max(64, byteCapacity)
        bytes = .allocate(capacity: self.byteCapacity)
    }

    deinit { bytes.deallocate() }

    public var count: Int { lines.count }

    /// Copies a line in; returns the bytes the block then holds (`byteCount`, which a caller
    /// in another module would otherwise read with a run-time exclusivity check).
    @discardableResult
    public func append(_ text: UnsafeBufferPointer<UInt8>, line: Int, recordNumber: Int) -> Int {
        GrowableStorage.grow(&bytes, count: byteCount, capacity: &byteCapacity, toFit: byteCount + text.count)
        if let source = text.baseAddress, !text.isEmpty { (bytes + byteCount).update(from: source, count: text.count) }
        lines.append((byteCount, text.count, line, recordNumber))
        byteCount += text.count
        return byteCount
    }

    /// Line `index`: its bytes (valid until the block is emptied or appended to), line and record number.
    public func line(_ index: Int) -> (bytes: UnsafeBufferPointer<UInt8>, line: Int, recordNumber: Int) {
        let entry = lines[index]
        return (UnsafeBufferPointer(start: bytes + entry.start, count: entry.count), entry.line, entry.recordNumber)
    }

    public func removeAll() {
        byteCount = 0
        lines.removeAll(keepingCapacity: true)
    }
}

/// CSV records copied out of the reader into one buffer, so that they can be mapped on another
/// thread while the reader goes on. Each record costs one copy of its bytes and its spans; the
/// block is reused (`removeAll`) rather than reallocated.
/// One thread at a time uses a block (its owner hands it over under a lock), so the run-time
/// exclusivity checks are off for its state.
public final class CSVRowBlock: @unchecked Sendable {
    @exclusivity(unchecked) private var bytes: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var byteCapacity: Int
    @exclusivity(unchecked) public private(set) var byteCount = 0
    @exclusivity(unchecked) private var spans: UnsafeMutablePointer<FieldSpan>
    @exclusivity(unchecked) private var spanCapacity = 1024
    @exclusivity(unchecked) private var spanCount = 0
    /// Per record: where its spans start, how many, its record number and line.
    @exclusivity(unchecked) private var records: [(spanStart: Int32, spanCount: Int32, recordNumber: Int, line: Int)] = []

    public init(byteCapacity: Int = 1 << 16) {
        self.byteCapacity = max(64, byteCapacity)
        bytes = .allocate(capacity: self.byteCapacity)
        spans = .allocate(capacity: spanCapacity)
    }

    deinit {
        bytes.deallocate()
        spans.deallocate()   // FieldSpan is a trivial type: nothing to deinitialize
    }

    public var count: Int { records.count }

    /// Copies `row` in; returns the bytes the block then holds (`byteCount`, which a caller
    /// in another module would otherwise read with a run-time exclusivity check).
    @discardableResult
    public func append(_ row: CSVRow) -> Int {
        let first = row.count > 0 ? row.spans[0].start : 0
        let last = row.count > 0 ? row.spans[row.count - 1].end : 0
        let length = last - first
        GrowableStorage.grow(&bytes, count: byteCount, capacity: &byteCapacity, toFit: byteCount + length)
        if length > 0 { (bytes + byteCount).update(from: row.base + first, count: length) }
        let shift = byteCount - first
        GrowableStorage.grow(&spans, count: spanCount, capacity: &spanCapacity, toFit: spanCount + row.count)
        records.append((Int32(spanCount), Int32(row.count), row.recordNumber, row.line))
        for span in row.spans {
            (spans + spanCount).initialize(to: FieldSpan(start: span.start + shift, end: span.end + shift, quoted: span.quoted))
            spanCount += 1
        }
        byteCount += length
        return byteCount
    }

    /// Record `index`, valid until the block is emptied or appended to.
    public func row(_ index: Int) -> CSVRow {
        let record = records[index]
        return CSVRow(recordNumber: record.recordNumber, line: record.line, base: UnsafePointer(bytes),
                      spans: UnsafeBufferPointer(start: spans + Int(record.spanStart), count: Int(record.spanCount)))
    }

    /// Empties the block, keeping its storage.
    public func removeAll() {
        byteCount = 0
        spanCount = 0
        records.removeAll(keepingCapacity: true)
    }
}

/// A CSV record copied out of the reader's buffer, so that it can outlive the reader's next
/// call (rows held while a group is collected). Its `row` view stays valid as long as this
/// object lives.
public final class OwnedCSVRow: @unchecked Sendable {
    private let bytes: UnsafeMutablePointer<UInt8>
    private let spans: UnsafeMutablePointer<FieldSpan>
    private let count: Int
    public let recordNumber: Int
    public let line: Int
    /// Bytes held, for memory accounting.
    public let byteCount: Int

    public init(_ row: CSVRow) {
        count = row.count
        recordNumber = row.recordNumber
        line = row.line
        var total = 0
        for index in 0..<row.count { total += row.spans[index].end - row.spans[index].start }
        byteCount = total
        bytes = .allocate(capacity: max(1, total))
        spans = .allocate(capacity: max(1, row.count))
        var offset = 0
        for index in 0..<row.count {
            let field = row[index]
            if let source = field.baseAddress { (bytes + offset).update(from: source, count: field.count) }
            (spans + index).initialize(to: FieldSpan(start: offset, end: offset + field.count, quoted: row.isQuoted(index)))
            offset += field.count
        }
    }

    /// Builds a row from field texts (rows read back from a spill file).
    public init(fields: [[UInt8]], recordNumber: Int, line: Int) {
        count = fields.count
        self.recordNumber = recordNumber
        self.line = line
        let total = fields.reduce(0) { $0 + $1.count }
        byteCount = total
        bytes = .allocate(capacity: max(1, total))
        spans = .allocate(capacity: max(1, fields.count))
        var offset = 0
        for (index, field) in fields.enumerated() {
            field.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { (bytes + offset).update(from: base, count: source.count) }
            }
            (spans + index).initialize(to: FieldSpan(start: offset, end: offset + field.count, quoted: false))
            offset += field.count
        }
    }

    deinit {
        bytes.deallocate()
        spans.deinitialize(count: count)
        spans.deallocate()
    }

    /// A view of the copy, valid while this object lives.
    public var row: CSVRow {
        CSVRow(recordNumber: recordNumber, line: line, base: UnsafePointer(bytes),
               spans: UnsafeBufferPointer(start: spans, count: count))
    }
}

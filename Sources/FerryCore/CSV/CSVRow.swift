/// Where one field lies in the reader's buffer.
public struct FieldSpan: Sendable {
    public var start: Int
    public var end: Int
    /// True when the field was quoted (`""` is an empty quoted field, not a missing one).
    public var quoted: Bool
    /// True while the field still holds doubled quotes to collapse.
    var escaped: Bool = false
}

/// One CSV record, borrowed from the reader: valid only until the reader's next call.
/// Field bytes are already unquoted and unescaped, and valid UTF-8.
public struct CSVRow {
    public let recordNumber: Int
    /// Physical line where the record starts (1-based; quoted line breaks count).
    public let line: Int
    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let spans: UnsafeBufferPointer<FieldSpan>

    public var count: Int { spans.count }

    /// The bytes of field `index`.
    @inlinable
    public subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        let span = spans[index]
        return UnsafeBufferPointer(start: base + span.start, count: span.end - span.start)
    }

    public func isQuoted(_ index: Int) -> Bool { spans[index].quoted }

    public func string(at index: Int) -> String {
        String(decoding: self[index], as: UTF8.self)
    }

    /// Every field as a String (allocates; for tests, previews and error reports).
    public var strings: [String] { (0..<count).map(string(at:)) }
}

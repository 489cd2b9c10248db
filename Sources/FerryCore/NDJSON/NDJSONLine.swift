/// One NDJSON line that `JSONFieldScanner` validated as an object, with the values of the
/// wanted paths located but not parsed. Borrowed from the reader: valid until its next call.
public struct NDJSONLine {
    public let recordNumber: Int
    public let line: Int
    /// The line's bytes (without its line feed).
    public let bytes: UnsafeBufferPointer<UInt8>
    /// One slot per wanted path, in the order of the reader's `JSONPathSet`.
    public let slots: UnsafeBufferPointer<JSONSlot>

    public init(recordNumber: Int, line: Int, bytes: UnsafeBufferPointer<UInt8>, slots: UnsafeBufferPointer<JSONSlot>) {
        self.recordNumber = recordNumber
        self.line = line
        self.bytes = bytes
        self.slots = slots
    }

    /// The bytes a slot points at: a plain string's content, or the whole token of anything else.
    @inline(__always)
    public func text(_ slot: JSONSlot) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[Int(slot.start)..<Int(slot.end)])
    }

    /// The value at slot `index` as `JSONParser` reads it; nil when the path is missing.
    public func value(_ index: Int) -> JSONValue? {
        let slot = slots[index]
        switch slot.kind {
        case .missing: return nil
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .string: return .string(String(decoding: text(slot), as: UTF8.self))
        case .number, .escapedString, .object, .array:
            // Validated by the scanner, so the parser accepts it.
            return (try? JSONParser.parse(text(slot))) ?? .null
        }
    }

    /// The whole line parsed (for dead letters, held rows and globs).
    public func record() -> NDJSONRecord {
        var object = JSONObject()
        if case .object(let parsed)? = try? JSONParser.parse(bytes) { object = parsed }
        return NDJSONRecord(recordNumber: recordNumber, line: line, object: object)
    }
}

import FerryCore

/// A value while a row is being mapped. `.text` borrows the reader's buffer and is only
/// valid while the row is; everything else owns its storage.
enum MappedValue {
    case null
    /// Raw CSV field bytes (valid UTF-8), borrowed from the current row.
    case text(UnsafeBufferPointer<UInt8>)
    case string(String)
    case int(Int64)
    case double(Double)
    /// A number literal kept verbatim (from NDJSON: beyond Int64 or Double).
    case decimal(String)
    case bool(Bool)
    /// A JSON object or array (from NDJSON, or `type: json`).
    case json(JSONValue)
    case timestamp(Timestamp)
    case array([MappedValue])

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value as text, for transforms, maps, filters and messages. Nil for objects/arrays.
    var textValue: String? {
        switch self {
        case .null: return nil
        case .text(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .string(let s): return s
        case .int(let v): return String(v)
        case .double(let v): return Self.numberText(v)
        case .decimal(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .json(let value):
            if case .string(let s) = value { return s }
            return nil
        case .timestamp(let t): return TimestampFormatter.string(t, as: .iso8601UTC)
        case .array: return nil
        }
    }

    /// Whether `textValue` is "" (nil for objects and arrays is not), without making a String:
    /// a `not_empty` filter asks this of every row.
    var isEmptyText: Bool {
        switch self {
        case .text(let bytes): return bytes.isEmpty
        case .string(let s), .decimal(let s): return s.isEmpty
        case .json(.string(let s)): return s.isEmpty
        case .null, .int, .double, .bool, .json, .timestamp, .array: return false
        }
    }

    /// Whether `textValue == expected`. Raw field bytes equal to the expected text's match
    /// without making a String; other bytes are compared as Strings are (canonically
    /// equivalent text is equal), unless both are ASCII, where that cannot differ.
    func textEquals(_ expected: String) -> Bool {
        guard case .text(let bytes) = self else { return textValue == expected }
        var expected = expected
        return expected.withUTF8 { wanted in
            if bytes.elementsEqual(wanted) { return true }
            if Self.isASCII(bytes) && Self.isASCII(wanted) { return false }
            return String(decoding: bytes, as: UTF8.self) == String(decoding: wanted, as: UTF8.self)
        }
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var all: UInt8 = 0
        for byte in bytes { all |= byte }
        return all < 0x80
    }

    /// Text for error messages: the value as the user would recognise it, capped.
    var displayText: String {
        switch self {
        case .null: return "(empty)"
        case .json(let value): return Self.cap(JSONWriter.serialize(value) as String)
        case .array(let items): return Self.cap("[" + items.map(\.displayText).joined(separator: ", ") + "]")
        default: return Self.cap(textValue ?? "")
        }
    }

    static func cap(_ text: String) -> String {
        text.count > 80 ? String(text.prefix(79)) + "…" : text
    }

    /// Integral doubles print without a fraction ("3" not "3.0") when turned into text.
    static func numberText(_ v: Double) -> String {
        if v.rounded() == v, abs(v) < 1e15 { return String(Int64(v)) }
        return v.description
    }

    /// Converts a JSON value from NDJSON into a mapped value.
    init(json value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let v): self = .int(v)
        case .double(let v): self = .double(v)
        case .decimal(let s): self = .decimal(s)
        case .string(let s): self = .string(s)
        case .array, .object: self = .json(value)
        }
    }

    init(constant: ConstantValue) {
        switch constant {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let v): self = .int(v)
        case .double(let v): self = .double(v)
        case .string(let s): self = .string(s)
        }
    }
}

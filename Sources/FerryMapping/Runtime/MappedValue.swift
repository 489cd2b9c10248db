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

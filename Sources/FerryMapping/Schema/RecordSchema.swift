import FerryCore

/// The shape of one record a vendor accepts: its members, their types, which are required.
/// Targets (FerryVendors) describe their records with it; the mapping compiler checks a
/// mapping against it and the validator checks every produced record.
public struct RecordSchema: Sendable {
    public var fields: [FieldSchema]
    /// Members not listed: refused, or accepted with any JSON value (a free-form object).
    public var allowsOtherMembers: Bool
    /// Groups of optional fields of which each record must carry at least one (Netcore:
    /// `identity` or `annonid`).
    public var atLeastOneOf: [[String]]

    public init(fields: [FieldSchema], allowsOtherMembers: Bool = false, atLeastOneOf: [[String]] = []) {
        self.fields = fields
        self.allowsOtherMembers = allowsOtherMembers
        self.atLeastOneOf = atLeastOneOf
    }

    /// A free-form object: any members, any JSON values.
    public static let propertyBag = RecordSchema(fields: [], allowsOtherMembers: true)

    public func field(named name: String) -> FieldSchema? {
        fields.first { $0.name == name }
    }

    public var requiredFields: [FieldSchema] { fields.filter(\.required) }
}

/// What to do with an array that would be sent empty.
public enum EmptyArrayPolicy: String, Sendable {
    /// Send it.
    case allow
    /// The record is invalid (`empty_array`): for vendors that silently drop records with an
    /// empty array (Netcore), failing loudly beats losing the record unseen.
    case reject
}

/// One member of a record.
public struct FieldSchema: Sendable {
    public var name: String
    public var type: FieldType
    public var required: Bool
    /// Whether an explicit JSON null is meaningful and accepted (for example "remove this attribute").
    public var nullable: Bool
    /// What the vendor's document says the field is, for `ferry targets NAME`.
    public var summary: String

    public init(_ name: String, _ type: FieldType, required: Bool = false, nullable: Bool = false, summary: String = "") {
        self.name = name
        self.type = type
        self.required = required
        self.nullable = nullable
        self.summary = summary
    }
}

/// The JSON type a vendor wants for a member. Values are converted to it when the mapping
/// does not already produce it (text "42" becomes 42 for an integer field).
public indirect enum FieldType: Sendable {
    /// A JSON string, optionally with a maximum length in characters.
    case string(maxLength: Int? = nil)
    case integer
    case number
    case boolean
    /// A time, written the way the vendor wants it.
    case timestamp(TimestampOutputFormat)
    /// A string from a fixed set (case-sensitive).
    case enumeration([String])
    /// A nested object with its own schema (`RecordSchema.propertyBag` for free-form).
    case object(RecordSchema)
    /// A JSON array of one item type, with an optional maximum count.
    case array(FieldType, maxItems: Int? = nil)
    /// Any JSON value.
    case any

    /// A short human name: `string`, `integer`, `timestamp (epoch seconds)`, `one of a|b`, ...
    public var displayName: String {
        switch self {
        case .string(let maxLength): return maxLength.map { "string (at most \($0) characters)" } ?? "string"
        case .integer: return "integer"
        case .number: return "number"
        case .boolean: return "boolean"
        case .timestamp(let format): return "timestamp (\(format.displayName))"
        case .enumeration(let values): return "one of " + values.joined(separator: " | ")
        case .object(let schema):
            return schema.fields.isEmpty && schema.allowsOtherMembers ? "object (free-form properties)" : "object"
        case .array(let item, let maxItems):
            return "array of \(item.displayName)" + (maxItems.map { ", at most \($0)" } ?? "")
        case .any: return "any JSON value"
        }
    }

    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }
}

extension TimestampOutputFormat {
    public var displayName: String {
        switch self {
        case .epochSeconds: return "epoch seconds, integer"
        case .epochMilliseconds: return "epoch milliseconds, integer"
        case .iso8601UTC: return "ISO-8601 UTC string, e.g. 2024-01-31T09:30:00Z"
        case .rfc3339: return "RFC 3339 string with offset, e.g. 2024-01-31T15:00:00+05:30"
        }
    }
}

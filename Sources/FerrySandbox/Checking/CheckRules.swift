import FerryCore
import FerryMapping

/// A record schema compiled for checking many records: only what the checks read, with nested
/// schemas behind class references, so walking a record's fields copies no `FieldSchema`
/// (each copy retains its name, summary and boxed type; per field of every record, that was a
/// tenth of the sandbox's time under load).
final class ObjectRule: Sendable {
    let fields: [FieldRule]
    let allowsOtherMembers: Bool
    let atLeastOneOf: [[String]]

    init(_ schema: RecordSchema) {
        fields = schema.fields.map(FieldRule.init)
        allowsOtherMembers = schema.allowsOtherMembers
        atLeastOneOf = schema.atLeastOneOf
    }

    func knows(_ name: String) -> Bool {
        fields.contains { $0.name == name }
    }
}

struct FieldRule: Sendable {
    let name: String
    let required: Bool
    let nullable: Bool
    let type: TypeRule

    init(_ field: FieldSchema) {
        name = field.name
        required = field.required
        nullable = field.nullable
        type = TypeRule(field.type)
    }
}

/// `FieldType` without its boxes: the payloads that need memory are one reference each.
enum TypeRule: Sendable {
    case any
    case string(maxLength: Int?)
    case integer
    case number
    case boolean
    case timestamp(TimestampOutputFormat)
    case enumeration([String])
    case object(ObjectRule)
    case array(ArrayRule)

    init(_ type: FieldType) {
        switch type {
        case .any: self = .any
        case .string(let maxLength): self = .string(maxLength: maxLength)
        case .integer: self = .integer
        case .number: self = .number
        case .boolean: self = .boolean
        case .timestamp(let format): self = .timestamp(format)
        case .enumeration(let allowed): self = .enumeration(allowed)
        case .object(let schema): self = .object(ObjectRule(schema))
        case .array(let item, let maxItems): self = .array(ArrayRule(item: TypeRule(item), maxItems: maxItems))
        }
    }
}

final class ArrayRule: Sendable {
    let item: TypeRule
    let maxItems: Int?

    init(item: TypeRule, maxItems: Int?) {
        self.item = item
        self.maxItems = maxItems
    }
}

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
    /// For `AcceptanceScanner`: bit `k` stands for `fields[k]`. Nil when the scanner cannot
    /// stand in for the checker here (more than 64 fields, or a group naming a field the
    /// schema does not list).
    let masks: Masks?
    /// Per field, for `AcceptanceScanner`: its type, and whether it may be null (present as
    /// `null`: not required and nullable), apart from `fields` so that scanning a member
    /// copies no `FieldRule` (each copy retained its name, its bytes and its type).
    let types: [TypeRule]
    let nullAllowed: [Bool]
    /// Each field's name as two words and a length, for `index(ofName:readable:)`.
    private let nameKeys: [NameKey]

    /// A field's name for matching: its first eight bytes and bytes 8 to 15 as little-endian
    /// words (zero past its end), and its length. Every name of up to sixteen bytes is
    /// matched by these alone.
    private struct NameKey {
        let head: UInt64
        let second: UInt64
        let count: Int
        /// Printable ASCII without `"` or `\`: a JSON key whose bytes are the name's is then
        /// the name, as the scanner reads keys (`nameLength(_:at:readable:)`).
        let plain: Bool
    }

    struct Masks: Sendable {
        let required: UInt64
        /// One mask per `atLeastOneOf` group.
        let groups: [UInt64]
    }

    init(_ schema: RecordSchema) {
        fields = schema.fields.map(FieldRule.init)
        allowsOtherMembers = schema.allowsOtherMembers
        atLeastOneOf = schema.atLeastOneOf
        masks = Self.masks(fields, atLeastOneOf)
        types = fields.map(\.type)
        nullAllowed = fields.map { !$0.required && $0.nullable }
        nameKeys = fields.map { field in
            field.nameBytes.withUnsafeBufferPointer { bytes in
                NameKey(head: ByteSearch.head(bytes.baseAddress, count: bytes.count),
                        second: bytes.count > 8 ? ByteSearch.head(bytes.baseAddress.map { $0 + 8 }, count: bytes.count - 8) : 0,
                        count: bytes.count,
                        plain: !bytes.isEmpty && bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
            }
        }
    }

    private static func masks(_ fields: [FieldRule], _ groups: [[String]]) -> Masks? {
        guard fields.count <= 64 else { return nil }
        var required: UInt64 = 0
        for (k, field) in fields.enumerated() where field.required { required |= 1 << UInt64(k) }
        var groupMasks: [UInt64] = []
        for group in groups {
            var mask: UInt64 = 0
            for name in group {
                guard let k = fields.firstIndex(where: { $0.name == name }) else { return nil }
                mask |= 1 << UInt64(k)
            }
            groupMasks.append(mask)
        }
        return Masks(required: required, groups: groupMasks)
    }

    /// The index of the field whose name is these UTF-8 bytes. `readable` bytes from the
    /// name's start may be read (at least its count): inside a request body, the name's first
    /// two words are then loaded whole and masked to its length (`ByteSearch.head`), instead of
    /// being put together byte by byte.
    func index(ofName name: UnsafeBufferPointer<UInt8>, readable: Int) -> Int? {
        guard let base = name.baseAddress else { return fields.firstIndex { $0.nameBytes.isEmpty } }
        let count = name.count
        let head = ByteSearch.head(base, count: count, readable: readable)
        let second = count > 8 ? ByteSearch.head(base + 8, count: count - 8, readable: readable - 8) : 0
        return nameKeys.withUnsafeBufferPointer { keys in
            for k in keys.indices where keys[k].head == head && keys[k].count == count && keys[k].second == second {
                if count <= 16 || nameTailMatches(k, base) { return k }
            }
            return nil
        }
    }

    /// The length of field `k`'s name when the bytes at `text` are that name and then the
    /// key's closing quote (so the key is that name), else -1: two words compared in place,
    /// for a key the scanner expects. `readable` bytes may be read from `text`. -1 for a name
    /// that is not `plain`.
    @inline(__always)
    func nameLength(_ k: Int, at text: UnsafePointer<UInt8>, readable: Int) -> Int {
        nameKeys.withUnsafeBufferPointer { keys in
            let key = keys[k]
            let count = key.count
            guard key.plain, readable > count, text[count] == UInt8(ascii: "\""),
                  ByteSearch.head(text, count: count, readable: readable) == key.head else { return -1 }
            if count <= 8 { return count }
            guard ByteSearch.head(text + 8, count: count - 8, readable: readable - 8) == key.second else { return -1 }
            return count <= 16 || nameTailMatches(k, text) ? count : -1
        }
    }

    /// Whether field `k`'s name from its seventeenth byte on is at `text + 16` (the first
    /// sixteen having matched by `NameKey`'s words).
    private func nameTailMatches(_ k: Int, _ text: UnsafePointer<UInt8>) -> Bool {
        fields[k].nameBytes.withUnsafeBufferPointer { bytes in (16..<bytes.count).allSatisfy { bytes[$0] == text[$0] } }
    }

    func knows(_ name: String) -> Bool {
        fields.contains { $0.name == name }
    }
}

struct FieldRule: Sendable {
    let name: String
    let nameBytes: [UInt8]
    let required: Bool
    let nullable: Bool
    let type: TypeRule
    /// What `type` points at (`TypeRule`).
    private let owner: (any AnyObject & Sendable)?

    init(_ field: FieldSchema) {
        name = field.name
        nameBytes = Array(field.name.utf8)
        required = field.required
        nullable = field.nullable
        (type, owner) = TypeRule.make(field.type)
    }
}

/// `FieldType` without its boxes. The payloads that need memory are a reference each, held
/// unretained: reading a field's type (for every member of every record) then costs no retain
/// and release, which on a rule both of the sandbox's threads read was an atomic operation on
/// one cache line from two cores (12-15% of the sandbox's CPU under a Toplyne batch load, where
/// every record's `eventProperties` is an object). The `FieldRule` or `ArrayRule` holding the
/// type keeps what it points at (`make`).
enum TypeRule: @unchecked Sendable {
    case any
    case string(maxLength: Int?)
    case integer
    case number
    case boolean
    case timestamp(TimestampOutputFormat)
    case enumeration(Unmanaged<AllowedNames>)
    case object(Unmanaged<ObjectRule>)
    case array(Unmanaged<ArrayRule>)

    /// The rule for `type`, and the object its payload points at (nil for plain types), which
    /// the caller keeps for as long as the rule is read.
    static func make(_ type: FieldType) -> (rule: TypeRule, owner: (any AnyObject & Sendable)?) {
        switch type {
        case .any: return (.any, nil)
        case .string(let maxLength): return (.string(maxLength: maxLength), nil)
        case .integer: return (.integer, nil)
        case .number: return (.number, nil)
        case .boolean: return (.boolean, nil)
        case .timestamp(let format): return (.timestamp(format), nil)
        case .enumeration(let allowed):
            let names = AllowedNames(allowed)
            return (.enumeration(.passUnretained(names)), names)
        case .object(let schema):
            let rule = ObjectRule(schema)
            return (.object(.passUnretained(rule)), rule)
        case .array(let item, let maxItems):
            let rule = ArrayRule(item: item, maxItems: maxItems)
            return (.array(.passUnretained(rule)), rule)
        }
    }
}

/// An enumeration field's allowed values, behind a reference `TypeRule` holds unretained.
final class AllowedNames: Sendable {
    let names: [String]

    init(_ names: [String]) { self.names = names }
}

final class ArrayRule: Sendable {
    let item: TypeRule
    let maxItems: Int?
    /// What `item` points at.
    private let owner: (any AnyObject & Sendable)?

    init(item: FieldType, maxItems: Int?) {
        (self.item, owner) = TypeRule.make(item)
        self.maxItems = maxItems
    }
}

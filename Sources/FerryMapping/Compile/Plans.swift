import Foundation
import FerryCore

/// The compiled form of a mapping: what to read, how to convert, what to write, checked
/// against the target's schema. Built once by `MappingCompiler`, then bound to each input
/// file's columns (`bind`), then run per row by `RecordMapper`.
public struct CompiledMapping: Sendable {
    public let spec: MappingSpec
    public let schema: RecordSchema
    public let defaultTimestampFormat: TimestampOutputFormat
    public let emptyArrays: EmptyArrayPolicy
    /// Every input column (or NDJSON dotted path) the mapping reads, each once: slot i is columns[i].
    public let columns: [String]
    /// Texts that read as null.
    public let nullValues: [String]
    /// `group_by` columns as slots (empty when rows are not grouped).
    public let groupSlots: [Int]
    public let groupOrder: GroupOrder
    public var isGrouped: Bool { !groupSlots.isEmpty }
    let root: ObjectPlan
    let filters: [FilterPlan]
    /// Warnings found while compiling (the mapping is still usable).
    public let warnings: [MappingDiagnostic]
}

/// How one output object is built. Plans are immutable classes so that running them per
/// row passes references instead of copying their members.
final class ObjectPlan: Sendable {
    let members: [MemberPlan]
    /// Globs over input column names (`prop_*`), with the prefix to strip and the cast.
    let globs: [Glob]
    let stripPrefix: String?
    let globCast: ValueCast?
    /// Dotted path of this object in the output (`eventProperties`), "" at the root.
    let path: String
    let schema: RecordSchema

    init(members: [MemberPlan], globs: [Glob], stripPrefix: String?, globCast: ValueCast?, path: String, schema: RecordSchema) {
        self.members = members
        self.globs = globs
        self.stripPrefix = stripPrefix
        self.globCast = globCast
        self.path = path
        self.schema = schema
    }
}

final class MemberPlan: Sendable {
    let name: String
    /// `"name":` encoded once.
    let encodedKey: [UInt8]
    /// Dotted output path for messages.
    let path: String
    let value: ValuePlan
    /// The type the vendor wants (`.any` inside free-form objects).
    let type: FieldType
    let required: Bool
    let onNull: OnNull
    /// The most items an array of this member's type may hold; -1 for no limit (or not an array).
    let maxItems: Int

    init(name: String, path: String, value: ValuePlan, type: FieldType, required: Bool, onNull: OnNull) {
        self.name = name
        encodedKey = JSONWriter.encodedKey(name)
        self.path = path
        self.value = value
        self.type = type
        self.required = required
        self.onNull = onNull
        if case .array(_, let limit?) = type { maxItems = limit } else { maxItems = -1 }
    }
}

indirect enum ValuePlan: Sendable {
    case leaf(LeafPlan)
    case object(ObjectPlan)
    /// An array with one item per row of the group, each built by the item plan with the
    /// item type the vendor wants.
    case eachRow(item: ValuePlan, itemType: FieldType)
}

/// Aggregates over the rows of a group.
enum AggregatePlan: Sendable {
    case count
    case sum(slot: Int)
    case first(slot: Int)
    case last(slot: Int)
}

enum SourcePlan: Sendable {
    /// Read slot i of `CompiledMapping.columns`.
    case column(slot: Int)
    case constant(ConstantValue)
    case template([TemplatePart])
    case aggregate(AggregatePlan)
}

enum TemplatePart: Sendable {
    case literal(String)
    case slot(Int)
}

final class LeafPlan: Sendable {
    let source: SourcePlan
    /// The input column name for messages (nil for constants and templates).
    let columnName: String?
    let transforms: [TransformSpec]
    let map: [String: ConstantValue]?
    let unmapped: Unmapped
    let cast: ValueCast?
    let separator: String
    let itemCast: ValueCast
    let timestamp: TimestampParser?
    let defaultValue: ConstantValue?
    /// The slot of a plain column leaf (no transform, map, default, cast or time), read as is;
    /// -1 otherwise. Lets the evaluator skip every step for the most common leaf.
    let directSlot: Int

    init(source: SourcePlan, columnName: String?, transforms: [TransformSpec], map: [String: ConstantValue]?,
         unmapped: Unmapped, cast: ValueCast?, separator: String, itemCast: ValueCast,
         timestamp: TimestampParser?, defaultValue: ConstantValue?) {
        self.source = source
        self.columnName = columnName
        self.transforms = transforms
        self.map = map
        self.unmapped = unmapped
        self.cast = cast
        self.separator = separator
        self.itemCast = itemCast
        self.timestamp = timestamp
        self.defaultValue = defaultValue
        if case .column(let slot) = source, transforms.isEmpty, map == nil, defaultValue == nil, cast == nil, timestamp == nil {
            directSlot = slot
        } else {
            directSlot = -1
        }
    }
}

/// A `where:` condition compiled.
struct FilterPlan: Sendable {
    var slot: Int
    var condition: FilterTest
}

enum FilterTest: Sendable {
    case notEmpty(Bool)
    case equals(String, negated: Bool)
    case isIn(Set<String>, negated: Bool)
    case matches(CompiledRegex, negated: Bool)
}

/// NSRegularExpression is immutable and thread-safe once built.
struct CompiledRegex: @unchecked Sendable {
    let pattern: String
    let regex: NSRegularExpression

    func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// A column-name glob: `*` any run of characters, `?` one character.
struct Glob: Sendable {
    let pattern: String
    private let parts: [Character]

    init(_ pattern: String) {
        self.pattern = pattern
        parts = Array(pattern)
    }

    func matches(_ name: String) -> Bool {
        let text = Array(name)
        var p = 0, t = 0
        var star = -1, mark = 0
        while t < text.count {
            if p < parts.count && (parts[p] == "?" || parts[p] == text[t]) {
                p += 1
                t += 1
            } else if p < parts.count && parts[p] == "*" {
                star = p
                mark = t
                p += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < parts.count && parts[p] == "*" { p += 1 }
        return p == parts.count
    }
}

import FerryCore

/// A mapping file as written: what the YAML says, with locations, before it is checked
/// against a target or compiled. Produced by `MappingFileParser`.
public struct MappingSpec: Sendable {
    /// The file's path as given (used in diagnostics).
    public var file: String
    /// `target: toplyne.user_events`
    public var target: Located<String>
    public var source: SourceSpec
    /// `where:` conditions, all of which must hold for a row to be used.
    public var filters: [FilterSpec]
    /// `group_by: [order_id]`: consecutive rows with the same key form one record.
    public var groupBy: Located<[String]>?
    /// `group_order: consecutive | any`.
    public var groupOrder: Located<GroupOrder>?
    /// The output record: `fields:` at the top level (and `columns:` / `strip_prefix:` if given there).
    public var root: ObjectSpec

    public init(file: String, target: Located<String>, source: SourceSpec = SourceSpec(), filters: [FilterSpec] = [],
                groupBy: Located<[String]>? = nil, groupOrder: Located<GroupOrder>? = nil, root: ObjectSpec) {
        self.file = file
        self.target = target
        self.source = source
        self.filters = filters
        self.groupBy = groupBy
        self.groupOrder = groupOrder
        self.root = root
    }
}

public enum GroupOrder: String, Sendable, CaseIterable {
    /// Rows of a group are consecutive (the input is sorted by the key); a key that comes back is an error.
    case consecutive
    /// Groups may be spread over the input; they are collected in bounded memory.
    case any
}

/// `source:` options. Every member is optional: defaults come from the file name and content.
public struct SourceSpec: Sendable {
    public var location: MappingLocation = .unknown
    public var format: Located<InputFormat>?
    public var delimiter: Located<UInt8>?
    /// `quote: none` is `Located(nil)`.
    public var quote: Located<UInt8?>?
    public var header: Located<Bool>?
    public var columns: Located<[String]>?
    /// Texts read as null (CSV fields, and NDJSON string values). Default: `DefaultNullValues`.
    public var nullValues: Located<[String]>?

    public init() {}

    /// The texts read as null when `null_values` is not given: an empty field only.
    public static let defaultNullValues = [""]
}

/// One `where:` entry: `{ column: country, in: [US, CA] }`.
public struct FilterSpec: Sendable {
    public var location: MappingLocation
    public var column: Located<String>
    public var condition: FilterCondition

    public init(location: MappingLocation, column: Located<String>, condition: FilterCondition) {
        self.location = location
        self.column = column
        self.condition = condition
    }
}

public enum FilterCondition: Sendable, Equatable {
    /// `not_empty: true` keeps rows whose value is present and not null/empty; `not_empty: false` keeps the empty ones.
    case notEmpty(Bool)
    case equals(String)
    case notEquals(String)
    case isIn([String])
    case notIn([String])
    /// A regular expression that must match somewhere in the value (anchor it with ^ and $ for the whole value).
    case matches(String)
    case notMatches(String)
}

/// A node under `fields:`: a leaf value, or a nested object.
public indirect enum FieldSpec: Sendable {
    case leaf(LeafSpec)
    case object(ObjectSpec)
    /// An array built from the rows of a group: `{ each_row: { ...object or leaf... } }` (needs `group_by`).
    case eachRow(EachRowSpec)
}

/// An output object: named `fields`, and/or every input column matching `columns` globs.
public struct ObjectSpec: Sendable {
    public var location: MappingLocation
    /// Output members in the order written.
    public var fields: [NamedField]
    /// `columns: "prop_*"` or a list of globs (`*` any run, `?` one character).
    public var columns: Located<[String]>?
    /// `strip_prefix: "prop_"`: removed from the names of glob-matched columns.
    public var stripPrefix: Located<String>?
    /// `type:` applied to glob-matched values (default string).
    public var columnsType: Located<ValueCast>?

    public init(location: MappingLocation, fields: [NamedField] = [], columns: Located<[String]>? = nil,
                stripPrefix: Located<String>? = nil, columnsType: Located<ValueCast>? = nil) {
        self.location = location
        self.fields = fields
        self.columns = columns
        self.stripPrefix = stripPrefix
        self.columnsType = columnsType
    }
}

public struct NamedField: Sendable {
    /// The output name (the vendor's field name).
    public var name: String
    /// Where the name is written.
    public var location: MappingLocation
    public var spec: FieldSpec

    public init(name: String, location: MappingLocation, spec: FieldSpec) {
        self.name = name
        self.location = location
        self.spec = spec
    }
}

public struct EachRowSpec: Sendable {
    public var location: MappingLocation
    /// What each row of the group contributes to the array.
    public var item: FieldSpec

    public init(location: MappingLocation, item: FieldSpec) {
        self.location = location
        self.item = item
    }
}

/// Where a leaf's value comes from.
public enum LeafSource: Sendable, Equatable {
    /// A CSV column name, or an NDJSON dotted path.
    case column(String)
    /// A constant.
    case value(ConstantValue)
    /// `"{first} {last}"`: `{name}` is a column or dotted path; `{{` and `}}` are literal braces.
    case template(String)
    /// A non-secret environment variable, read once when the mapping is compiled.
    case env(String)
    /// Aggregates over a group's rows (header fields of grouped records).
    case aggregate(Aggregate)
}

public enum Aggregate: Sendable, Equatable {
    /// Rows in the group.
    case count
    /// Sum of a column over the group's rows (as numbers).
    case sum(String)
    /// The column's value in the group's first / last row.
    case first(String)
    case last(String)
}

/// A constant written in YAML (`value:`, `default:`, `map:` results).
public enum ConstantValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
}

/// `type:` of a leaf.
public enum ValueCast: String, Sendable, CaseIterable {
    case string
    case int
    case float
    /// true/false, yes/no, y/n, t/f, 1/0, on/off (case-insensitive).
    case bool
    /// The text is JSON and is sent as the parsed value.
    case json
    /// The text is split on `separator` (default ",") into an array of `item_type` (default string).
    case array
}

/// `on_null:` what to do when a value is null after `default`.
public enum OnNull: String, Sendable, CaseIterable {
    /// Leave the member out (the default for optional fields).
    case omit
    /// Send an explicit JSON null (for vendors where null means "remove").
    case null
    /// The row is invalid.
    case error
}

/// `unmapped:` what `map:` does with a value it has no entry for.
public enum Unmapped: String, Sendable, CaseIterable {
    /// Pass the value through unchanged (default).
    case keep
    case null
    case error
}

/// One step of `transform:`.
public enum TransformSpec: Sendable, Equatable {
    case trim
    case lower
    case upper
    /// First letter of each word upper-case, the rest lower-case.
    case title
    /// Runs of white space become one space; ends trimmed.
    case collapseWhitespace
    /// Keeps only the digits 0-9 (phone numbers).
    case digitsOnly
    /// Keeps at most N characters.
    case truncate(Int)
    case prefix(String)
    case suffix(String)
    /// Every occurrence of `from` becomes `to`.
    case replace(from: String, to: String)
    /// An empty result (after the steps before it) becomes null.
    case nullIfEmpty
}

/// A leaf: one output value.
public struct LeafSpec: Sendable {
    public var location: MappingLocation
    public var source: Located<LeafSource>
    public var type: Located<ValueCast>?
    /// For `type: array`.
    public var separator: Located<String>?
    /// For `type: array`: the cast of each item (default string).
    public var itemType: Located<ValueCast>?
    /// How the source writes a time: `iso8601`, `epoch_s`, ... or a pattern.
    public var timestamp: Located<String>?
    /// IANA zone for times without an offset.
    public var timezone: Located<String>?
    public var transforms: [Located<TransformSpec>]
    public var map: Located<[(key: String, value: ConstantValue)]>?
    public var unmapped: Located<Unmapped>?
    public var defaultValue: Located<ConstantValue>?
    public var required: Located<Bool>?
    public var onNull: Located<OnNull>?

    public init(location: MappingLocation, source: Located<LeafSource>) {
        self.location = location
        self.source = source
        self.transforms = []
    }
}

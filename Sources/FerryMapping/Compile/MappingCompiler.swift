import Foundation
import FerryCore

/// Checks a parsed mapping against a target's record schema and compiles it into a plan.
/// Reports every problem it finds, each at its YAML line and column.
public enum MappingCompiler {
    /// Environment variables whose names suggest a secret are refused by `env:`: secrets
    /// belong in the target's credential variable, never in request bodies or mappings.
    static let secretWords = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "APIKEY", "API_KEY", "PRIVATE", "CREDENTIAL"]

    public static func compile(_ spec: MappingSpec, schema: RecordSchema,
                               defaultTimestampFormat: TimestampOutputFormat,
                               emptyArrays: EmptyArrayPolicy = .allow,
                               environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(MappingError) -> CompiledMapping
    {
        let compiler = Compiler(spec: spec, environment: environment)
        let root = compiler.object(spec.root, schema: schema, path: "")
        let filters = spec.filters.compactMap(compiler.filter)
        compiler.checkGrouping()
        let groupSlots = (spec.groupBy?.value ?? []).map(compiler.slot(for:))
        let errors = compiler.diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            throw MappingError(compiler.diagnostics.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) })
        }
        return CompiledMapping(spec: spec, schema: schema, defaultTimestampFormat: defaultTimestampFormat,
                               emptyArrays: emptyArrays,
                               columns: compiler.columns,
                               nullValues: spec.source.nullValues?.value ?? SourceSpec.defaultNullValues,
                               groupSlots: groupSlots, groupOrder: spec.groupOrder?.value ?? .consecutive,
                               root: root, filters: filters,
                               warnings: compiler.diagnostics.filter { $0.severity == .warning })
    }
}

/// The state of one compilation.
private final class Compiler {
    let spec: MappingSpec
    let environment: [String: String]
    var diagnostics: [MappingDiagnostic] = []
    var columns: [String] = []
    var slots: [String: Int] = [:]
    var eachRowLocations: [MappingLocation] = []
    var aggregateLocations: [MappingLocation] = []

    init(spec: MappingSpec, environment: [String: String]) {
        self.spec = spec
        self.environment = environment
    }

    func error(_ location: MappingLocation, _ message: String) {
        diagnostics.append(MappingDiagnostic(.error, file: spec.file, at: location, message))
    }

    func warning(_ location: MappingLocation, _ message: String) {
        diagnostics.append(MappingDiagnostic(.warning, file: spec.file, at: location, message))
    }

    func slot(for column: String) -> Int {
        if let existing = slots[column] { return existing }
        let index = columns.count
        columns.append(column)
        slots[column] = index
        return index
    }

    // MARK: Objects

    func object(_ object: ObjectSpec, schema: RecordSchema, path: String) -> ObjectPlan {
        var members: [MemberPlan] = []
        var seen: Set<String> = []
        let known = schema.fields.map(\.name)
        for field in object.fields {
            let memberPath = path.isEmpty ? field.name : path + "." + field.name
            if !seen.insert(field.name).inserted {
                error(field.location, "field '\(memberPath)' is mapped twice")
                continue
            }
            let fieldSchema = schema.field(named: field.name)
            if fieldSchema == nil && !schema.allowsOtherMembers {
                var message = "the target has no field '\(memberPath)'"
                if let suggestion = Suggestions.closest(to: field.name, in: known) {
                    message += "; did you mean '\(suggestion)'?"
                } else {
                    message += "; its fields here are: " + known.joined(separator: ", ")
                }
                error(field.location, message)
                continue
            }
            let type = fieldSchema?.type ?? .any
            if let plan = member(field, path: memberPath, type: type, schema: fieldSchema) {
                members.append(plan)
            }
        }
        for group in schema.atLeastOneOf where !group.contains(where: seen.contains) {
            error(object.location, "the target needs at least one of \(group.joined(separator: ", ")); map one or more of them under fields:")
        }
        for required in schema.requiredFields where !seen.contains(required.name) {
            let memberPath = path.isEmpty ? required.name : path + "." + required.name
            error(object.location, "the target requires '\(memberPath)' (\(required.type.displayName)); map it under fields:")
        }
        var globs: [Glob] = []
        if let columns = object.columns {
            if !schema.allowsOtherMembers {
                error(columns.location, "columns: collects arbitrary columns, so it only fits free-form objects (such as eventProperties), not '\(path.isEmpty ? "the record" : path)'")
            }
            globs = columns.value.map(Glob.init)
        }
        return ObjectPlan(members: members, globs: globs, stripPrefix: object.stripPrefix?.value,
                          globCast: object.columnsType?.value, path: path, schema: schema)
    }

    func member(_ field: NamedField, path: String, type: FieldType, schema: FieldSchema?) -> MemberPlan? {
        switch field.spec {
        case .object(let nested):
            let nestedSchema: RecordSchema
            switch type {
            case .object(let s): nestedSchema = s
            case .any: nestedSchema = .propertyBag
            default:
                error(field.location, "'\(path)' is \(type.displayName), not an object; map it to a single column or value")
                return nil
            }
            let plan = object(nested, schema: nestedSchema, path: path)
            return MemberPlan(name: field.name, path: path, value: .object(plan), type: type,
                              required: schema?.required ?? false, onNull: .omit)
        case .eachRow(let eachRow):
            eachRowLocations.append(eachRow.location)
            let itemType: FieldType
            switch type {
            case .array(let item, _): itemType = item
            case .any: itemType = .any
            default:
                error(eachRow.location, "'\(path)' is \(type.displayName), but each_row builds a list")
                return nil
            }
            let item: ValuePlan
            switch eachRow.item {
            case .leaf(let leaf):
                guard let plan = self.leaf(leaf, path: path + "[]", type: itemType) else { return nil }
                item = .leaf(plan)
            case .object(let nested):
                let itemSchema: RecordSchema
                switch itemType {
                case .object(let s): itemSchema = s
                case .any: itemSchema = .propertyBag
                default:
                    error(eachRow.location, "the items of '\(path)' are \(itemType.displayName), not objects")
                    return nil
                }
                item = .object(object(nested, schema: itemSchema, path: path + "[]"))
            case .eachRow(let inner):
                error(inner.location, "each_row cannot hold another each_row")
                return nil
            }
            return MemberPlan(name: field.name, path: path, value: .eachRow(item: item, itemType: itemType), type: type,
                              required: schema?.required ?? false, onNull: .omit)
        case .leaf(let leaf):
            guard let plan = self.leaf(leaf, path: path, type: type) else { return nil }
            var required = schema?.required ?? false
            if let flag = leaf.required {
                if flag.value { required = true } else if required {
                    error(flag.location, "the target requires '\(path)'; required: false cannot relax that")
                }
            }
            let onNull = leaf.onNull?.value ?? .omit
            if let onNullSpec = leaf.onNull {
                if required && onNull != .error {
                    warning(onNullSpec.location, "'\(path)' is required, so an empty value is always an error; on_null has no effect")
                }
                if onNull == .null, let schema, !schema.nullable {
                    error(onNullSpec.location, "the target does not accept null for '\(path)'; use on_null: omit or error")
                }
            }
            return MemberPlan(name: field.name, path: path, value: .leaf(plan), type: type,
                              required: required, onNull: onNull)
        }
    }

    // MARK: Leaves

    func leaf(_ leaf: LeafSpec, path: String, type: FieldType) -> LeafPlan? {
        var ok = true
        let source: SourcePlan
        var columnName: String?
        switch leaf.source.value {
        case .column(let name):
            if name.isEmpty {
                error(leaf.source.location, "the column name is empty")
                ok = false
            }
            source = .column(slot: slot(for: name))
            columnName = name
        case .value(let constant):
            source = .constant(constant)
        case .template(let text):
            if let parts = template(text, at: leaf.source.location) {
                source = .template(parts)
            } else {
                ok = false
                source = .constant(.null)
            }
        case .env(let name):
            let upper = name.uppercased()
            if MappingCompiler.secretWords.contains(where: { upper.contains($0) }) {
                error(leaf.source.location, "env: \(name) looks like a secret; mappings may only read non-secret variables (credentials come from the target's own variable)")
                ok = false
                source = .constant(.null)
            } else if let value = environment[name] {
                source = .constant(.string(value))
            } else {
                error(leaf.source.location, "environment variable \(name) is not set")
                ok = false
                source = .constant(.null)
            }
        case .aggregate(let aggregate):
            aggregateLocations.append(leaf.source.location)
            switch aggregate {
            case .count: source = .aggregate(.count)
            case .sum(let column): source = .aggregate(.sum(slot: slot(for: column)))
            case .first(let column): source = .aggregate(.first(slot: slot(for: column)))
            case .last(let column): source = .aggregate(.last(slot: slot(for: column)))
            }
        }

        var parser: TimestampParser?
        if let stamp = leaf.timestamp {
            do throws(TimestampFormatError) {
                let format = try TimestampInputFormat(spec: stamp.value)
                var zone: TimeZoneRules?
                if let tz = leaf.timezone {
                    do throws(TimestampFormatError) {
                        zone = try TimeZoneRules.named(tz.value)
                    } catch {
                        self.error(tz.location, error.message)
                        ok = false
                    }
                }
                parser = TimestampParser(format: format, timeZone: zone)
            } catch {
                self.error(stamp.location, "timestamp: \(error.message)")
                ok = false
            }
        } else if let tz = leaf.timezone {
            warning(tz.location, "timezone only applies together with timestamp:; it is ignored here")
        }

        let cast = leaf.type?.value
        if !checkCompatibility(leaf, path: path, type: type, hasTimestamp: leaf.timestamp != nil) { ok = false }

        var map: [String: ConstantValue]?
        if let entries = leaf.map {
            var table: [String: ConstantValue] = [:]
            for entry in entries.value where table[entry.key] == nil { table[entry.key] = entry.value }
            map = table
        }
        if let defaultValue = leaf.defaultValue, !constantFits(defaultValue.value, type) {
            error(defaultValue.location, "default \(describe(defaultValue.value)) is not a valid \(type.displayName) for '\(path)'")
            ok = false
        }
        guard ok else { return nil }
        return LeafPlan(source: source, columnName: columnName, transforms: leaf.transforms.map(\.value), map: map,
                        unmapped: leaf.unmapped?.value ?? .keep, cast: cast,
                        separator: leaf.separator?.value ?? ",", itemCast: leaf.itemType?.value ?? .string,
                        timestamp: parser, defaultValue: leaf.defaultValue?.value)
    }

    /// Whether the leaf can produce the vendor's type; reports why not.
    func checkCompatibility(_ leaf: LeafSpec, path: String, type: FieldType, hasTimestamp: Bool) -> Bool {
        let cast = leaf.type?.value
        let at = leaf.type?.location ?? leaf.location
        func refuse(_ reason: String) -> Bool {
            error(at, "'\(path)' must be \(type.displayName): \(reason)")
            return false
        }
        if hasTimestamp, let cast, cast != .string {
            return refuse("use either timestamp: or type: \(cast.rawValue), not both")
        }
        switch type {
        case .timestamp:
            if !hasTimestamp {
                error(leaf.location, "'\(path)' is \(type.displayName): say how the source writes the time with timestamp: (iso8601, epoch_s, epoch_ms, epoch_us, epoch_auto, or a pattern such as \"M/d/yyyy H:mm\")")
                return false
            }
            return true
        case .string, .enumeration:
            if cast == .json || cast == .array { return refuse("type: \(cast?.rawValue ?? "") produces structured values") }
            return true
        case .integer, .number:
            if cast == .bool || cast == .json || cast == .array { return refuse("type: \(cast?.rawValue ?? "") cannot produce a number") }
            return true
        case .boolean:
            if hasTimestamp { return refuse("a time cannot be a boolean") }
            if cast == .float || cast == .json || cast == .array { return refuse("type: \(cast?.rawValue ?? "") cannot produce true/false") }
            return true
        case .object:
            if cast == .json { return true }
            error(leaf.location, "'\(path)' is an object: give it fields: (and/or columns: \"prefix_*\"), or type: json for a column that holds a JSON object")
            return false
        case .array:
            if cast == .array || cast == .json { return true }
            error(leaf.location, "'\(path)' is \(type.displayName): use type: array with separator:, or type: json")
            return false
        case .any:
            return true
        }
    }

    func constantFits(_ value: ConstantValue, _ type: FieldType) -> Bool {
        switch (value, type) {
        case (.null, _), (_, .any): return true
        case (.int, .integer), (.int, .number), (.double, .number): return true
        case (.string(let s), .integer): return Int64(s) != nil
        case (.string(let s), .number): return Double(s) != nil
        case (.bool, .boolean): return true
        case (.string(let s), .boolean): return BooleanText.parse(s) != nil
        case (.string(let s), .enumeration(let allowed)): return allowed.contains(s)
        case (_, .enumeration): return false
        case (.string, .string), (.int, .string), (.double, .string), (.bool, .string): return true
        case (.int, .timestamp), (.string, .timestamp), (.double, .timestamp): return true
        default: return false
        }
    }

    func describe(_ value: ConstantValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .string(let s): return "\"\(s)\""
        }
    }

    /// `{first} {last}` into parts; `{{` and `}}` are literal braces.
    func template(_ text: String, at location: MappingLocation) -> [TemplatePart]? {
        var parts: [TemplatePart] = []
        var literal = ""
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if c == "{" {
                if chars.first == "{" {
                    chars.removeFirst()
                    literal.append("{")
                    continue
                }
                guard let close = chars.firstIndex(of: "}") else {
                    error(location, "template \"\(text)\" has a { without a closing }")
                    return nil
                }
                let name = String(chars[chars.startIndex..<close]).trimmingCharacters(in: .whitespaces)
                if name.isEmpty {
                    error(location, "template \"\(text)\" has an empty {}")
                    return nil
                }
                if !literal.isEmpty {
                    parts.append(.literal(literal))
                    literal = ""
                }
                parts.append(.slot(slot(for: name)))
                chars = chars[(close + 1)...]
            } else if c == "}" {
                if chars.first == "}" { chars.removeFirst() }
                literal.append("}")
            } else {
                literal.append(c)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        if !parts.contains(where: { if case .slot = $0 { return true } else { return false } }) {
            warning(location, "template \"\(text)\" names no column; use value: for a constant")
        }
        return parts
    }

    // MARK: Filters and grouping

    func filter(_ filter: FilterSpec) -> FilterPlan? {
        let slot = slot(for: filter.column.value)
        switch filter.condition {
        case .notEmpty(let flag): return FilterPlan(slot: slot, condition: .notEmpty(flag))
        case .equals(let v): return FilterPlan(slot: slot, condition: .equals(v, negated: false))
        case .notEquals(let v): return FilterPlan(slot: slot, condition: .equals(v, negated: true))
        case .isIn(let values): return FilterPlan(slot: slot, condition: .isIn(Set(values), negated: false))
        case .notIn(let values): return FilterPlan(slot: slot, condition: .isIn(Set(values), negated: true))
        case .matches(let pattern), .notMatches(let pattern):
            let negated: Bool
            if case .notMatches = filter.condition { negated = true } else { negated = false }
            do {
                let regex = try NSRegularExpression(pattern: pattern)
                return FilterPlan(slot: slot, condition: .matches(CompiledRegex(pattern: pattern, regex: regex), negated: negated))
            } catch {
                self.error(filter.location, "invalid regular expression \"\(pattern)\"")
                return nil
            }
        }
    }

    func checkGrouping() {
        if let groupBy = spec.groupBy {
            if eachRowLocations.isEmpty {
                error(groupBy.location, "group_by needs an array field built with each_row:; without one, use no group_by")
            }
            if groupBy.value.isEmpty { error(groupBy.location, "group_by names no column") }
        } else {
            for location in eachRowLocations {
                error(location, "each_row builds an array from the rows of a group; add group_by: [key columns] at the top level")
            }
            for location in aggregateLocations {
                error(location, "count/sum/first/last need group_by: at the top level")
            }
        }
        if let order = spec.groupOrder, spec.groupBy == nil {
            error(order.location, "group_order only applies with group_by")
        }
    }
}

/// Boolean spellings accepted by `type: bool` and boolean fields.
enum BooleanText {
    static func parse(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "t", "yes", "y", "1", "on": return true
        case "false", "f", "no", "n", "0", "off": return false
        default: return nil
        }
    }
}

import Yams

extension SpecReader {
    static let leafSourceKeys = ["column", "value", "template", "env", "count", "sum", "first", "last"]
    static let leafOptionKeys = ["type", "separator", "item_type", "timestamp", "timezone", "transform", "map",
                                 "unmapped", "default", "required", "on_null"]
    static let objectKeys = ["fields", "columns", "strip_prefix", "type"]

    /// The members of an object: `fields:`, `columns:`, `strip_prefix:` and (nested only) `type:`.
    /// Unknown keys are the caller's to report.
    mutating func readObject(_ map: YAMLMap, path: String?, context: String, inEachRow: Bool,
                             allowsType: Bool) -> ObjectSpec {
        var object = ObjectSpec(location: map.location)
        if let entry = map["fields"] {
            object.fields = readFields(entry.value, parent: path, inEachRow: inEachRow)
        }
        if let entry = map["columns"] {
            object.columns = names(entry.value, "'columns'", allowSingle: true)
        }
        if let entry = map["strip_prefix"] {
            if map["columns"] == nil {
                error("'strip_prefix' applies to the columns matched by 'columns', and \(context) has none",
                      at: entry.keyLocation)
            } else {
                object.stripPrefix = name(entry.value, "'strip_prefix'")
            }
        }
        if allowsType, let entry = map["type"] {
            if map["columns"] == nil {
                error("'type' of an object applies to the columns matched by 'columns', and \(context) has none; "
                      + "give each field its own type", at: entry.keyLocation)
            } else {
                object.columnsType = readCast(entry.value, "type")
            }
        }
        return object
    }

    /// `fields:`: output names to nodes, in the order written.
    mutating func readFields(_ node: Node, parent: String?, inEachRow: Bool) -> [NamedField] {
        let context = parent.map { "'fields' of field '\($0)'" } ?? "'fields'"
        if node.isPlainNull {
            error("\(context) is empty; list the output fields under it", at: node.sourceLocation)
            return []
        }
        guard let map = map(node, context) else { return [] }
        var fields: [NamedField] = []
        for entry in map.entries {
            if entry.key.isEmpty {
                error("a field name cannot be empty", at: entry.keyLocation)
                continue
            }
            let path = parent.map { "\($0).\(entry.key)" } ?? entry.key
            if let spec = readField(entry.value, path: path, inEachRow: inEachRow) {
                fields.append(NamedField(name: entry.key, location: entry.keyLocation, spec: spec))
            }
        }
        return fields
    }

    /// One node under `fields:` (or under `each_row:`).
    mutating func readField(_ node: Node, path: String, inEachRow: Bool) -> FieldSpec? {
        let context = "field '\(path)'"
        switch node {
        case .scalar(let scalar):
            let isText = !scalar.isPlainUntagged || CoreSchema.resolve(scalar.string) == .string
            if isText && !scalar.string.isEmpty {
                let location = node.sourceLocation
                return .leaf(LeafSpec(location: location, source: Located(.column(scalar.string), at: location)))
            }
            let hint = scalar.string.isEmpty || !scalar.isPlainUntagged ? "" : "; quote it if it is a column name"
            error(Self.fieldForms(context, found: node.kindDescription) + hint, at: node.sourceLocation)
            return nil
        case .mapping:
            guard let map = map(node, context) else { return nil }
            if map.contains("each_row") {
                return readEachRow(map, path: path, inEachRow: inEachRow)
            }
            if !map.entries(in: Self.leafSourceKeys).isEmpty {
                return readLeaf(map, path: path, inEachRow: inEachRow).map { .leaf($0) }
            }
            if !map.entries(in: ["fields", "columns", "strip_prefix"]).isEmpty {
                rejectUnknownKeys(map, allowed: Self.objectKeys, in: context)
                return .object(readObject(map, path: path, context: context, inEachRow: inEachRow, allowsType: true))
            }
            let allKeys = Self.leafSourceKeys + Self.leafOptionKeys + Self.objectKeys.filter { $0 != "type" } + ["each_row"]
            if rejectUnknownKeys(map, allowed: allKeys, in: context).count == 0 {
                error("\(context) has no source; give one of " + Self.leafSourceKeys.joined(separator: ", ")
                      + " (or 'fields'/'columns' for an object)", at: map.location)
            }
            return nil
        default:
            error(Self.fieldForms(context, found: node.kindDescription), at: node.sourceLocation)
            return nil
        }
    }

    static func fieldForms(_ context: String, found: String) -> String {
        "\(context) must be a column name, a mapping with one source ("
            + leafSourceKeys.joined(separator: ", ")
            + "), an object with 'fields' and/or 'columns', or a mapping with 'each_row'; found \(found)"
    }

    /// `{ each_row: node }`: an array with one item per row of the group.
    private mutating func readEachRow(_ map: YAMLMap, path: String, inEachRow: Bool) -> FieldSpec? {
        guard let entry = map["each_row"] else { return nil }
        for other in map.entries where other.key != "each_row" {
            error("'each_row' must be the only key of field '\(path)'; move '\(other.key)' inside it",
                  at: other.keyLocation)
        }
        if inEachRow {
            error("'each_row' cannot be nested inside another 'each_row'", at: entry.keyLocation)
            return nil
        }
        groupedUses.append((key: "each_row", location: entry.keyLocation))
        guard let item = readField(entry.value, path: path + "[]", inEachRow: true) else { return nil }
        return .eachRow(EachRowSpec(location: map.location, item: item))
    }
}

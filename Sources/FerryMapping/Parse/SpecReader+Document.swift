import FerryCore
import Yams

extension SpecReader {
    static let topLevelKeys = ["target", "source", "where", "group_by", "group_order", "fields", "columns",
                               "strip_prefix", "description"]
    static let sourceKeys = ["format", "delimiter", "quote", "header", "columns", "null_values"]
    static let conditionKeys = ["not_empty", "equals", "not_equals", "in", "not_in", "matches", "not_matches"]

    /// The whole file; nil when any diagnostic was reported.
    mutating func readDocument(_ root: Node?) -> MappingSpec? {
        guard let root else {
            error("the mapping file is empty; it needs at least 'target' and 'fields'", at: MappingLocation(line: 1, column: 1))
            return nil
        }
        guard case .mapping = root else {
            error("a mapping file is a YAML mapping with 'target', 'source', 'where' and 'fields'; found \(root.kindDescription)",
                  at: root.sourceLocation)
            return nil
        }
        guard let map = map(root, "the mapping") else { return nil }
        let unknown = rejectUnknownKeys(map, allowed: Self.topLevelKeys, in: "the mapping")

        var target: Located<String>?
        if let entry = map["target"] {
            target = name(entry.value, "'target'")
        } else if !unknown.suggested.contains("target") {
            error("the mapping has no 'target'; name the vendor target, such as target: toplyne.user_events",
                  at: map.location)
        }
        let source = map["source"].map { readSource($0.value) } ?? SourceSpec()
        let filters = map["where"].map { readWhere($0.value) } ?? []
        let groupBy = map["group_by"].flatMap { names($0.value, "'group_by'", allowSingle: true) }
        var groupOrder: Located<GroupOrder>?
        if let entry = map["group_order"] {
            groupOrder = choice(entry.value, "'group_order' value", GroupOrder.allCases.map { ($0.rawValue, $0) })
            if map["group_by"] == nil {
                error("'group_order' needs 'group_by'", at: entry.keyLocation)
            }
        }

        if map["fields"] == nil && map["columns"] == nil && unknown.suggested.isDisjoint(with: ["fields", "columns"]) {
            error("the mapping has no 'fields' (nor 'columns'); say which output fields to make from each row",
                  at: map.location)
        }
        let rootObject = readObject(map, path: nil, context: "the mapping", inEachRow: false, allowsType: false)

        if map["group_by"] == nil {
            for use in groupedUses {
                let what = use.key == "each_row" ? "builds an array from the rows of a group" : "aggregates the rows of a group"
                error("'\(use.key)' \(what); add group_by: [column, ...] at the top level", at: use.location)
            }
        }

        guard diagnostics.isEmpty, let target else { return nil }
        return MappingSpec(file: file, target: target, source: source, filters: filters, groupBy: groupBy,
                           groupOrder: groupOrder, root: rootObject)
    }

    // MARK: - source

    mutating func readSource(_ node: Node) -> SourceSpec {
        var spec = SourceSpec()
        guard let map = map(node, "'source'") else { return spec }
        spec.location = map.location
        rejectUnknownKeys(map, allowed: Self.sourceKeys, in: "'source'")
        if let entry = map["format"] {
            spec.format = choice(entry.value, "format",
                                 [("csv", InputFormat.csv), ("tsv", .tsv), ("ndjson", .ndjson), ("jsonl", .ndjson)],
                                 listing: ["csv", "tsv", "ndjson"])
        }
        if let entry = map["delimiter"], let written = string(entry.value, "'delimiter'") {
            if let byte = CSVOptions.delimiter(named: written.value) {
                spec.delimiter = Located(byte, at: written.location)
            } else {
                error("unknown delimiter '\(written.value)'; write one character in quotes, such as \",\" \";\" \"|\", "
                      + "or one of the words tab, comma, semicolon, pipe", at: written.location)
            }
        }
        if let entry = map["quote"] {
            spec.quote = readQuote(entry.value)
        }
        if let quote = spec.quote, let quoteByte = quote.value, let delimiter = spec.delimiter,
           quoteByte == delimiter.value {
            error("the quote character cannot be the delimiter", at: quote.location)
        }
        if let entry = map["header"] {
            spec.header = bool(entry.value, "'header'")
        }
        if let entry = map["columns"], let columns = names(entry.value, "'columns' of 'source'") {
            spec.columns = columns
            var seen = Set<String>()
            for (index, column) in columns.value.enumerated() where !seen.insert(column).inserted {
                let location = entry.value.sequence.map { $0[index].sourceLocation } ?? columns.location
                error("column '\(column)' is listed twice in 'columns'", at: location)
            }
        }
        if let entry = map["null_values"] {
            if case .sequence(let items) = entry.value {
                let texts = items.compactMap { text($0, "an item of 'null_values'")?.value }
                if texts.count == items.count {
                    spec.nullValues = Located(texts, at: entry.value.sourceLocation)
                }
            } else {
                error("'null_values' must be a list, such as [\"\", \"NULL\"], found \(entry.value.kindDescription)",
                      at: entry.value.sourceLocation)
            }
        }
        if spec.format?.value == .ndjson {
            for entry in map.entries(in: ["delimiter", "quote", "header", "columns"]) {
                error("'\(entry.key)' applies to CSV and TSV input, not to ndjson", at: entry.keyLocation)
            }
        }
        return spec
    }

    /// `quote: '"'`, `quote: "'"`, or `none` / null for no quoting.
    private mutating func readQuote(_ node: Node) -> Located<UInt8?>? {
        let location = node.sourceLocation
        if node.isPlainNull { return Located(nil, at: location) }
        guard let written = text(node, "'quote'") else { return nil }
        if written.value == "none" { return Located(nil, at: location) }
        let scalars = Array(written.value.unicodeScalars)
        if scalars.count == 1, scalars[0].isASCII, scalars[0] != "\n", scalars[0] != "\r" {
            return Located(UInt8(scalars[0].value), at: location)
        }
        error("'quote' must be one character, such as '\"', or none; found '\(written.value)'", at: location)
        return nil
    }

    // MARK: - where

    mutating func readWhere(_ node: Node) -> [FilterSpec] {
        guard case .sequence(let items) = node else {
            error("'where' must be a list of conditions, such as - { column: country, equals: US }; found \(node.kindDescription)",
                  at: node.sourceLocation)
            return []
        }
        return items.compactMap { readFilter($0) }
    }

    private mutating func readFilter(_ node: Node) -> FilterSpec? {
        let context = "a 'where' condition"
        guard let map = map(node, context) else { return nil }
        let unknown = rejectUnknownKeys(map, allowed: ["column"] + Self.conditionKeys, in: context)
        var column: Located<String>?
        if let entry = map["column"] {
            column = name(entry.value, "'column'")
        } else if !unknown.suggested.contains("column") {
            error("\(context) needs 'column'", at: map.location)
        }
        let conditions = map.entries(in: Self.conditionKeys)
        guard let entry = conditions.first else {
            if unknown.count == 0 {
                error("\(context) needs one of: " + Self.conditionKeys.joined(separator: ", "), at: map.location)
            }
            return nil
        }
        if conditions.count > 1 {
            let found = conditions.map { "'\($0.key)'" }.joined(separator: " and ")
            error("\(context) takes exactly one of \(Self.conditionKeys.joined(separator: ", ")); found \(found)",
                  at: conditions[1].keyLocation)
            return nil
        }
        let what = "'\(entry.key)'"
        let condition: FilterCondition?
        switch entry.key {
        case "not_empty": condition = bool(entry.value, what).map { .notEmpty($0.value) }
        case "equals": condition = filterValue(entry.value, what).map { .equals($0) }
        case "not_equals": condition = filterValue(entry.value, what).map { .notEquals($0) }
        case "in": condition = filterValues(entry.value, what).map { .isIn($0) }
        case "not_in": condition = filterValues(entry.value, what).map { .notIn($0) }
        case "matches": condition = name(entry.value, what).map { .matches($0.value) }
        default: condition = name(entry.value, what).map { .notMatches($0.value) }
        }
        guard let column, let condition else { return nil }
        return FilterSpec(location: map.location, column: column, condition: condition)
    }

    /// A value compared as text (`equals: 1` is "1"). A plain null is refused: it is more
    /// likely a slip than a comparison with the text "null".
    private mutating func filterValue(_ node: Node, _ what: String) -> String? {
        switch node {
        case .scalar(let scalar) where node.isPlainNull:
            let empty = "to keep rows where the column is empty use not_empty: false"
            if scalar.string.isEmpty {
                error("\(what) needs a value; \(empty)", at: node.sourceLocation)
            } else {
                error("\(what) is null; to compare with the text '\(scalar.string)' quote it, \(empty)",
                      at: node.sourceLocation)
            }
            return nil
        case .scalar(let scalar):
            return scalar.string
        default:
            let hint = node.sequence != nil && (what == "'equals'" || what == "'not_equals'")
                ? "; to compare with several values use '\(what == "'equals'" ? "in" : "not_in")'" : ""
            error("\(what) compares with one value, found \(node.kindDescription)\(hint)", at: node.sourceLocation)
            return nil
        }
    }

    private mutating func filterValues(_ node: Node, _ what: String) -> [String]? {
        guard case .sequence(let items) = node else {
            error("\(what) takes a list, such as [US, CA], found \(node.kindDescription)", at: node.sourceLocation)
            return nil
        }
        if items.isEmpty {
            error("\(what) is an empty list", at: node.sourceLocation)
            return nil
        }
        let values = items.compactMap { filterValue($0, "an item of \(what)") }
        return values.count == items.count ? values : nil
    }
}

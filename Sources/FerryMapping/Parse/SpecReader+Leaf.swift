import Yams

extension SpecReader {
    static let castNames: [(String, ValueCast)] = ValueCast.allCases.map { ($0.rawValue, $0) }
        + [("integer", .int), ("number", .float), ("double", .float), ("boolean", .bool), ("str", .string)]

    mutating func readCast(_ node: Node, _ what: String) -> Located<ValueCast>? {
        choice(node, what, Self.castNames, listing: ValueCast.allCases.map(\.rawValue))
    }

    /// A mapping with one source key (`column`, `value`, ...) and options.
    mutating func readLeaf(_ map: YAMLMap, path: String, inEachRow: Bool) -> LeafSpec? {
        let context = "field '\(path)'"
        let sources = map.entries(in: Self.leafSourceKeys)
        let objectEntries = map.entries(in: ["fields", "columns", "strip_prefix"])
        for entry in objectEntries {
            error("\(context) mixes a value source ('\(sources.first?.key ?? "")') with the object key '\(entry.key)'; "
                  + "a leaf has one source, an object has 'fields' and/or 'columns'", at: entry.keyLocation)
        }
        rejectUnknownKeys(map.without(objectEntries), allowed: Self.leafSourceKeys + Self.leafOptionKeys, in: context)
        if sources.count > 1 {
            let names = sources.map { "'\($0.key)'" }.joined(separator: ", ")
            error("\(context) has several sources (\(names)); a leaf takes exactly one of "
                  + Self.leafSourceKeys.joined(separator: ", "), at: sources[1].keyLocation)
        }
        guard let sourceEntry = sources.first else { return nil }
        let source = readLeafSource(sourceEntry, inEachRow: inEachRow)

        var leaf = LeafSpec(location: map.location, source: source ?? Located(.column(""), at: .unknown))
        if let entry = map["type"] {
            leaf.type = readCast(entry.value, "type")
        }
        let isArray = leaf.type?.value == .array
        if let entry = map["separator"] {
            if map["type"] != nil && leaf.type == nil {
                // The type is wrong and already reported.
            } else if !isArray {
                error("'separator' is only used with type: array", at: entry.keyLocation)
            } else if let separator = string(entry.value, "'separator'") {
                if separator.value.isEmpty {
                    error("'separator' cannot be empty", at: separator.location)
                } else {
                    leaf.separator = separator
                }
            }
        }
        if let entry = map["item_type"] {
            if map["type"] != nil && leaf.type == nil {
                // The type is wrong and already reported.
            } else if !isArray {
                error("'item_type' is only used with type: array", at: entry.keyLocation)
            } else if let itemType = readCast(entry.value, "item_type") {
                if itemType.value == .array {
                    error("'item_type' cannot be array: arrays do not nest", at: itemType.location)
                } else {
                    leaf.itemType = itemType
                }
            }
        }
        if let entry = map["timestamp"] {
            leaf.timestamp = name(entry.value, "'timestamp'")
        }
        if let entry = map["timezone"] {
            leaf.timezone = name(entry.value, "'timezone'")
        }
        if let entry = map["transform"] {
            leaf.transforms = readTransforms(entry.value)
        }
        if let entry = map["map"] {
            leaf.map = readValueMap(entry.value, context: "'map' of \(context)")
        }
        if let entry = map["unmapped"] {
            if map["map"] == nil {
                error("'unmapped' says what 'map' does with values it has no entry for, and \(context) has no 'map'",
                      at: entry.keyLocation)
            } else {
                leaf.unmapped = choice(entry.value, "'unmapped' value", Unmapped.allCases.map { ($0.rawValue, $0) })
            }
        }
        if let entry = map["default"] {
            leaf.defaultValue = constant(entry.value, "'default'")
        }
        if let entry = map["required"] {
            leaf.required = bool(entry.value, "'required'")
        }
        if let entry = map["on_null"] {
            leaf.onNull = choice(entry.value, "'on_null' value", OnNull.allCases.map { ($0.rawValue, $0) })
        }
        guard source != nil else { return nil }
        return leaf
    }

    private mutating func readLeafSource(_ entry: YAMLEntry, inEachRow: Bool) -> Located<LeafSource>? {
        let what = "'\(entry.key)'"
        let location = entry.value.sourceLocation
        switch entry.key {
        case "column":
            return name(entry.value, what).map { Located(.column($0.value), at: $0.location) }
        case "value":
            return constant(entry.value, what).map { Located(.value($0.value), at: $0.location) }
        case "template":
            return name(entry.value, what).map { Located(.template($0.value), at: $0.location) }
        case "env":
            return name(entry.value, what).map { Located(.env($0.value), at: $0.location) }
        default:
            break
        }
        // Aggregates: count, sum, first, last.
        if inEachRow {
            error("'\(entry.key)' aggregates the rows of a group and cannot be used inside 'each_row'; use 'column'",
                  at: entry.keyLocation)
            return nil
        }
        groupedUses.append((key: entry.key, location: entry.keyLocation))
        if entry.key == "count" {
            guard let flag = bool(entry.value, what) else { return nil }
            if !flag.value {
                error("'count' takes true (count: true counts the rows of the group)", at: location)
                return nil
            }
            return Located(.aggregate(.count), at: location)
        }
        guard let column = name(entry.value, what) else { return nil }
        let aggregate: Aggregate
        switch entry.key {
        case "sum": aggregate = .sum(column.value)
        case "first": aggregate = .first(column.value)
        default: aggregate = .last(column.value)
        }
        return Located(.aggregate(aggregate), at: column.location)
    }

    /// `map:`: input texts to constants, in the order written.
    private mutating func readValueMap(_ node: Node, context: String) -> Located<[(key: String, value: ConstantValue)]>? {
        guard let map = map(node, context) else { return nil }
        var pairs: [(key: String, value: ConstantValue)] = []
        var failed = false
        for entry in map.entries {
            if let value = constant(entry.value, "the value for '\(entry.key)' in \(context)") {
                pairs.append((key: entry.key, value: value.value))
            } else {
                failed = true
            }
        }
        if map.entries.isEmpty {
            error("\(context) is empty", at: map.location)
            return nil
        }
        return failed ? nil : Located(pairs, at: node.sourceLocation)
    }
}

extension YAMLMap {
    /// This mapping without the given entries.
    func without(_ removed: [YAMLEntry]) -> YAMLMap {
        YAMLMap(location: location, entries: entries.filter { entry in !removed.contains { $0.key == entry.key } })
    }
}

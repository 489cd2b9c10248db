import Yams

/// Reads the YAML tree of a mapping file into a `MappingSpec`, collecting a diagnostic for
/// every problem and carrying on past it where the rest still makes sense.
struct SpecReader {
    let file: String
    /// Keys `YAMLLoader` renamed to get past a duplicate: their real text by location.
    let renamedKeys: [MappingLocation: String]
    private(set) var diagnostics: [MappingDiagnostic] = []
    /// Uses of `each_row` and aggregates, which need `group_by`: where, and which key.
    var groupedUses: [(key: String, location: MappingLocation)] = []

    init(file: String, renamedKeys: [MappingLocation: String] = [:]) {
        self.file = file
        self.renamedKeys = renamedKeys
    }

    mutating func error(_ message: String, at location: MappingLocation) {
        diagnostics.append(MappingDiagnostic(.error, file: file, at: location, message))
    }

    // MARK: - Mappings

    /// The node as a mapping with scalar keys; reports a non-mapping, non-scalar keys and
    /// duplicate keys (at the second occurrence). `context` names it in messages: "'source'".
    mutating func map(_ node: Node, _ context: String) -> YAMLMap? {
        guard case .mapping(let mapping) = node else {
            error("\(context) must be a mapping (key: value), found \(node.kindDescription)", at: node.sourceLocation)
            return nil
        }
        var entries: [YAMLEntry] = []
        var firstSeen: [String: MappingLocation] = [:]
        for (keyNode, value) in mapping {
            let keyLocation = keyNode.sourceLocation
            guard case .scalar(let keyScalar) = keyNode else {
                error("keys in \(context) must be names, found \(keyNode.kindDescription)", at: keyLocation)
                continue
            }
            let key = renamedKeys[keyLocation] ?? keyScalar.string
            if let first = firstSeen[key] {
                error("duplicate key '\(key)' in \(context); it was first written at \(first)", at: keyLocation)
                continue
            }
            firstSeen[key] = keyLocation
            entries.append(YAMLEntry(key: key, keyLocation: keyLocation, value: value))
        }
        return YAMLMap(location: node.sourceLocation, entries: entries)
    }

    /// What `rejectUnknownKeys` reported.
    struct UnknownKeys {
        var count = 0
        /// The keys suggested instead: a missing key among them was most likely misspelt.
        var suggested: Set<String> = []
    }

    /// Reports every key of `map` not in `allowed`, with a suggestion when one is close.
    @discardableResult
    mutating func rejectUnknownKeys(_ map: YAMLMap, allowed: [String], in context: String) -> UnknownKeys {
        var unknown = UnknownKeys()
        for entry in map.entries where !allowed.contains(entry.key) {
            unknown.count += 1
            if entry.key == "<<" {
                error("YAML merge keys ('<<') are not supported; write the keys out", at: entry.keyLocation)
                continue
            }
            error("unknown key '\(entry.key)' in \(context)\(Self.hint(for: entry.key, among: allowed))",
                  at: entry.keyLocation)
            if let suggestion = Suggestions.closest(to: entry.key, in: allowed) {
                unknown.suggested.insert(suggestion)
            }
        }
        return unknown
    }

    /// "; did you mean 'x'?" or "; expected one of: a, b, c".
    static func hint(for word: String, among candidates: [String], listing: [String]? = nil) -> String {
        if let suggestion = Suggestions.closest(to: word, in: candidates) {
            return "; did you mean '\(suggestion)'?"
        }
        return "; expected one of: " + (listing ?? candidates).joined(separator: ", ")
    }

    // MARK: - Scalars

    /// A scalar's text as written, whatever its style: `NULL` is "NULL", `1` is "1".
    mutating func text(_ node: Node, _ what: String) -> Located<String>? {
        guard case .scalar(let scalar) = node else {
            error("\(what) must be a single value, found \(node.kindDescription)", at: node.sourceLocation)
            return nil
        }
        return Located(scalar.string, at: node.sourceLocation)
    }

    /// Text that must be there: a plain `~`, `null` or nothing is an error (quote it to mean the text).
    mutating func string(_ node: Node, _ what: String) -> Located<String>? {
        if node.isPlainNull {
            error("\(what) needs a value, found \(node.kindDescription)", at: node.sourceLocation)
            return nil
        }
        return text(node, what)
    }

    /// Non-empty text.
    mutating func name(_ node: Node, _ what: String) -> Located<String>? {
        guard let value = string(node, what) else { return nil }
        if value.value.isEmpty {
            error("\(what) cannot be empty", at: value.location)
            return nil
        }
        return value
    }

    /// A YAML boolean: `true`/`false` (also `True`, `TRUE`, ...) without quotes.
    mutating func bool(_ node: Node, _ what: String) -> Located<Bool>? {
        if case .scalar(let scalar) = node {
            let resolution = CoreSchema.resolve(scalar.string)
            let tag = scalar.tag.rawValue
            if case .bool(let value) = resolution, scalar.style == .plain, tag.isEmpty || tag == Tag.Name.bool.rawValue {
                return Located(value, at: node.sourceLocation)
            }
            if case .bool = resolution, scalar.style != .plain {
                error("expected true or false for \(what), found the quoted text \"\(scalar.string)\"; remove the quotes",
                      at: node.sourceLocation)
                return nil
            }
        }
        error("expected true or false for \(what), found \(node.kindDescription)", at: node.sourceLocation)
        return nil
    }

    /// One of a fixed set of words; `options` may hold aliases, `listing` the names to show.
    mutating func choice<T: Sendable>(_ node: Node, _ what: String, _ options: [(String, T)],
                                      listing: [String]? = nil) -> Located<T>? {
        guard let word = string(node, what) else { return nil }
        if let match = options.first(where: { $0.0 == word.value }) {
            return Located(match.1, at: word.location)
        }
        let names = options.map(\.0)
        error("unknown \(what) '\(word.value)'\(Self.hint(for: word.value, among: names, listing: listing ?? names))",
              at: word.location)
        return nil
    }

    /// A list of non-empty texts; `allowSingle` also takes one scalar as a list of one.
    mutating func names(_ node: Node, _ what: String, allowSingle: Bool = false) -> Located<[String]>? {
        let items: [Node]
        switch node {
        case .sequence(let sequence):
            items = Array(sequence)
        case .scalar where allowSingle && !node.isPlainNull:
            items = [node]
        default:
            let form = allowSingle ? "a name or a list of names" : "a list, such as [a, b]"
            error("\(what) must be \(form), found \(node.kindDescription)", at: node.sourceLocation)
            return nil
        }
        if items.isEmpty {
            error("\(what) is an empty list", at: node.sourceLocation)
            return nil
        }
        var values: [String] = []
        var failed = false
        for item in items {
            if let value = name(item, "an item of \(what)") { values.append(value.value) } else { failed = true }
        }
        return failed ? nil : Located(values, at: node.sourceLocation)
    }

    /// A constant as YAML 1.2's core schema reads it: quoted scalars are always text.
    mutating func constant(_ node: Node, _ what: String) -> Located<ConstantValue>? {
        guard case .scalar(let scalar) = node else {
            error("\(what) must be a constant (text, number, true, false or null), found \(node.kindDescription)",
                  at: node.sourceLocation)
            return nil
        }
        let location = node.sourceLocation
        let text = scalar.string
        let tag = scalar.tag.rawValue
        let resolution: CoreSchema.Resolution
        switch tag {
        case "" where scalar.style == .plain:
            resolution = CoreSchema.resolve(text)
        case "", "!", Tag.Name.str.rawValue:
            return Located(.string(text), at: location)
        case Tag.Name.null.rawValue, Tag.Name.bool.rawValue, Tag.Name.int.rawValue, Tag.Name.float.rawValue:
            resolution = CoreSchema.resolve(text)
            let matches: Bool
            switch resolution {
            case .null: matches = tag == Tag.Name.null.rawValue
            case .bool: matches = tag == Tag.Name.bool.rawValue
            case .int, .integerTooLarge: matches = tag == Tag.Name.int.rawValue || tag == Tag.Name.float.rawValue
            case .double, .nonFinite: matches = tag == Tag.Name.float.rawValue
            case .string: matches = false
            }
            if !matches {
                error("'\(text)' is not a valid \(tag.replacingPrefix()) for \(what)", at: location)
                return nil
            }
        default:
            error("the YAML tag '\(tag.replacingPrefix())' is not supported in \(what); write the value plainly or quote it",
                  at: location)
            return nil
        }
        switch resolution {
        case .null: return Located(.null, at: location)
        case .bool(let value): return Located(.bool(value), at: location)
        case .int(let value):
            return Located(tag == Tag.Name.float.rawValue ? .double(Double(value)) : .int(value), at: location)
        case .double(let value): return Located(.double(value), at: location)
        case .string: return Located(.string(text), at: location)
        case .integerTooLarge:
            error("the integer \(text) in \(what) does not fit in 64 bits; quote it to send it as text", at: location)
            return nil
        case .nonFinite:
            error("\(text) in \(what) is not a number JSON can carry; quote it to send it as text", at: location)
            return nil
        }
    }

    /// A positive integer written plainly.
    mutating func positiveInt(_ node: Node, _ what: String) -> Located<Int>? {
        if case .scalar(let scalar) = node, scalar.isPlainUntagged,
           case .int(let value) = CoreSchema.resolve(scalar.string), value > 0, let int = Int(exactly: value) {
            return Located(int, at: node.sourceLocation)
        }
        error("\(what) must be a positive whole number, found \(node.kindDescription)", at: node.sourceLocation)
        return nil
    }
}

private extension String {
    /// `tag:yaml.org,2002:int` as users write it: `!!int`.
    func replacingPrefix() -> String {
        let prefix = "tag:yaml.org,2002:"
        return hasPrefix(prefix) ? "!!" + dropFirst(prefix.count) : self
    }
}

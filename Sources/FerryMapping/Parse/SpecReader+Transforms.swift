import Yams

extension SpecReader {
    static let plainTransforms: [(String, TransformSpec)] = [
        ("trim", .trim), ("lower", .lower), ("upper", .upper), ("title", .title),
        ("collapse_whitespace", .collapseWhitespace), ("digits_only", .digitsOnly), ("null_if_empty", .nullIfEmpty),
    ]
    static let argumentTransforms = ["truncate", "prefix", "suffix", "replace"]
    static var transformNames: [String] { plainTransforms.map(\.0) + argumentTransforms }

    /// `transform:` one step or a list of steps.
    mutating func readTransforms(_ node: Node) -> [Located<TransformSpec>] {
        if case .sequence(let items) = node {
            return items.compactMap { readTransform($0) }
        }
        return readTransform(node).map { [$0] } ?? []
    }

    /// `trim`, or a one-key mapping with an argument: `{ truncate: 20 }`.
    private mutating func readTransform(_ node: Node) -> Located<TransformSpec>? {
        let location = node.sourceLocation
        switch node {
        case .scalar:
            guard let name = name(node, "a transform") else { return nil }
            if let plain = Self.plainTransforms.first(where: { $0.0 == name.value }) {
                return Located(plain.1, at: location)
            }
            if Self.argumentTransforms.contains(name.value) {
                error("transform '\(name.value)' needs an argument: { \(name.value): \(Self.example(name.value)) }",
                      at: location)
            } else {
                unknownTransform(name.value, at: location)
            }
            return nil
        case .mapping:
            guard let map = map(node, "a transform") else { return nil }
            guard map.entries.count == 1, let entry = map.entries.first else {
                error("a transform with an argument is a mapping with one key, such as { truncate: 20 }; "
                      + "found \(map.entries.count) keys", at: location)
                return nil
            }
            let value = entry.value
            switch entry.key {
            case "truncate":
                return positiveInt(value, "the argument of 'truncate'").map { Located(.truncate($0.value), at: location) }
            case "prefix":
                return string(value, "the argument of 'prefix'").map { Located(.prefix($0.value), at: location) }
            case "suffix":
                return string(value, "the argument of 'suffix'").map { Located(.suffix($0.value), at: location) }
            case "replace":
                return readReplace(value).map { Located(.replace(from: $0.from, to: $0.to), at: location) }
            default:
                if Self.plainTransforms.contains(where: { $0.0 == entry.key }) {
                    error("transform '\(entry.key)' takes no argument; write it as a plain name: \(entry.key)",
                          at: entry.keyLocation)
                } else {
                    unknownTransform(entry.key, at: entry.keyLocation)
                }
                return nil
            }
        default:
            error("a transform is a name such as trim, or a mapping such as { truncate: 20 }; found \(node.kindDescription)",
                  at: location)
            return nil
        }
    }

    private mutating func unknownTransform(_ name: String, at location: MappingLocation) {
        error("unknown transform '\(name)'\(Self.hint(for: name, among: Self.transformNames))", at: location)
    }

    private static func example(_ name: String) -> String {
        switch name {
        case "truncate": return "20"
        case "replace": return "[from, to]"
        default: return "\"text\""
        }
    }

    /// `replace: [from, to]` or `replace: { from: a, to: b }`.
    private mutating func readReplace(_ node: Node) -> (from: String, to: String)? {
        let what = "'replace'"
        var fromNode: Node?
        var toNode: Node?
        switch node {
        case .sequence(let items) where items.count == 2:
            fromNode = items[0]
            toNode = items[1]
        case .mapping:
            guard let map = map(node, what) else { return nil }
            let unknown = rejectUnknownKeys(map, allowed: ["from", "to"], in: what)
            fromNode = map["from"]?.value
            toNode = map["to"]?.value
            if unknown.count > 0 { return nil }
            if fromNode == nil || toNode == nil {
                error("\(what) needs both 'from' and 'to'", at: node.sourceLocation)
                return nil
            }
        default:
            error("\(what) takes [from, to] or { from: ..., to: ... }; found \(node.kindDescription)",
                  at: node.sourceLocation)
            return nil
        }
        guard let fromNode, let toNode else { return nil }
        let from = string(fromNode, "'from' of \(what)")
        let to = string(toNode, "'to' of \(what)")
        guard let from, let to else { return nil }
        if from.value.isEmpty {
            error("'from' of \(what) cannot be empty", at: from.location)
            return nil
        }
        return (from.value, to.value)
    }
}

import Yams

/// One `key: value` of a YAML mapping, with the key's real text and where it is written.
struct YAMLEntry {
    var key: String
    var keyLocation: MappingLocation
    var value: Node
}

/// A YAML mapping read by `SpecReader`: entries in file order, duplicates already reported
/// and left out (the first occurrence is kept).
struct YAMLMap {
    var location: MappingLocation
    var entries: [YAMLEntry]

    subscript(key: String) -> YAMLEntry? {
        entries.first { $0.key == key }
    }

    func contains(_ key: String) -> Bool {
        entries.contains { $0.key == key }
    }

    /// The entries whose keys are among `keys`, in file order.
    func entries(in keys: [String]) -> [YAMLEntry] {
        entries.filter { keys.contains($0.key) }
    }
}

extension Node {
    var sourceLocation: MappingLocation {
        mark.map(MappingLocation.init) ?? .unknown
    }

    /// A plain scalar with no tag: the kind core-schema resolution applies to.
    var isPlainUntagged: Bool {
        guard case .scalar(let scalar) = self else { return false }
        return scalar.isPlainUntagged
    }

    /// True for `~`, `null` and nothing at all, written without quotes.
    var isPlainNull: Bool {
        guard case .scalar(let scalar) = self, scalar.isPlainUntagged else { return false }
        return CoreSchema.resolve(scalar.string) == .null
    }

    /// What the node is, for "found ..." in messages.
    var kindDescription: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            return scalar.string.isEmpty && scalar.isPlainUntagged ? "nothing" : "'\(scalar.string)'"
        }
    }
}

extension Node.Scalar {
    var isPlainUntagged: Bool {
        style == .plain && tag.rawValue.isEmpty
    }
}

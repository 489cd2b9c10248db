/// A parsed JSON value. Objects keep their keys in document order (duplicates included);
/// lookups return the last occurrence of a key, as JavaScript and Python do.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An integer literal that fits in Int64 (no fraction, no exponent).
    case int(Int64)
    /// A number with a fraction or exponent whose value is finite (and not a nonzero literal that underflows to 0).
    case double(Double)
    /// A number literal kept verbatim because no Int64 or Double represents it exactly
    /// (an integer outside Int64, 1e999, 1e-999): written back unchanged. Always a valid JSON number literal.
    case decimal(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// An ordered JSON object.
public struct JSONObject: Sendable, Equatable {
    public var members: [(key: String, value: JSONValue)]

    public init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    /// The value of the last member named `key`, or nil.
    public subscript(key: String) -> JSONValue? {
        var i = members.count - 1
        while i >= 0 {
            if members[i].key == key { return members[i].value }
            i -= 1
        }
        return nil
    }

    public mutating func append(_ key: String, _ value: JSONValue) {
        members.append((key, value))
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (a, b) in zip(lhs.members, rhs.members) where a.key != b.key || a.value != b.value {
            return false
        }
        return true
    }
}

extension JSONValue {
    /// Follows a dotted path (`user.address.city`) through nested objects.
    /// A segment that is all digits also indexes into an array (`items.0.sku`).
    /// Returns nil when any step is missing.
    public func value(atPath path: some StringProtocol) -> JSONValue? {
        let segments: [String] = path.split(separator: ".", omittingEmptySubsequences: false).map { String($0) }
        return value(atPath: segments)
    }

    /// Follows a path already split into segments (callers that look the same path up for
    /// every record split it once).
    public func value(atPath segments: [String]) -> JSONValue? {
        var current = self
        for segment in segments {
            switch current {
            case .object(let object):
                guard let next = object[segment] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(segment), index >= 0, index < items.count else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// A place in a mapping file: 1-based line and column, as editors show them.
public struct MappingLocation: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static let unknown = MappingLocation(line: 0, column: 0)

    public var description: String { "\(line):\(column)" }
}

/// A value together with where the mapping file wrote it.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: MappingLocation

    public init(_ value: Value, at location: MappingLocation) {
        self.value = value
        self.location = location
    }
}

extension Located: Equatable where Value: Equatable {}

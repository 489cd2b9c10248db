/// One problem in a mapping file, with where it is and what to do.
public struct MappingDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        case error
        case warning
    }

    public var severity: Severity
    /// The mapping file's path as given.
    public var file: String
    public var location: MappingLocation
    public var message: String

    public init(_ severity: Severity = .error, file: String, at location: MappingLocation, _ message: String) {
        self.severity = severity
        self.file = file
        self.location = location
        self.message = message
    }

    /// `mapping.yaml:12:5: error: ...`, the form compilers use, so editors can jump to it.
    public var description: String {
        "\(file):\(location.line):\(location.column): \(severity.rawValue): \(message)"
    }
}

/// A mapping file that cannot be used. Carries every problem found, not only the first.
public struct MappingError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [MappingDiagnostic]

    public init(_ diagnostics: [MappingDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

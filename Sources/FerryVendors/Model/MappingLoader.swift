import Foundation
import FerryMapping

/// A mapping file read, matched to its target, and compiled.
public struct LoadedMapping: Sendable {
    public let path: String
    public let target: Target
    public let compiled: CompiledMapping
}

/// Reads a mapping file, finds its target in the catalog and compiles it against the
/// target's schema. Every problem is reported with its YAML line and column.
public enum MappingLoader {
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(MappingError) -> LoadedMapping
    {
        let spec = try MappingFileParser.parse(contentsOf: path)
        return try load(spec: spec, path: path, environment: environment)
    }

    public static func load(spec: MappingSpec, path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(MappingError) -> LoadedMapping
    {
        guard let target = TargetCatalog.target(named: spec.target.value, environment: environment) else {
            var message = "unknown target '\(spec.target.value)'"
            if let suggestion = Suggestions.closest(to: spec.target.value, in: TargetCatalog.names) {
                message += "; did you mean '\(suggestion)'?"
            } else {
                message += "; run 'ferry targets' to list them"
            }
            throw MappingError([MappingDiagnostic(.error, file: spec.file, at: spec.target.location, message)])
        }
        let compiled = try MappingCompiler.compile(spec, schema: target.schema,
                                                   defaultTimestampFormat: target.defaultTimestampFormat,
                                                   emptyArrays: target.emptyArrays,
                                                   environment: environment)
        return LoadedMapping(path: path, target: target, compiled: compiled)
    }
}

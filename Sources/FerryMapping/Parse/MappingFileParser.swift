import Foundation

/// Reads a mapping file (YAML) into a `MappingSpec`, reporting every problem it finds
/// with its line and column, in file order.
public enum MappingFileParser {
    /// Parses mapping-file text; `file` is the path shown in diagnostics.
    public static func parse(yaml: String, file: String) throws(MappingError) -> MappingSpec {
        var text = yaml
        if text.unicodeScalars.first == "\u{FEFF}" {
            text = String(text.unicodeScalars.dropFirst())
        }
        let loaded: YAMLLoader.Loaded
        switch YAMLLoader.load(text, file: file) {
        case .success(let value): loaded = value
        case .failure(let error): throw error
        }
        var reader = SpecReader(file: file, renamedKeys: loaded.renamedKeys)
        let spec = reader.readDocument(loaded.root)
        if let spec, reader.diagnostics.isEmpty { return spec }
        // File order; a node reached twice through a YAML alias reports its problems once.
        let ordered = reader.diagnostics.enumerated().sorted { a, b in
            let (l, r) = (a.element.location, b.element.location)
            if l.line != r.line { return l.line < r.line }
            if l.column != r.column { return l.column < r.column }
            return a.offset < b.offset
        }
        var unique: [MappingDiagnostic] = []
        for (_, diagnostic) in ordered where !unique.contains(diagnostic) {
            unique.append(diagnostic)
        }
        throw MappingError(unique)
    }

    /// Reads and parses the mapping file at `path`. A file that cannot be read is one
    /// diagnostic at 0:0.
    public static func parse(contentsOf path: String) throws(MappingError) -> MappingSpec {
        func fail(_ message: String) -> MappingError {
            MappingError([MappingDiagnostic(file: path, at: .unknown, message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw fail("cannot read the mapping file: no such file")
        }
        if isDirectory.boolValue {
            throw fail("cannot read the mapping file: it is a directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail("cannot read the mapping file: permission denied or I/O error")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw fail("cannot read the mapping file: it is not UTF-8 text")
        }
        return try parse(yaml: text, file: path)
    }
}

import Foundation

/// One input to read: a file path, or standard input.
public struct InputFile: Sendable, Hashable, CustomStringConvertible {
    /// The path as given (or found in a directory); `-` means standard input.
    public let path: String

    public init(path: String) { self.path = path }

    public static let stdin = InputFile(path: "-")

    public var isStdin: Bool { path == "-" }
    /// The name used in messages and reports.
    public var displayName: String { isStdin ? "<stdin>" : path }
    public var description: String { displayName }

    /// The file name with a trailing `.gz` removed, lower-cased: used to guess the format.
    public var formatHintName: String {
        var name = (path as NSString).lastPathComponent.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        return name
    }

    /// Expands the command-line inputs: files stay as given, `-` is standard input, and a
    /// directory becomes every regular file below it (recursively, hidden entries skipped),
    /// sorted by path so that runs are repeatable. Missing paths are an error up front.
    public static func resolve(_ arguments: [String]) throws(InputError) -> [InputFile] {
        var result: [InputFile] = []
        var stdinSeen = false
        for argument in arguments {
            if argument == "-" {
                if stdinSeen {
                    throw InputError(.badOptions, file: "<stdin>", message: "standard input (-) can be read only once")
                }
                stdinSeen = true
                result.append(.stdin)
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw InputError(.notFound, file: argument, message: "no such file or directory")
            }
            if isDirectory.boolValue {
                let files = try filesBelow(argument)
                if files.isEmpty {
                    throw InputError(.notFound, file: argument, message: "directory holds no input files")
                }
                result += files.map(InputFile.init(path:))
            } else {
                result.append(InputFile(path: argument))
            }
        }
        return result
    }

    private static func filesBelow(_ directory: String) throws(InputError) -> [String] {
        let base = URL(fileURLWithPath: directory)
        guard let enumerator = FileManager.default.enumerator(
            at: base, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]
        ) else {
            throw InputError(.unreadable, file: directory, message: "cannot list directory")
        }
        var paths: [String] = []
        for case let url as URL in enumerator {
            let isFile = (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) ?? false
            if isFile {
                let relative = String(url.path.dropFirst(base.path.count)).drop { $0 == "/" }
                paths.append((directory as NSString).appendingPathComponent(String(relative)))
            }
        }
        return paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

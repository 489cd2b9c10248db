import ArgumentParser
import FerryMapping
import FerryVendors

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a mapping file against its target, without reading any data.",
        discussion: """
        Reports every problem with its line and column: unknown target or field, missing \
        required field, a type that cannot produce the vendor's type, bad timestamp format \
        or time zone, grouping misuse. Exit 0 when the mapping is usable, 2 when it is not.
        """)

    @Argument(help: "The mapping file (YAML).")
    var mapping: String

    func run() throws {
        let loaded: LoadedMapping
        do {
            loaded = try MappingLoader.load(path: mapping)
        } catch {
            printError(error.description)
            let count = error.diagnostics.filter { $0.severity == .error }.count
            printError("\(mapping): \(count) error\(count == 1 ? "" : "s"); nothing was read or sent")
            throw ExitCode(2)
        }
        for warning in loaded.compiled.warnings { printError(warning.description) }
        let columns = loaded.compiled.columns
        print("\(mapping): OK — \(loaded.target.name), reads \(columns.count) column\(columns.count == 1 ? "" : "s"): \(columns.joined(separator: ", "))")
    }
}

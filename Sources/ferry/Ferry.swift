import ArgumentParser
import Foundation

@main
struct Ferry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Convert CSV/NDJSON exports into customer-data vendor requests, validate them, and load them.",
        discussion: """
        Exit codes: 0 success; 1 finished but some rows were invalid or rejected; \
        2 usage or mapping error; 3 fatal error (I/O, damaged input, authentication).
        """,
        version: "0.1.0",
        subcommands: [InspectCommand.self, TargetsCommand.self, CheckCommand.self, ValidateCommand.self, ConvertCommand.self, LoadCommand.self, SandboxCommand.self]
    )

    /// Runs the command, mapping usage errors to exit code 2 (ArgumentParser uses 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

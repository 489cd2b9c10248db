import ArgumentParser
import FerryMapping
import FerryVendors

struct TargetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "List the vendor targets, or show one in full: endpoint, auth, envelope, limits, schema, choices.")

    @Argument(help: "A target name such as toplyne.user_events.")
    var name: String?

    func run() throws {
        guard let name else {
            print(TargetDescription.list(TargetCatalog.all))
            return
        }
        guard let target = TargetCatalog.target(named: name) else {
            var message = "unknown target '\(name)'"
            if let suggestion = Suggestions.closest(to: name, in: TargetCatalog.names) { message += "; did you mean '\(suggestion)'?" }
            printError("ferry: \(message)")
            throw ExitCode(2)
        }
        print(TargetDescription.full(target))
    }
}

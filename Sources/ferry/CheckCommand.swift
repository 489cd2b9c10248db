import ArgumentParser
import Foundation
import FerryLoader
import FerryMapping
import FerryVendors

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a mapping file against its target, without reading any data.",
        discussion: """
        Reports every problem with its line and column: unknown target or field, missing \
        required field, a type that cannot produce the vendor's type, bad timestamp format \
        or time zone, grouping misuse. Exit 0 when the mapping is usable, 2 when it is not.

        --remote (Talon.One targets) also reads the account's custom attributes \
        (GET /v1/attributes on --endpoint; credentials from TALONONE_MANAGEMENT_TOKEN, \
        TALONONE_MANAGEMENT_KEY, or TALONONE_EMAIL and TALONONE_PASSWORD to log in) and reports mapped attributes the account does not define \
        or whose type differs. It is the only check that uses the network, and only when asked.
        """)

    @Argument(help: "The mapping file (YAML).")
    var mapping: String

    @Flag(help: "Also check custom attributes against the account (Talon.One; network).")
    var remote = false

    @Option(help: "The account's base URL for --remote, e.g. https://yourcompany.europe-west1.talon.one")
    var endpoint: String?

    @Flag(name: .customLong("allow-insecure-http"), help: "Allow plain http to a host other than this machine.")
    var allowInsecureHTTP = false

    func validate() throws {
        if remote && endpoint == nil { throw ValidationError("--remote needs --endpoint URL (your Talon.One deployment)") }
    }

    func run() async throws {
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
        if remote { try await checkRemote(loaded) }
        let columns = loaded.compiled.columns
        print("\(mapping): OK — \(loaded.target.name), reads \(columns.count) column\(columns.count == 1 ? "" : "s"): \(columns.joined(separator: ", "))")
    }

    func checkRemote(_ loaded: LoadedMapping) async throws {
        guard !loaded.target.customAttributes.isEmpty else {
            printError("ferry: \(loaded.target.name) has no custom attributes to check; --remote applies to Talon.One targets with attributes")
            throw ExitCode(2)
        }
        let (mapped, globs) = CustomAttributeCheck.mappedAttributes(loaded.compiled.spec, target: loaded.target)
        let account: [AccountAttribute]
        do {
            let url = try EndpointPolicy.check(endpoint ?? "", allowInsecureHTTP: allowInsecureHTTP)
            let authorization = try await ManagementCredentials.authorization(baseURL: url)
            account = try await AttributeFetcher.fetch(baseURL: url, authorization: authorization)
        } catch {
            printError("ferry: \(error.description)")
            throw ExitCode(3)
        }
        for location in globs {
            printError(MappingDiagnostic(.warning, file: mapping, at: location,
                "attributes collected by columns: are named by the data, so --remote cannot check them").description)
        }
        let problems = CustomAttributeCheck.compare(mapped, with: account, file: mapping)
        for problem in problems { printError(problem.description) }
        if !problems.isEmpty {
            printError("\(mapping): \(problems.count) attribute problem\(problems.count == 1 ? "" : "s") against the account; nothing was sent")
            throw ExitCode(2)
        }
        print("\(mapping): the account defines all \(mapped.count) mapped custom attribute\(mapped.count == 1 ? "" : "s") with matching types")
    }
}

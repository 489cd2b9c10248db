import ArgumentParser
import Foundation
import FerryCore
import FerryLoader
import FerrySandbox
import FerryVendors

/// `load`'s options for sending.
struct SendOptions: ParsableArguments {
    @Option(help: "The vendor's base URL (required for Talon.One and Pyze profiles: your own deployment); the target's path is appended.")
    var endpoint: String?

    @Option(help: "The vendor's data centre for targets that have several (Netcore: us, in, eu).")
    var region: String?

    @Flag(help: "Send to the embedded vendor sandbox on loopback instead of the vendor (no credentials needed).")
    var sandbox = false

    @Option(name: .customLong("sandbox-faults"), help: "With --sandbox: faults it injects, e.g. 503=0.2,429=0.1,drop=0.05,seed=7 (see ferry sandbox --help).")
    var sandboxFaults: String?

    @Option(help: "Requests in flight at most; adaptive concurrency stays below it when the vendor pushes back.")
    var concurrency: Int = 8

    @Option(help: "Requests per second at most (default: no limit).")
    var rate: Double?

    @Option(name: .customLong("max-retries"), help: "Retries of one request before the run stops (the vendor is unavailable).")
    var maxRetries: Int = 7

    @Option(help: "Seconds one request may take.")
    var timeout: Double = 30

    @Option(help: "Append-only journal of answered requests; with --resume, a rerun sends none of them again.")
    var checkpoint: String?

    @Flag(help: "Continue the job recorded in --checkpoint.")
    var resume = false

    @Option(name: .customLong("max-invalid"), help: "Stop (exit 1) when more rows than N, or than P% of the rows read, are invalid: N or P%.")
    var maxInvalid: String?

    @Option(name: .customLong("token-file"), help: "Read the credential from this file instead of the target's environment variable.")
    var tokenFile: String?

    @Flag(name: .customLong("allow-insecure-http"), help: "Allow plain http to hosts other than this machine.")
    var allowInsecureHTTP = false

    @Flag(help: "Confirm a destructive target (customer data deletion).")
    var yes = false

    @Option(help: "Progress: auto (a live line on a terminal, a log line every 10 s otherwise), always, never.")
    var progress: ProgressMode = .auto

    func validate() throws {
        if concurrency < 1 || concurrency > 1024 { throw ValidationError("--concurrency must be between 1 and 1024") }
        if let rate, !(rate > 0) { throw ValidationError("--rate must be a positive number of requests per second") }
        if maxRetries < 0 { throw ValidationError("--max-retries cannot be negative") }
        if !(timeout > 0 && timeout <= 86_400) { throw ValidationError("--timeout must be a positive number of seconds, at most 86400 (a day)") }
        if sandbox && endpoint != nil { throw ValidationError("--sandbox and --endpoint exclude each other") }
        if sandboxFaults != nil && !sandbox { throw ValidationError("--sandbox-faults needs --sandbox") }
        if let maxInvalid, InvalidBudget(maxInvalid) == nil {
            throw ValidationError("--max-invalid takes a row count (100) or a share of the rows read (2%), not '\(maxInvalid)'")
        }
    }

    var settings: LoadSettings {
        LoadSettings(concurrency: concurrency, rate: rate, retry: RetryPolicy(maxAttempts: maxRetries + 1),
                     timeout: timeout)
    }

    func invalidBudget() throws -> InvalidBudget? {
        maxInvalid.flatMap(InvalidBudget.init)
    }

    /// The environment credentials are read from: the process's, or with --sandbox the
    /// sandbox's own credentials, set in this process before any target is built (Pyze events
    /// read their app key when first used).
    func credentialEnvironment() -> [String: String] {
        if sandbox {
            for (name, value) in SandboxCredentials.environment { setenv(name, value, 1) }
            unsetenv(ManagementCredentials.keyVariable)
        }
        return ProcessInfo.processInfo.environment
    }

    /// Where the target's path goes: --endpoint, the region's host, or the vendor's host.
    func baseURL(for target: Target) throws -> String {
        let chosen: String
        if let endpoint {
            chosen = endpoint
        } else if !target.endpoint.regions.isEmpty {
            guard let region else {
                printError("ferry: \(target.name) needs --region (\(target.endpoint.regions.map(\.name).joined(separator: ", "))) or --endpoint; nothing was sent")
                throw ExitCode(2)
            }
            guard let found = target.endpoint.regions.first(where: { $0.name == region.lowercased() }) else {
                printError("ferry: \(target.name) has no region '\(region)'; choose \(target.endpoint.regions.map(\.name).joined(separator: ", "))")
                throw ExitCode(2)
            }
            chosen = found.baseURL
        } else if let base = target.endpoint.defaultBaseURL {
            chosen = base
        } else {
            printError("ferry: \(target.name) has no public host: give your deployment's base URL with --endpoint (e.g. https://yourcompany.example.com); nothing was sent")
            throw ExitCode(2)
        }
        do {
            return try EndpointPolicy.check(chosen, allowInsecureHTTP: allowInsecureHTTP).absoluteString
        } catch {
            printError("ferry: \(error.description); nothing was sent")
            throw ExitCode(2)
        }
    }

    /// The `Authorization` value from --token-file or the target's environment variable
    /// (Talon.One management: a token, a key, or a login). Exit 2 when it is missing; the
    /// secret itself is never printed.
    func authorization(for target: Target, baseURL: String, environment: [String: String]) async throws -> String? {
        var secret: String?
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile),
                  let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                printError("ferry: cannot read a credential from --token-file \(tokenFile)")
                throw ExitCode(2)
            }
            secret = text
        }
        switch target.auth.kind {
        case .pyzeAppKey:
            return nil
        case .managementSession:
            if let secret { return "Bearer \(secret)" }
            guard let url = URL(string: baseURL) else { throw ExitCode(2) }
            do {
                return try await ManagementCredentials.authorization(baseURL: url, environment: environment)
            } catch {
                printError("ferry: \(error.description); nothing was sent")
                throw ExitCode(error.message.hasPrefix("the management API needs") ? 2 : 3)
            }
        case .bearer, .apiKeyV1:
            let variable = target.auth.environmentVariable
            guard let value = secret ?? EnvironmentCredential.value(variable, in: environment) else {
                printError("ferry: \(target.name) needs a credential: set $\(variable) or give --token-file; nothing was read or sent")
                throw ExitCode(2)
            }
            return RequestBuilder.authorization(for: target.auth, secret: value)
        }
    }
}

enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

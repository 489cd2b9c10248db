import ArgumentParser
import Dispatch
import Foundation
import FerrySandbox
import FerryVendors

/// `ferry sandbox`: runs the vendor emulator in the foreground until SIGINT or SIGTERM.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the vendor emulator (Toplyne, Pyze, Talon.One, Netcore) on loopback.",
        discussion: """
        Prints each vendor's base URL and the credentials the sandbox accepts (fixed, not secret) \
        as export lines. Control endpoints: GET /_sandbox/ledger/TARGET, GET /_sandbox/counts, \
        GET /_sandbox/duplicates, POST /_sandbox/reset, POST /_sandbox/faults (body: a fault spec).
        """)

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 8787

    @Option(help: "Interface to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Faults to inject, e.g. \"503=0.2,429=0.1,drop=0.05,lost=0.01,slow=0.02,latency=20ms,retry-after=1,slow-delay=5s,seed=42\".")
    var faults: String?

    @Option(help: "Seed of the fault draws (overrides seed= in --faults).")
    var seed: UInt64?

    @Option(help: "Append every accepted record to this NDJSON file.")
    var ledger: String?

    @Option(name: .customLong("rate-limit"), help: "Requests per second allowed per credential (429 beyond).")
    var rateLimit: Double?

    @Flag(name: .customLong("counts-only"), help: "Count accepted records without keeping them (constant memory, for long load tests); the ledger and duplicates endpoints then list none.")
    var countsOnly = false

    func validate() throws {
        if let rateLimit, !(rateLimit > 0) { throw ValidationError("--rate-limit must be a positive number of requests per second") }
        do { _ = try FaultPlan(parsing: faults ?? "") } catch { throw ValidationError("--faults: \(error.description)") }
    }

    func run() async throws {
        var plan: FaultPlan
        do { plan = try FaultPlan(parsing: faults ?? "") } catch { throw ValidationError("--faults: \(error.description)") }
        if let seed { plan.seed = seed }
        let termination = TerminationSignals()
        let server: SandboxServer
        do {
            server = try await SandboxServer.start(SandboxConfiguration(host: host, port: port, faults: plan,
                                                                        rateLimit: rateLimit, ledgerFile: ledger,
                                                                        keepsRecords: !countsOnly))
        } catch {
            printError("ferry: \(error)")
            throw ExitCode(3)
        }
        say("ferry sandbox listening on \(server.baseURL)")
        for vendor in Vendor.allCases {
            let targets = TargetCatalog.all.filter { $0.vendor == vendor }
            guard let first = targets.first else { continue }
            let regions = first.endpoint.regions.map(\.name)
            let urls = regions.isEmpty ? [server.baseURL(for: first)] : regions.map { server.baseURL(for: first, region: $0) }
            say("  \(vendor.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(urls.joined(separator: "  "))")
        }
        say("  control   \(server.baseURL)/_sandbox/counts")
        say("faults: \(plan.rates.isEmpty && plan.latency == .zero ? "none" : plan.description)")
        if let rateLimit { print("rate limit: \(rateLimit) requests/s per credential") }
        say("# credentials the sandbox accepts (fixed sandbox values, not secrets):")
        for (name, value) in SandboxCredentials.environment.sorted(by: { $0.key < $1.key }) {
            say("export \(name)=\(value)")
        }
        let signal = await termination.next()
        say("ferry sandbox: signal \(signal), stopping")
        await server.stop()
    }

    /// SIGINT and SIGTERM as a stream, from the moment it is made (their default action,
    /// ending the process, is turned off), so that a signal sent while the server starts or
    /// prints is not lost.
    struct TerminationSignals {
        let signals: AsyncStream<Int32>
        private let sources: [any DispatchSourceSignal]

        init() {
            let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
            let queue = DispatchQueue(label: "ferry.sandbox.signals")
            self.signals = signals
            self.sources = [SIGINT, SIGTERM].map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                return source
            }
        }

        /// Waits for the first signal.
        func next() async -> Int32 {
            var iterator = signals.makeAsyncIterator()
            let received = await iterator.next() ?? SIGTERM
            for source in sources { source.cancel() }
            return received
        }
    }
}

/// A line on stdout, written at once (not held in a buffer when stdout is a pipe).
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

import ArgumentParser
import Dispatch
import Foundation
import FerryCore
import FerryLoader
import FerrySandbox
import FerryVendors

struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Upload the validated records to the vendor, with retries, a checkpoint and a report.",
        discussion: """
        The credential comes from the target's environment variable (see `ferry targets NAME`) \
        or --token-file, and is never printed. --sandbox sends to the embedded vendor emulator \
        on loopback instead, with its own credentials. Exit codes: 0 every row delivered or \
        filtered; 1 some rows invalid or refused by the vendor; 2 usage or mapping error, \
        nothing sent; 3 fatal (authentication, vendor unavailable, I/O), report still written; \
        130 interrupted after draining in-flight requests, checkpoint saved.
        """)

    @OptionGroup var options: RunOptions
    @OptionGroup var sending: SendOptions

    func run() async throws {
        if sending.resume && sending.checkpoint == nil {
            throw ValidationError("--resume needs --checkpoint FILE")
        }
        let environment = sending.credentialEnvironment()
        let (loaded, files) = try options.prepare()
        let target = loaded.target
        if target.destructive && !sending.yes {
            printError("ferry: \(target.name) is destructive: \(target.summary). Nothing was read or sent; add --yes to go ahead.")
            throw ExitCode(2)
        }
        var sandbox: SandboxServer?
        if sending.sandbox {
            sandbox = try await Self.startSandbox(faults: sending.sandboxFaults)
        }
        let endpoint = try sandbox.map { $0.baseURL(for: target, region: sending.region) } ?? sending.baseURL(for: target)
        let authorization = try await sending.authorization(for: target, baseURL: endpoint, environment: environment)
        var checkpoint: CheckpointJournal?
        if let path = sending.checkpoint {
            do {
                let fingerprint = try JobFingerprint(target: target.name, mappingPath: options.mapping, inputs: files,
                                                     batchSize: options.batchSize, limit: options.limit,
                                                     groupMemory: options.groupMemory)
                checkpoint = try CheckpointJournal(path: path, fingerprint: fingerprint, target: target.name, resume: sending.resume)
            } catch {
                printError("ferry: \(error.description); nothing was sent")
                throw ExitCode(2)
            }
        }
        let deadLetters = try options.openDeadLetters(append: sending.resume)
        var pipeline = options.pipelineOptions
        pipeline.maxInvalid = try sending.invalidBudget()
        let run = LoadRun(LoadRun.Job(
            target: target, mapping: loaded.compiled, mappingPath: options.mapping, inputs: files,
            pipeline: pipeline, settings: sending.settings, baseURL: endpoint, authorization: authorization,
            checkpoint: checkpoint, deadLetters: deadLetters))
        let signals = InterruptHandler { run.interrupt() }
        let progress = ProgressPrinter(mode: sending.progress, quiet: options.quiet) { run.progress }
        progress.start()
        let report = await run.run()
        progress.stop()
        signals.cancel()
        if let sandbox {
            if !options.quiet {
                let counts = await sandbox.ledger.counts
                printError("sandbox: the ledger holds \(counts[target.name] ?? 0) record\(counts[target.name] == 1 ? "" : "s") for \(target.name) (\(sandbox.baseURL))")
            }
            await sandbox.stop()
        }
        try options.conclude(report, sending: true)
    }

    /// The embedded sandbox on an ephemeral loopback port.
    static func startSandbox(faults spec: String?) async throws -> SandboxServer {
        // Counts only: a rehearsal of any size runs in constant memory (`ferry sandbox` keeps records).
        var configuration = SandboxConfiguration(keepsRecords: false)
        if let spec {
            do {
                configuration.faults = try FaultPlan(parsing: spec)
            } catch {
                printError("ferry: --sandbox-faults: \(error.description)")
                throw ExitCode(2)
            }
        }
        do {
            return try await SandboxServer.start(configuration)
        } catch {
            printError("ferry: cannot start the sandbox: \(error)")
            throw ExitCode(3)
        }
    }
}

/// SIGINT/SIGTERM: the first asks the run to drain and save; a second exits at once (the
/// checkpoint is already consistent: it only ever holds answered requests).
final class InterruptHandler: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(_ onInterrupt: @escaping @Sendable () -> Void) {
        let count = ManagedCounter()
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if count.increment() == 1 {
                    printError("ferry: interrupted; finishing the requests in flight and saving the checkpoint (interrupt again to quit now)")
                    onInterrupt()
                } else {
                    Foundation.exit(130)
                }
            }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}

/// A counter safe to bump from signal handlers' queue.
final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

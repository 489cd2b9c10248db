import FerryVendors
import Hummingbird
import Logging
import ServiceLifecycle

/// The vendor emulator: a Hummingbird HTTP server on loopback that answers every target's
/// endpoint as the vendor would (routes: `SandboxRouter`; credentials: `SandboxCredentials`),
/// records what it accepts (`ledger`), and injects faults (`FaultPlan`).
///
/// ```swift
/// let server = try await SandboxServer.start(SandboxConfiguration())
/// let base = server.baseURL(for: Toplyne.userEvents)   // http://127.0.0.1:PORT/toplyne
/// ...
/// await server.stop()
/// ```
public final class SandboxServer: Sendable {
    public let host: String
    /// The port it listens on (the one picked when the configuration said 0).
    public let port: Int
    /// What it accepted.
    public let ledger: SandboxLedger
    let state: SandboxState
    var traffic: SandboxTraffic { state.traffic }
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    private init(host: String, port: Int, state: SandboxState, group: ServiceGroup, task: Task<Void, Never>) {
        self.host = host
        self.port = port
        self.ledger = state.ledger
        self.state = state
        self.group = group
        self.task = task
    }

    /// Binds and returns once the server is listening. Throws when the ledger file cannot be
    /// opened or the address cannot be bound.
    public static func start(_ configuration: SandboxConfiguration = SandboxConfiguration()) async throws -> SandboxServer {
        let ledger = try SandboxLedger(appendingTo: configuration.ledgerFile, keepsRecords: configuration.keepsRecords)
        let traffic = SandboxTraffic(plan: configuration.faults, rateLimit: configuration.rateLimit)
        let state = SandboxState(ledger: ledger, traffic: traffic)
        let router = SandboxRouter.make(state: state)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "ferry.sandbox")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            server: LoopBoundHTTP1Channel.builder,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port),
                                                    serverName: "ferry-sandbox"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
        let (failures, failure) = AsyncStream.makeStream(of: String.self)
        let task = Task {
            do { try await group.run() } catch { failure.yield(String(describing: error)) }
            failure.finish()
            continuation.finish()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            await task.value
            var reasons = failures.makeAsyncIterator()
            let reason = await reasons.next() ?? "it stopped before listening"
            throw SandboxError("the sandbox cannot listen on \(configuration.host):\(configuration.port): \(reason)")
        }
        return SandboxServer(host: configuration.host, port: port, state: state, group: group, task: task)
    }

    /// Stops listening, lets requests in flight finish (for at most `grace`; then they are
    /// cut off), closes connections, and returns when the server has shut down.
    public func stop(grace: Duration = .seconds(2)) async {
        await group.triggerGracefulShutdown()
        let task = self.task
        let deadline = Task {
            try await Task.sleep(for: grace)
            task.cancel()
        }
        await task.value
        deadline.cancel()
    }

    /// Runs until the surrounding task is cancelled (for a blocking `ferry sandbox`).
    public func wait() async {
        await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// A text that makes the sandbox refuse the record holding it (any string value at any
    /// depth), with the vendor's error naming that record: for tests of refused records.
    public static let refusedRecordMarker = VendorRoute.poison

    /// `http://HOST:PORT`.
    public var baseURL: String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    /// The base URL a client puts in front of `target`'s documented `endpoint.path`
    /// (`http://127.0.0.1:PORT/toplyne`; Netcore: `.../netcore/us` unless `region` says otherwise).
    public func baseURL(for target: Target, region: String? = nil) -> String {
        baseURL + SandboxRouter.prefix(for: target, region: region)
    }

    /// Replaces the fault plan from the next request on.
    public func setFaults(_ plan: FaultPlan) async { await traffic.replacePlan(plan) }

    /// The plan in force.
    public var faults: FaultPlan { get async { await traffic.plan } }

    /// How many of each fault were injected (forced ones included).
    public var faultCounts: [FaultPlan.Kind: Int] { get async { await traffic.faultCounts } }

    /// Vendor requests received (numbered so far).
    public var requestCount: UInt64 { get async { await traffic.requests } }

    /// Requests answered 429 by the rate limiter.
    public var rateLimitedCount: Int { get async { await traffic.rateLimited } }

    /// Empties the ledger and the Talon.One sessions, restarts numbering and counters (the
    /// fault plan stays).
    public func reset() async {
        await state.reset()
    }
}

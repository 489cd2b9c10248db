/// How a sandbox server runs.
public struct SandboxConfiguration: Sendable {
    /// Interface to bind (loopback by default).
    public var host: String
    /// Port to bind; 0 picks a free one (read it from `SandboxServer.port`).
    public var port: Int
    /// Faults to inject (none by default); replaceable at run time with POST /_sandbox/faults.
    public var faults: FaultPlan
    /// Requests per second allowed per credential (token bucket, bursts of one second's worth);
    /// nil: no limit.
    public var rateLimit: Double?
    /// NDJSON file each accepted record is appended to (see `SandboxLedger`).
    public var ledgerFile: String?
    /// Whether the in-memory ledger keeps every record (about 500 bytes each), or only counts
    /// them, so that a load of any size into the sandbox runs in constant memory.
    public var keepsRecords: Bool

    public init(host: String = "127.0.0.1", port: Int = 0, faults: FaultPlan = .none,
                rateLimit: Double? = nil, ledgerFile: String? = nil, keepsRecords: Bool = true) {
        self.keepsRecords = keepsRecords
        self.host = host
        self.port = port
        self.faults = faults
        self.rateLimit = rateLimit
        self.ledgerFile = ledgerFile
    }
}

import Foundation

/// How `ferry load` sends: the knobs of DESIGN.md's load options.
public struct LoadSettings: Sendable {
    /// Requests in flight at most (`--concurrency`); adaptive concurrency works below it.
    public var concurrency: Int
    /// Requests per second at most (`--rate`), nil for no limit.
    public var rate: Double?
    public var retry: RetryPolicy
    /// Seconds one request may take from connecting to its last response byte (`--timeout`).
    public var timeout: Double
    /// Seconds to open a connection.
    public var connectTimeout: Double
    /// Batches waiting for a sender at most, unless they are small (memory bound: with
    /// `concurrency` in flight, at most `concurrency + queueDepth` bodies are held, or as many
    /// as take `queueBytes` and one more body).
    public var queueDepth: Int
    /// Body bytes up to which more than `queueDepth` batches may wait (up to 1,024 of them).
    public var queueBytes: Int = 4 << 20

    public init(concurrency: Int = 8, rate: Double? = nil, retry: RetryPolicy = RetryPolicy(), timeout: Double = 30,
                connectTimeout: Double = 10, queueDepth: Int? = nil) {
        self.concurrency = max(1, concurrency)
        self.rate = rate
        self.retry = retry
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.queueDepth = queueDepth ?? max(4, 2 * self.concurrency)
    }
}

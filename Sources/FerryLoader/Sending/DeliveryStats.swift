/// What sending did in one `ferry load` run, for the report.
public struct DeliveryStats: Sendable {
    /// HTTP requests made, retries and split halves included.
    public var requests = 0
    /// Requests repeated after a retryable answer or a transport error.
    public var retries = 0
    /// Batches refused for their content and split in halves to find the bad records.
    public var splits = 0
    /// Batches acknowledged in an earlier run (from the checkpoint) and not sent again.
    public var resumedBatches = 0
    /// Records of those batches (their rows count as delivered or rejected, as the checkpoint says).
    public var resumedRecords = 0
    /// Answers by HTTP status.
    public var statusCounts: [Int: Int] = [:]
    /// Requests that got no answer, by kind (timeout, connection closed, ...).
    public var transportErrors: [String: Int] = [:]
    public var latency = LatencyHistogram()
    /// The concurrency limit when the run ended (adaptive, at most `--concurrency`).
    public var finalConcurrency = 0
    public var maxConcurrency = 0
    /// Bytes of request bodies sent (retries included).
    public var bytesSent: Int64 = 0
    /// Why sending stopped early (authentication, vendor unavailable, interrupted), if it did.
    public var abortReason: String?
    /// Set when SIGINT or SIGTERM stopped the run.
    public var interrupted = false

    public init() {}
}

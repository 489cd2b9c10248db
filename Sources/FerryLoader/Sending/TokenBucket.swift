/// `--rate R`: at most R requests per second on average, with bursts of up to `burst`.
/// Time is passed in (seconds on any monotonic clock), so the bucket is plain arithmetic.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var last: Double?

    public init(rate: Double, burst: Double? = nil) {
        self.rate = rate
        self.burst = max(1, burst ?? rate)
        tokens = self.burst
    }

    /// Takes one token at time `now`; returns how long to wait first (0 when one is ready).
    /// The token is reserved either way, so callers that wait the returned time stay within
    /// the rate.
    public mutating func take(at now: Double) -> Double {
        if let last { tokens = min(burst, tokens + max(0, now - last) * rate) }
        last = now
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / rate
    }
}

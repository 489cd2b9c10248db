import FerryCore

/// Token buckets per credential, as a vendor's rate limiter: `rate` requests per second with
/// bursts of up to `burst`; a request finding its bucket empty is answered 429 with the
/// seconds until the next token as Retry-After.
struct RateLimiter: Sendable {
    let rate: Double
    let burst: Double
    private var buckets: [String: (tokens: Double, updated: ContinuousClock.Instant)] = [:]

    init(rate: Double) {
        self.rate = rate
        self.burst = max(1, rate)
    }

    /// Nil when the request may go ahead; otherwise the whole seconds to wait (at least 1).
    mutating func take(for credential: String, now: ContinuousClock.Instant = .now) -> Int? {
        var bucket = buckets[credential] ?? (tokens: burst, updated: now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated).inSeconds * rate)
        bucket.updated = now
        defer { buckets[credential] = bucket }
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            return nil
        }
        return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
    }

    mutating func reset() { buckets = [:] }
}

/// How many requests may be in flight: additive increase while the vendor is healthy,
/// multiplicative decrease when it pushes back (429, 503) or its latency climbs well above
/// what it was when healthy. Bounded by 1 and the user's `--concurrency`. Plain arithmetic
/// fed with outcomes, so it is tested without a network.
public struct AdaptiveConcurrency: Sendable {
    public let maximum: Int
    /// The current limit (1...maximum).
    public private(set) var limit: Double
    /// Smoothed latency of successful requests while healthy (seconds), the baseline.
    public private(set) var baseline: Double?
    /// Latency above `baseline * latencyFactor`, and at least `minimumRise` above the
    /// baseline, counts as pushback.
    public let latencyFactor: Double
    /// Seconds a latency must rise above the baseline before it counts, whatever the factor:
    /// on a near server (a baseline well under a millisecond) scheduling jitter alone is a
    /// factor of 3 and more, and halving the concurrency for it only slows the run.
    public let minimumRise: Double
    /// Successes needed, per unit of the current limit, before it grows by one.
    private var successes = 0.0
    /// No second decrease until this many more outcomes have come in (one round trip).
    private var cooldown = 0

    public enum Outcome: Sendable {
        case success(latency: Double)
        /// 429 / 503: the vendor says slow down.
        case pushback
        /// Other failures (timeouts, 5xx) say nothing certain about load: no change.
        case failure
    }

    public init(maximum: Int, start: Int? = nil, latencyFactor: Double = 3, minimumRise: Double = 0.05) {
        self.maximum = max(1, maximum)
        limit = Double(min(self.maximum, max(1, start ?? self.maximum)))
        self.latencyFactor = latencyFactor
        self.minimumRise = minimumRise
    }

    /// Requests that may be in flight now.
    public var current: Int { max(1, min(maximum, Int(limit.rounded(.down)))) }

    public mutating func record(_ outcome: Outcome) {
        if cooldown > 0 { cooldown -= 1 }
        switch outcome {
        case .pushback:
            decrease()
        case .failure:
            break
        case .success(let latency):
            if let baseline, latency > baseline * latencyFactor, latency > baseline + minimumRise {
                decrease()
                return
            }
            baseline = baseline.map { $0 * 0.95 + latency * 0.05 } ?? latency
            successes += 1
            if successes >= limit {
                successes = 0
                limit = min(Double(maximum), limit + 1)
            }
        }
    }

    private mutating func decrease() {
        guard cooldown == 0 else { return }
        limit = max(1, (limit * 0.5).rounded(.down))
        successes = 0
        cooldown = current
    }
}

import Foundation

/// Which faults the sandbox injects, how often, and how they behave: parsed from a spec such as
/// `"503=0.2,429=0.1,500=0.05,502=0.05,drop=0.05,slow=0.02,latency=20ms,lost=0.01,retry-after=1,slow-delay=5s,seed=42"`.
///
/// Each vendor request gets a sequence number in arrival order (1, 2, ...). The fault of
/// request N is decided by `fault(forRequest: N)`: a SplitMix64 hash of (seed, N) read as a
/// number u in [0, 1), compared with the kinds' rates laid end to end in the order of
/// `Kind.allCases`. The decision for request N never depends on timing or on other requests,
/// so two runs with the same seed inject the same faults into the same request numbers.
///
/// Items:
/// - `429`, `500`, `502`, `503`, `drop`, `lost`, `slow` `=RATE`: probability in [0, 1] per
///   request; the rates together may not exceed 1.
/// - `latency=DURATION`: added before every vendor answer (`20ms`, `1s`, `0.5s`).
/// - `slow-delay=DURATION`: how long a `slow` answer waits (default 5s).
/// - `retry-after=SECONDS`: the Retry-After header of 429 and 503 answers (default 1).
/// - `seed=N`: the seed of the draws (default 0).
public struct FaultPlan: Sendable, Equatable, CustomStringConvertible {
    /// One kind of injected fault. What each does on the wire:
    public enum Kind: String, Sendable, CaseIterable {
        /// HTTP 429 in the vendor's error shape, with `Retry-After`; nothing applied.
        case tooManyRequests = "429"
        /// HTTP 500 in the vendor's error shape; nothing applied.
        case internalServerError = "500"
        /// HTTP 502; nothing applied.
        case badGateway = "502"
        /// HTTP 503 with `Retry-After`; nothing applied.
        case serviceUnavailable = "503"
        /// The response head (with a Content-Length) and part of the body are written, then the
        /// connection is closed; nothing applied.
        case drop
        /// The request is applied (its records go to the ledger, marked `lost`), then the
        /// connection is closed mid-response as for `drop`: the client cannot know it succeeded.
        case lost
        /// The request is applied and answered normally, but only after `slowDelay`
        /// (meant to outlast a client's timeout).
        case slow
    }

    /// Probability of each kind per request.
    public var rates: [Kind: Double]
    /// Added before every vendor answer.
    public var latency: Duration
    /// How long a `slow` answer waits.
    public var slowDelay: Duration
    /// Retry-After (seconds) of 429 and 503 answers.
    public var retryAfter: Int
    public var seed: UInt64

    /// No faults.
    public static let none = FaultPlan()

    public init(rates: [Kind: Double] = [:], latency: Duration = .zero, slowDelay: Duration = .seconds(5),
                retryAfter: Int = 1, seed: UInt64 = 0) {
        self.rates = rates.filter { $0.value > 0 }
        self.latency = latency
        self.slowDelay = slowDelay
        self.retryAfter = retryAfter
        self.seed = seed
    }

    /// Parses a spec (see the type's documentation); an empty spec is no faults.
    public init(parsing spec: String) throws(FaultPlanError) {
        self.init()
        for rawItem in spec.split(separator: ",") {
            let item = rawItem.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            guard let equals = item.firstIndex(of: "=") else {
                throw FaultPlanError(item: item, message: "expected NAME=VALUE")
            }
            let name = item[..<equals].lowercased()
            let value = String(item[item.index(after: equals)...])
            if let kind = Kind(rawValue: name) {
                guard let rate = Double(value), rate >= 0, rate <= 1 else {
                    throw FaultPlanError(item: item, message: "the rate must be a number from 0 to 1")
                }
                rates[kind] = rate > 0 ? rate : nil
                continue
            }
            switch name {
            case "latency": latency = try Self.duration(value, item: item)
            case "slow-delay": slowDelay = try Self.duration(value, item: item)
            case "retry-after":
                guard let seconds = Int(value), seconds >= 0 else {
                    throw FaultPlanError(item: item, message: "retry-after is a whole number of seconds")
                }
                retryAfter = seconds
            case "seed":
                guard let seed = UInt64(value) else {
                    throw FaultPlanError(item: item, message: "the seed is a non-negative integer")
                }
                self.seed = seed
            default:
                let known = Kind.allCases.map(\.rawValue) + ["latency", "slow-delay", "retry-after", "seed"]
                throw FaultPlanError(item: item, message: "unknown fault '\(name)'; known: \(known.joined(separator: ", "))")
            }
        }
        let total = rates.values.reduce(0, +)
        if total > 1 + 1e-9 {
            throw FaultPlanError(item: spec, message: "the fault rates add up to \(total), more than 1")
        }
    }

    /// `20ms`, `1.5s`, `250us`.
    static func duration(_ text: String, item: String) throws(FaultPlanError) -> Duration {
        let units: [(suffix: String, perSecond: Double)] = [("ms", 1_000), ("us", 1_000_000), ("s", 1)]
        for unit in units where text.hasSuffix(unit.suffix) {
            if let number = Double(text.dropLast(unit.suffix.count)), number >= 0, number.isFinite {
                return .nanoseconds(Int64((number / unit.perSecond * 1e9).rounded()))
            }
        }
        throw FaultPlanError(item: item, message: "expected a duration such as 20ms or 5s")
    }

    /// The fault injected into request `sequence` (1-based arrival number), or nil.
    public func fault(forRequest sequence: UInt64) -> Kind? {
        if rates.isEmpty { return nil }
        let draw = Self.unitInterval(seed: seed, sequence: sequence)
        var cumulative = 0.0
        for kind in Kind.allCases {
            guard let rate = rates[kind] else { continue }
            cumulative += rate
            if draw < cumulative { return kind }
        }
        return nil
    }

    /// A number in [0, 1) from SplitMix64 of (seed, sequence): its top 53 bits.
    static func unitInterval(seed: UInt64, sequence: UInt64) -> Double {
        var z = seed &+ sequence &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(UInt64(1) << 53)
    }

    /// The spec that parses back to this plan.
    public var description: String {
        var items = Kind.allCases.compactMap { kind in rates[kind].map { "\(kind.rawValue)=\($0)" } }
        if latency > .zero { items.append("latency=\(Self.milliseconds(latency))ms") }
        items.append("slow-delay=\(Self.milliseconds(slowDelay))ms")
        items.append("retry-after=\(retryAfter)")
        items.append("seed=\(seed)")
        return items.joined(separator: ",")
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}

/// A fault spec that does not parse: which item, and why.
public struct FaultPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    public var item: String
    public var message: String

    public var description: String { "bad fault spec item '\(item)': \(message)" }
}

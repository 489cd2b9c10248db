import Foundation

/// Request latencies in logarithmic buckets (about 2% wide, from 10 µs to over an hour):
/// constant memory however many requests a run sends, percentiles within a bucket's width.
public struct LatencyHistogram: Sendable {
    private static let bucketsPerDoubling = 35.0
    private static let smallest = 1e-5
    private var buckets = [Int](repeating: 0, count: 1000)
    public private(set) var count = 0
    public private(set) var maximum = 0.0

    public init() {}

    public mutating func record(_ seconds: Double) {
        let index = Self.index(for: seconds)
        buckets[index] += 1
        count += 1
        maximum = max(maximum, seconds)
    }

    static func index(for seconds: Double) -> Int {
        guard seconds > smallest else { return 0 }
        let i = Int((log2(seconds / smallest) * bucketsPerDoubling).rounded(.down)) + 1
        return min(999, max(0, i))
    }

    /// The upper edge of bucket `index`, in seconds.
    static func upperEdge(_ index: Int) -> Double {
        index == 0 ? smallest : smallest * exp2(Double(index) / bucketsPerDoubling)
    }

    /// The latency below which `fraction` (0...1) of the requests finished; nil with none.
    public func percentile(_ fraction: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((fraction * Double(count)).rounded(.up)))
        var seen = 0
        for (index, n) in buckets.enumerated() where n > 0 {
            seen += n
            if seen >= rank { return min(Self.upperEdge(index), maximum) }
        }
        return maximum
    }
}

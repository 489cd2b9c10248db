/// Row counts. For every input and in total: read = filtered + invalid + valid, and
/// valid = delivered + rejected + pending (the last three only move when sending).
public struct RunCounts: Sendable, Equatable {
    public var read = 0
    public var filtered = 0
    public var invalid = 0
    public var valid = 0
    public var delivered = 0
    public var rejected = 0
    public var pending = 0

    public init() {}

    public var balances: Bool {
        read == filtered + invalid + valid
    }

    public static func += (lhs: inout RunCounts, rhs: RunCounts) {
        lhs.read += rhs.read
        lhs.filtered += rhs.filtered
        lhs.invalid += rhs.invalid
        lhs.valid += rhs.valid
        lhs.delivered += rhs.delivered
        lhs.rejected += rhs.rejected
        lhs.pending += rhs.pending
    }
}

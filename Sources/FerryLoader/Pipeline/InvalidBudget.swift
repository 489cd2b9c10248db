import Foundation

/// `--max-invalid N` or `--max-invalid P%`: how many invalid rows a run tolerates before it
/// stops, so that a clearly wrong mapping does not send garbage for an hour.
public enum InvalidBudget: Sendable, Equatable, CustomStringConvertible {
    /// More than this many invalid rows stop the run.
    case count(Int)
    /// More than this share (0...100) of the rows read stop the run, judged once at least
    /// `minimumRows` rows are read (one bad row among the first three is not 33%).
    case percent(Double)

    public static let minimumRows = 1000

    /// `"100"` or `"2.5%"`; nil when unreadable.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let value = Double(trimmed.dropLast()), value >= 0, value <= 100 else { return nil }
            self = .percent(value)
        } else {
            guard let value = Int(trimmed), value >= 0 else { return nil }
            self = .count(value)
        }
    }

    public func isExceeded(invalid: Int, read: Int) -> Bool {
        switch self {
        case .count(let limit):
            return invalid > limit
        case .percent(let share):
            guard read >= Self.minimumRows else { return false }
            return Double(invalid) * 100 > share * Double(read)
        }
    }

    public var description: String {
        switch self {
        case .count(let n): return "\(n) rows"
        case .percent(let p): return "\(p)% of the rows read"
        }
    }
}

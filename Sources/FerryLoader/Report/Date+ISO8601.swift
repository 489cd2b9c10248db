import Foundation
import FerryCore

extension Date {
    /// ISO-8601 in UTC with milliseconds when there are any (`2023-11-14T22:13:20.250Z`),
    /// through ferry's own formatter: the report's times and Pyze's `sentAt`.
    var iso8601UTC: String {
        TimestampFormatter.string(millisecondTimestamp, as: .iso8601UTC)
    }

    /// The instant, truncated to milliseconds.
    var millisecondTimestamp: Timestamp {
        let t = timeIntervalSince1970
        let seconds = Int64(t.rounded(.down))
        let nanos = Int32(((t - Double(seconds)) * 1000).rounded(.down)) * 1_000_000
        return Timestamp(seconds: seconds, nanoseconds: nanos)
    }
}

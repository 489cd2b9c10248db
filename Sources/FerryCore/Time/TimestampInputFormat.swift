/// How a source column writes a time (a mapping's `timestamp:` value).
///
/// - `epoch_s`, `epoch_ms`, `epoch_us`: a number of seconds, milliseconds or microseconds
///   since 1970-01-01T00:00:00Z, with an optional sign and fraction (`1700000000.25`).
/// - `epoch_auto`: the unit is chosen by the magnitude of the integer part:
///   |v| < 10^11 is seconds, < 10^14 milliseconds, < 10^17 microseconds, otherwise
///   nanoseconds. Each band spans up to 10^11 seconds from 1970, i.e. up to the year 5138
///   (and back to 1970 - 3168 = year -1198, well before 0000). The guess fails only for a
///   millisecond value before 1973-03-03T09:46:40Z (below 10^11 ms, read as seconds) and the
///   like for microseconds and nanoseconds; use an explicit unit for such data.
/// - `iso8601`: `2024-01-31`, `2024-01-31T09:30`, `2024-01-31 09:30:00.250+05:30`, ...
/// - anything else is a pattern such as `M/d/yyyy h:mm a` (see ``TimestampPattern``).
///
/// Names are matched without regard to letter case.
public enum TimestampInputFormat: Sendable, Equatable {
    case epochSeconds, epochMilliseconds, epochMicroseconds, epochAuto, iso8601
    case pattern(TimestampPattern)

    /// The format names, as written in a mapping file.
    public static let names = ["epoch_s", "epoch_ms", "epoch_us", "epoch_auto", "iso8601"]

    /// "epoch_s", "epoch_ms", "epoch_us", "epoch_auto", "iso8601"; anything else is compiled as a pattern.
    public init(spec: String) throws(TimestampFormatError) {
        switch spec.lowercased() {
        case "epoch_s": self = .epochSeconds
        case "epoch_ms": self = .epochMilliseconds
        case "epoch_us": self = .epochMicroseconds
        case "epoch_auto": self = .epochAuto
        case "iso8601": self = .iso8601
        default: self = .pattern(try TimestampPattern(spec))
        }
    }

    /// The text form, as a mapping file writes it.
    public var spec: String {
        switch self {
        case .epochSeconds: return "epoch_s"
        case .epochMilliseconds: return "epoch_ms"
        case .epochMicroseconds: return "epoch_us"
        case .epochAuto: return "epoch_auto"
        case .iso8601: return "iso8601"
        case .pattern(let pattern): return pattern.text
        }
    }

    /// True when values in this format can carry no UTC offset, so a `timezone` matters
    /// (iso8601, whose values may omit the offset, and patterns without an offset field).
    public var usesTimeZone: Bool {
        switch self {
        case .epochSeconds, .epochMilliseconds, .epochMicroseconds, .epochAuto: return false
        case .iso8601: return true
        case .pattern(let pattern): return !pattern.hasOffsetField
        }
    }

    /// True for the epoch formats, which also accept JSON numbers.
    public var isEpoch: Bool {
        switch self {
        case .epochSeconds, .epochMilliseconds, .epochMicroseconds, .epochAuto: return true
        case .iso8601, .pattern: return false
        }
    }

    /// A sample value, for messages.
    public var example: String {
        switch self {
        case .epochSeconds: return "1706693400"
        case .epochMilliseconds: return "1706693400000"
        case .epochMicroseconds: return "1706693400000000"
        case .epochAuto: return "1706693400"
        case .iso8601: return "2024-01-31T09:30:00Z"
        case .pattern(let pattern): return pattern.example
        }
    }
}

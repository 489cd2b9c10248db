/// An instant in time with nanosecond precision, plus the UTC offset its source carried.
///
/// `seconds` counts from 1970-01-01T00:00:00Z; `nanoseconds` is always in
/// `0..<1_000_000_000`, so an instant before 1970 with a fraction keeps floor semantics:
/// half a second before the epoch is `seconds: -1, nanoseconds: 500_000_000`.
///
/// `offsetSeconds` is the UTC offset the value was written with (`+05:30` in the source), or
/// the one the mapping's time zone gave it, when known; RFC 3339 output writes the time in
/// that offset. Equality compares all three fields; ordering is by instant first (then by
/// offset, only to keep `<` consistent with `==`). Use ``isSameInstant(as:)`` to compare
/// instants alone.
public struct Timestamp: Sendable, Hashable, Comparable {
    /// Whole seconds since 1970-01-01T00:00:00Z (floor of the instant).
    public var seconds: Int64
    /// Nanoseconds past `seconds`, `0..<1_000_000_000`.
    public var nanoseconds: Int32
    /// UTC offset in seconds (east positive) the source carried or the zone gave, when known.
    public var offsetSeconds: Int32?

    /// Creates a timestamp. A `nanoseconds` value outside `0..<1_000_000_000` is carried
    /// into `seconds` (floor division), so the stored fraction is always non-negative.
    @inlinable
    public init(seconds: Int64, nanoseconds: Int32 = 0, offsetSeconds: Int32? = nil) {
        if nanoseconds >= 0 && nanoseconds < 1_000_000_000 {
            self.seconds = seconds
            self.nanoseconds = nanoseconds
        } else {
            var carry = Int64(nanoseconds / 1_000_000_000)
            var rest = nanoseconds % 1_000_000_000
            if rest < 0 {
                rest += 1_000_000_000
                carry -= 1
            }
            self.seconds = seconds &+ carry
            self.nanoseconds = rest
        }
        self.offsetSeconds = offsetSeconds
    }

    /// True when both denote the same instant, whatever offsets they carry.
    @inlinable
    public func isSameInstant(as other: Timestamp) -> Bool {
        seconds == other.seconds && nanoseconds == other.nanoseconds
    }

    /// The same instant with a different (or no) offset.
    @inlinable
    public func withOffset(_ offset: Int32?) -> Timestamp {
        var copy = self
        copy.offsetSeconds = offset
        return copy
    }

    @inlinable
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        if lhs.seconds != rhs.seconds { return lhs.seconds < rhs.seconds }
        if lhs.nanoseconds != rhs.nanoseconds { return lhs.nanoseconds < rhs.nanoseconds }
        switch (lhs.offsetSeconds, rhs.offsetSeconds) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case let (l?, r?): return l < r
        }
    }
}

extension Timestamp: CustomStringConvertible {
    /// RFC 3339 text, for debugging and test failure messages.
    public var description: String {
        TimestampFormatter.string(self, as: .rfc3339)
    }
}

/// A timestamp format, pattern or time-zone name that cannot be used: an unknown format
/// name, an unsupported pattern letter, an unknown zone. Raised once, when a mapping is compiled.
public struct TimestampFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and what to write instead.
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// A value that does not parse as a time in the expected format. The message says what was
/// expected, for example "expected ISO-8601 such as 2024-01-31T09:30:00Z", "month 13 out of
/// range" or "2024-02-30 is not a date".
public struct TimestampParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}

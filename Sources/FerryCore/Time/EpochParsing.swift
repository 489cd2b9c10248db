/// Epoch numbers in text or JSON.
enum EpochParsing {
    enum Unit {
        case seconds, milliseconds, microseconds, nanoseconds

        /// `epoch_auto`: |v| < 10^11 seconds, < 10^14 ms, < 10^17 µs, else ns.
        @inline(__always)
        init(magnitude: UInt64) {
            if magnitude < 100_000_000_000 {
                self = .seconds
            } else if magnitude < 100_000_000_000_000 {
                self = .milliseconds
            } else if magnitude < 100_000_000_000_000_000 {
                self = .microseconds
            } else {
                self = .nanoseconds
            }
        }

        var nanosecondsPerUnit: UInt64 {
            switch self {
            case .seconds: return 1_000_000_000
            case .milliseconds: return 1_000_000
            case .microseconds: return 1000
            case .nanoseconds: return 1
            }
        }

        var unitsPerSecond: UInt64 { 1_000_000_000 / nanosecondsPerUnit }

        var expectation: String {
            switch self {
            case .seconds: return "expected epoch seconds such as 1706693400 or 1706693400.25"
            case .milliseconds: return "expected epoch milliseconds such as 1706693400000"
            case .microseconds: return "expected epoch microseconds such as 1706693400000000"
            case .nanoseconds: return "expected epoch nanoseconds such as 1706693400000000000"
            }
        }
    }

    static let autoExpectation = "expected an epoch number such as 1706693400 (seconds), 1706693400000 (milliseconds) or 1706693400000000 (microseconds)"

    /// Optional sign, digits, optional `.` and digits. `unit` nil means `epoch_auto`.
    @inline(__always)
    static func parse(_ b: UnsafeBufferPointer<UInt8>, unit: Unit?) throws(TimestampParseError) -> Timestamp {
        var i = 0
        var negative = false
        if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        let digitsStart = i
        var magnitude: UInt64 = 0
        while i < b.count {
            let d = b[i] &- UInt8(ascii: "0")
            guard d < 10 else { break }
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(d))
            guard !o1 && !o2 else { throw outOfRange() }
            magnitude = sum
            i += 1
        }
        guard i > digitsStart else { throw failure(b, i, unit, "digits") }
        var billionths: UInt64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            var scale: UInt64 = 100_000_000
            while i < b.count {
                let d = b[i] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                billionths &+= UInt64(d) &* scale
                scale /= 10
                i += 1
            }
            guard i > fractionStart else { throw failure(b, i, unit, "digits after '.'") }
        }
        guard i == b.count else { throw failure(b, i, unit, "a digit") }
        return try make(magnitude: magnitude, negative: negative, fraction: billionths, unit: unit ?? Unit(magnitude: magnitude))
    }

    /// Builds the instant `±(magnitude + fraction / 10^9) units`, with floor semantics.
    @inline(__always)
    static func make(magnitude: UInt64, negative: Bool, fraction billionths: UInt64, unit: Unit) throws(TimestampParseError) -> Timestamp {
        let perSecond = unit.unitsPerSecond
        let wholeSeconds = magnitude / perSecond
        let restUnits = magnitude % perSecond
        let nanosPerUnit = unit.nanosecondsPerUnit
        let nanos = restUnits * nanosPerUnit + billionths * nanosPerUnit / 1_000_000_000
        var seconds: Int64
        var nanoseconds: Int32
        if negative {
            guard wholeSeconds <= UInt64(-CivilCalendar.minimumSeconds) else { throw outOfRange() }
            seconds = -Int64(wholeSeconds)
            nanoseconds = Int32(nanos)
            if nanoseconds > 0 {
                seconds -= 1
                nanoseconds = 1_000_000_000 - nanoseconds
            }
            guard seconds >= CivilCalendar.minimumSeconds else { throw outOfRange() }
        } else {
            guard wholeSeconds <= UInt64(CivilCalendar.maximumSeconds) else { throw outOfRange() }
            seconds = Int64(wholeSeconds)
            nanoseconds = Int32(nanos)
        }
        return Timestamp(seconds: seconds, nanoseconds: nanoseconds, offsetSeconds: nil)
    }

    static func outOfRange() -> TimestampParseError {
        TimestampParseError(message: "epoch value out of range: ferry handles times from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z")
    }

    private static func failure(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ unit: Unit?, _ expected: String) -> TimestampParseError {
        TimestampParseError(message: (unit?.expectation ?? autoExpectation) + ": " + ByteScan.describe(b, at: i, expected: expected))
    }
}

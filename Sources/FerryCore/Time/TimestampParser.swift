/// Parses time values in one ``TimestampInputFormat``, once per row, on bytes.
///
/// Values without a UTC offset (ISO-8601 without `Z`/`+hh:mm`, patterns without an offset
/// field) are wall-clock times in ``timeZone`` (UTC when nil), resolved by
/// ``TimeZoneRules/resolve(localSeconds:)``: a time in a spring-forward gap moves forward by
/// the gap, an ambiguous time in a fall-back overlap takes the earlier instant.
/// The result carries the offset the value had or the zone gave (nil for offset-less values
/// read without a zone). Values with an offset ignore the zone.
///
/// Times must lie in the years 0000-9999. Leap seconds (`23:59:60`) are rejected.
///
/// Epoch text is an optional sign, digits and an optional `.` fraction (`1700000000.25`);
/// fraction digits beyond nanosecond precision are ignored. No spaces are accepted
/// (callers trim). A JSON number given as a `Double` is rounded to the nearest microsecond,
/// the precision a double holds for present-day epoch values.
public struct TimestampParser: Sendable {
    public let format: TimestampInputFormat
    /// The zone of values without an offset; nil means UTC.
    public let timeZone: TimeZoneRules?

    public init(format: TimestampInputFormat, timeZone: TimeZoneRules? = nil) {
        self.format = format
        self.timeZone = timeZone
        self.resolver = timeZone.flatMap { $0.isUTC ? nil : $0 }
        self.zoneIsUTC = timeZone?.isUTC ?? false
    }

    /// The zone to resolve offset-less values in; nil for UTC.
    private let resolver: TimeZoneRules?
    /// An explicit UTC zone: offset-less values then carry offset 0 rather than nil.
    private let zoneIsUTC: Bool

    public func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(TimestampParseError) -> Timestamp {
        switch format {
        case .epochSeconds: return try EpochParsing.parse(bytes, unit: .seconds)
        case .epochMilliseconds: return try EpochParsing.parse(bytes, unit: .milliseconds)
        case .epochMicroseconds: return try EpochParsing.parse(bytes, unit: .microseconds)
        case .epochAuto: return try EpochParsing.parse(bytes, unit: nil)
        case .iso8601: return try instant(try Self.scanISO8601(bytes))
        case .pattern(let pattern): return try instant(try pattern.scan(bytes))
        }
    }

    /// Whether `parse(bytes)` gives a time, found without making it (for ISO-8601: the fields'
    /// ranges checked, no instant computed): what the sandbox's scan of a body needs.
    public func accepts(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch format {
        case .iso8601:
            guard let fields = try? Self.scanISO8601(bytes) else { return false }
            return fields.inRange
        default:
            return (try? parse(bytes)) != nil
        }
    }

    public func parse(_ text: String) throws(TimestampParseError) -> Timestamp {
        let result: Result<Timestamp, TimestampParseError>? = text.utf8.withContiguousStorageIfAvailable { bytes in
            do throws(TimestampParseError) {
                return .success(try parse(bytes))
            } catch {
                return .failure(error)
            }
        }
        if let result { return try result.get() }
        let copy = Array(text.utf8)
        let fallback: Result<Timestamp, TimestampParseError> = copy.withUnsafeBufferPointer { bytes in
            do throws(TimestampParseError) {
                return .success(try parse(bytes))
            } catch {
                return .failure(error)
            }
        }
        return try fallback.get()
    }

    /// A JSON integer: valid for the epoch formats only.
    public func parse(integer: Int64) throws(TimestampParseError) -> Timestamp {
        switch format {
        case .epochSeconds: return try EpochParsing.make(magnitude: integer.magnitude, negative: integer < 0, fraction: 0, unit: .seconds)
        case .epochMilliseconds: return try EpochParsing.make(magnitude: integer.magnitude, negative: integer < 0, fraction: 0, unit: .milliseconds)
        case .epochMicroseconds: return try EpochParsing.make(magnitude: integer.magnitude, negative: integer < 0, fraction: 0, unit: .microseconds)
        case .epochAuto:
            return try EpochParsing.make(magnitude: integer.magnitude, negative: integer < 0, fraction: 0,
                                         unit: EpochParsing.Unit(magnitude: integer.magnitude))
        case .iso8601, .pattern: throw numberGiven()
        }
    }

    /// A JSON number with a fraction or exponent: valid for the epoch formats only.
    public func parse(double: Double) throws(TimestampParseError) -> Timestamp {
        guard format.isEpoch else { throw numberGiven() }
        guard double.isFinite else { throw TimestampParseError(message: "\(double) is not a time") }
        let whole = double.rounded(.towardZero)
        let magnitude = whole.magnitude
        guard magnitude < 9.2e18 else { throw EpochParsing.outOfRange() }
        let integer = UInt64(magnitude)
        let unit: EpochParsing.Unit
        switch format {
        case .epochSeconds: unit = .seconds
        case .epochMilliseconds: unit = .milliseconds
        case .epochMicroseconds: unit = .microseconds
        default: unit = EpochParsing.Unit(magnitude: integer)
        }
        // The fraction of a unit, rounded to the nearest microsecond, in billionths of the unit.
        var billionths: UInt64 = 0
        var carry: UInt64 = 0
        let microsPerUnit = unit.nanosecondsPerUnit / 1000
        if microsPerUnit > 0 {
            let micros = UInt64(((double - whole).magnitude * Double(microsPerUnit)).rounded())
            if micros >= microsPerUnit {
                carry = 1
            } else {
                billionths = micros * 1000 * unit.unitsPerSecond
            }
        }
        let (sum, overflow) = integer.addingReportingOverflow(carry)
        guard !overflow else { throw EpochParsing.outOfRange() }
        return try EpochParsing.make(magnitude: sum, negative: double < 0, fraction: billionths, unit: unit)
    }

    private func numberGiven() -> TimestampParseError {
        TimestampParseError(message: "expected text such as \(format.example) (timestamp: \(format.spec)), found a number")
    }

    // MARK: Local fields to an instant

    @inline(__always)
    private func instant(_ fields: LocalFields) throws(TimestampParseError) -> Timestamp {
        let local = try fields.localSeconds()
        if let offset = fields.offset {
            return Timestamp(seconds: local - Int64(offset), nanoseconds: fields.nanoseconds, offsetSeconds: offset)
        }
        if let resolver {
            let resolved = resolver.resolve(localSeconds: local)
            return Timestamp(seconds: resolved.utcSeconds, nanoseconds: fields.nanoseconds, offsetSeconds: resolved.offset)
        }
        return Timestamp(seconds: local, nanoseconds: fields.nanoseconds, offsetSeconds: zoneIsUTC ? 0 : nil)
    }

    // MARK: ISO-8601

    static let isoExample = "expected ISO-8601 such as 2024-01-31T09:30:00Z"

    /// `YYYY-MM-DD`, then optionally `T`/`t`/space, `HH:MM`, optional `:SS`, optional `.` or
    /// `,` fraction of 1-9 digits, optional `Z`/`z` or `+HH:MM`/`+HHMM`/`+HH` (or `-`).
    @inline(__always)
    static func scanISO8601(_ b: UnsafeBufferPointer<UInt8>) throws(TimestampParseError) -> LocalFields {
        if let fields = scanUTCSeconds(b) { return fields }
        return try scanISO8601Fields(b)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` exactly, the commonest form (exports' UTC times, Netcore's and
    /// ferry's own), read in one pass: the fields `scanISO8601Fields` reads from it (ranges not
    /// yet checked), or nil for any other text. A third of the instructions of the general scan.
    @inline(__always)
    static func scanUTCSeconds(_ b: UnsafeBufferPointer<UInt8>) -> LocalFields? {
        guard b.count == 20, let p = b.baseAddress,
              p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"), p[10] == UInt8(ascii: "T"),
              p[13] == UInt8(ascii: ":"), p[16] == UInt8(ascii: ":"), p[19] == UInt8(ascii: "Z") else { return nil }
        var bad: UInt8 = 0
        @inline(__always) func digit(_ k: Int) -> Int {
            let d = p[k] &- UInt8(ascii: "0")
            bad |= d > 9 ? 1 : 0
            return Int(d)
        }
        var f = LocalFields()
        f.year = Int64(digit(0) &* 1000 &+ digit(1) &* 100 &+ digit(2) &* 10 &+ digit(3))
        f.month = digit(5) &* 10 &+ digit(6)
        f.day = digit(8) &* 10 &+ digit(9)
        f.hour = digit(11) &* 10 &+ digit(12)
        f.minute = digit(14) &* 10 &+ digit(15)
        f.second = digit(17) &* 10 &+ digit(18)
        guard bad == 0 else { return nil }
        f.offset = 0
        return f
    }

    /// The general scan of `scanISO8601`.
    static func scanISO8601Fields(_ b: UnsafeBufferPointer<UInt8>) throws(TimestampParseError) -> LocalFields {
        var f = LocalFields()
        var i = 0
        let year = ByteScan.fixedDigits(b, &i, 4)
        guard year >= 0 else { throw isoFailure(b, firstBadDigit(b, 0, 4), "a 4-digit year") }
        f.year = Int64(year)
        guard i < b.count, b[i] == UInt8(ascii: "-") else { throw isoFailure(b, i, "'-'") }
        i += 1
        f.month = ByteScan.fixedDigits(b, &i, 2)
        guard f.month >= 0 else { throw isoFailure(b, firstBadDigit(b, i, 2), "a 2-digit month") }
        guard i < b.count, b[i] == UInt8(ascii: "-") else { throw isoFailure(b, i, "'-'") }
        i += 1
        f.day = ByteScan.fixedDigits(b, &i, 2)
        guard f.day >= 0 else { throw isoFailure(b, firstBadDigit(b, i, 2), "a 2-digit day") }
        if i == b.count { return f }

        let separator = b[i]
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ") else {
            throw isoFailure(b, i, "'T' and the time")
        }
        i += 1
        f.hour = ByteScan.fixedDigits(b, &i, 2)
        guard f.hour >= 0 else { throw isoFailure(b, firstBadDigit(b, i, 2), "a 2-digit hour") }
        guard i < b.count, b[i] == UInt8(ascii: ":") else { throw isoFailure(b, i, "':' and minutes") }
        i += 1
        f.minute = ByteScan.fixedDigits(b, &i, 2)
        guard f.minute >= 0 else { throw isoFailure(b, firstBadDigit(b, i, 2), "2-digit minutes") }
        if i < b.count, b[i] == UInt8(ascii: ":") {
            i += 1
            f.second = ByteScan.fixedDigits(b, &i, 2)
            guard f.second >= 0 else { throw isoFailure(b, firstBadDigit(b, i, 2), "2-digit seconds") }
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                i += 1
                let start = i
                var value: Int32 = 0
                while i < b.count, i - start < 9 {
                    let d = b[i] &- UInt8(ascii: "0")
                    guard d < 10 else { break }
                    value = value &* 10 &+ Int32(d)
                    i += 1
                }
                let count = i - start
                guard count > 0 else { throw isoFailure(b, i, "fraction digits") }
                if ByteScan.digit(b, i) >= 0 {
                    throw TimestampParseError(message: "fraction of a second longer than 9 digits (nanoseconds are the finest ferry keeps)")
                }
                f.nanoseconds = value &* ByteScan.fractionScale[count]
            }
        }
        if i < b.count {
            let offsetStart = i
            guard let offset = try ByteScan.offset(b, &i) else {
                throw isoFailure(b, offsetStart, "'Z' or an offset such as +05:30")
            }
            f.offset = offset
            guard i == b.count else { throw isoFailure(b, i, "the end of the value") }
        }
        return f
    }

    private static func firstBadDigit(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < b.count, i < start + count, ByteScan.digit(b, i) >= 0 { i += 1 }
        return i
    }

    private static func isoFailure(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ expected: String) -> TimestampParseError {
        TimestampParseError(message: isoExample + ": " + ByteScan.describe(b, at: i, expected: expected))
    }
}

/// A parser held by reference, so that a caller parsing many values borrows it in place
/// (`Unmanaged._withUnsafeGuaranteedRef`): a `TimestampParser` copied out of a property or a
/// buffer retains its zone and pattern for every value.
public final class TimestampParserBox: Sendable {
    public let parser: TimestampParser
    public init(_ parser: TimestampParser) { self.parser = parser }
}

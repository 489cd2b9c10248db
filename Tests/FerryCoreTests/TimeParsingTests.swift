import Foundation
import Testing
@testable import FerryCore

/// Helpers shared by the Time*Tests files.
enum TimeTest {
    /// A SplitMix64 generator, so property tests are repeatable.
    struct RNG: RandomNumberGenerator {
        private var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func parser(_ spec: String, zone: String? = nil) throws -> TimestampParser {
        let format = try TimestampInputFormat(spec: spec)
        return TimestampParser(format: format, timeZone: try zone.map { name throws in try TimeZoneRules.named(name) })
    }

    static func parse(_ spec: String, _ text: String, zone: String? = nil) throws -> Timestamp {
        try parser(spec, zone: zone).parse(text)
    }

    /// The parse error message, or nil when the text parses.
    static func error(_ spec: String, _ text: String, zone: String? = nil) throws -> String? {
        let p = try parser(spec, zone: zone)
        do {
            _ = try p.parse(text)
            return nil
        } catch {
            return error.message
        }
    }

    static func formatError(_ spec: String) -> String? {
        do {
            _ = try TimestampInputFormat(spec: spec)
            return nil
        } catch {
            return error.message
        }
    }

    /// UTC seconds of a civil date-time.
    static func utc(_ y: Int64, _ mo: Int, _ d: Int, _ h: Int64 = 0, _ mi: Int64 = 0, _ s: Int64 = 0) -> Int64 {
        CivilCalendar.days(year: y, month: mo, day: d) * 86_400 + h * 3600 + mi * 60 + s
    }

    /// The instant of an ISO-8601 text with an explicit offset.
    static func instant(_ iso: String) throws -> Int64 {
        try TimestampParser(format: .iso8601).parse(iso).seconds
    }
}

@Suite struct TimeParsingTests {
    // MARK: Civil calendar

    @Test func civilDateKnownValues() {
        #expect(CivilCalendar.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilCalendar.days(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilCalendar.days(year: 2000, month: 2, day: 29) * 86_400 == 951_782_400)
        #expect(CivilCalendar.days(year: 1900, month: 1, day: 1) * 86_400 == -2_208_988_800)
        #expect(CivilCalendar.days(year: 0, month: 1, day: 1) * 86_400 == CivilCalendar.minimumSeconds)
        #expect(CivilCalendar.days(year: 9999, month: 12, day: 31) * 86_400 + 86_399 == CivilCalendar.maximumSeconds)
        #expect(CivilCalendar.date(days: -1) == (1969, 12, 31))
        #expect(CivilCalendar.date(days: -719_528) == (0, 1, 1))
        #expect(CivilCalendar.date(days: -719_529) == (-1, 12, 31))
        #expect(CivilCalendar.weekday(days: 0) == 4)    // Thursday
        #expect(CivilCalendar.weekday(days: -1) == 3)
        #expect(CivilCalendar.isLeapYear(2000) && CivilCalendar.isLeapYear(2024) && CivilCalendar.isLeapYear(0))
        #expect(!CivilCalendar.isLeapYear(1900) && !CivilCalendar.isLeapYear(2100) && !CivilCalendar.isLeapYear(2023))
    }

    @Test func civilDatesRoundTripOverTheWholeRange() {
        var day = CivilCalendar.days(year: 0, month: 1, day: 1)
        let last = CivilCalendar.days(year: 9999, month: 12, day: 31)
        var expected = (year: Int64(0), month: 1, day: 1)
        var mismatches = 0
        while day <= last {
            let date = CivilCalendar.date(days: day)
            if date != expected || CivilCalendar.days(year: date.year, month: date.month, day: date.day) != day {
                Issue.record("day \(day): got \(date), expected \(expected)")
                mismatches += 1
                if mismatches > 5 { return }
            }
            // Next expected date.
            if expected.day < CivilCalendar.daysInMonth(year: expected.year, month: expected.month) {
                expected.day += 1
            } else if expected.month < 12 {
                expected = (expected.year, expected.month + 1, 1)
            } else {
                expected = (expected.year + 1, 1, 1)
            }
            day += 1
        }
        #expect(expected == (10_000, 1, 1))
    }

    @Test func civilDatesMatchFoundationCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var rng = TimeTest.RNG(seed: 42)
        // Foundation's Gregorian calendar switches to Julian before 1582: compare from 1600.
        let low = CivilCalendar.days(year: 1600, month: 1, day: 1)
        let high = CivilCalendar.days(year: 9999, month: 12, day: 31)
        for _ in 0..<3000 {
            let days = Int64.random(in: low...high, using: &rng)
            let c = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(days * 86_400)))
            let date = CivilCalendar.date(days: days)
            #expect(c.year == Int(date.year) && c.month == date.month && c.day == date.day, "day \(days)")
            let back = try #require(calendar.date(from: DateComponents(year: c.year, month: c.month, day: c.day)))
            #expect(Int64(back.timeIntervalSince1970) == days * 86_400)
        }
    }

    // MARK: Format specs

    @Test func namedFormatsAndSpecRoundTrip() throws {
        #expect(try TimestampInputFormat(spec: "epoch_s") == .epochSeconds)
        #expect(try TimestampInputFormat(spec: "epoch_ms") == .epochMilliseconds)
        #expect(try TimestampInputFormat(spec: "epoch_us") == .epochMicroseconds)
        #expect(try TimestampInputFormat(spec: "epoch_auto") == .epochAuto)
        #expect(try TimestampInputFormat(spec: "iso8601") == .iso8601)
        #expect(try TimestampInputFormat(spec: "ISO8601") == .iso8601)
        for spec in ["epoch_s", "epoch_ms", "epoch_us", "epoch_auto", "iso8601", "M/d/yyyy h:mm a", "yyyy-MM-dd'T'HH:mm:ssXXX"] {
            #expect(try TimestampInputFormat(spec: spec).spec == spec)
        }
        #expect(try !TimestampInputFormat(spec: "epoch_ms").usesTimeZone)
        #expect(try TimestampInputFormat(spec: "iso8601").usesTimeZone)
        #expect(try TimestampInputFormat(spec: "yyyy-MM-dd HH:mm").usesTimeZone)
        #expect(try !TimestampInputFormat(spec: "yyyy-MM-dd HH:mmXXX").usesTimeZone)
        #expect(try TimestampPattern("yyyy-MM-dd HH:mm Z").hasOffsetField)
        #expect(try !TimestampPattern("yyyy-MM-dd HH:mm 'Z'").hasOffsetField)
    }

    // MARK: Epoch formats

    @Test func epochSeconds() throws {
        #expect(try TimeTest.parse("epoch_s", "1706693400") == Timestamp(seconds: 1_706_693_400))
        #expect(try TimeTest.parse("epoch_s", "+1706693400") == Timestamp(seconds: 1_706_693_400))
        #expect(try TimeTest.parse("epoch_s", "1700000000.25") == Timestamp(seconds: 1_700_000_000, nanoseconds: 250_000_000))
        #expect(try TimeTest.parse("epoch_s", "0") == Timestamp(seconds: 0))
        #expect(try TimeTest.parse("epoch_s", "-0") == Timestamp(seconds: 0))
        #expect(try TimeTest.parse("epoch_s", "-1") == Timestamp(seconds: -1))
        #expect(try TimeTest.parse("epoch_s", "-0.5") == Timestamp(seconds: -1, nanoseconds: 500_000_000))
        #expect(try TimeTest.parse("epoch_s", "-1.25") == Timestamp(seconds: -2, nanoseconds: 750_000_000))
        #expect(try TimeTest.parse("epoch_s", "-2208988800") == Timestamp(seconds: -2_208_988_800))   // 1900-01-01
        #expect(try TimeTest.parse("epoch_s", "1.123456789") == Timestamp(seconds: 1, nanoseconds: 123_456_789))
        #expect(try TimeTest.parse("epoch_s", "1.1234567891234") == Timestamp(seconds: 1, nanoseconds: 123_456_789))
        #expect(try TimeTest.parse("epoch_s", "0000001") == Timestamp(seconds: 1))
        #expect(try TimeTest.parse("epoch_s", "253402300799") == Timestamp(seconds: CivilCalendar.maximumSeconds))
        #expect(try TimeTest.parse("epoch_s", "-62167219200") == Timestamp(seconds: CivilCalendar.minimumSeconds))
    }

    @Test func epochMillisecondsAndMicroseconds() throws {
        #expect(try TimeTest.parse("epoch_ms", "1706693400123") == Timestamp(seconds: 1_706_693_400, nanoseconds: 123_000_000))
        #expect(try TimeTest.parse("epoch_ms", "1706693400123.5") == Timestamp(seconds: 1_706_693_400, nanoseconds: 123_500_000))
        #expect(try TimeTest.parse("epoch_ms", "-1") == Timestamp(seconds: -1, nanoseconds: 999_000_000))
        #expect(try TimeTest.parse("epoch_ms", "-1000") == Timestamp(seconds: -1))
        #expect(try TimeTest.parse("epoch_ms", "0.000001") == Timestamp(seconds: 0, nanoseconds: 1))
        #expect(try TimeTest.parse("epoch_us", "1706693400123456") == Timestamp(seconds: 1_706_693_400, nanoseconds: 123_456_000))
        #expect(try TimeTest.parse("epoch_us", "1706693400123456.789") == Timestamp(seconds: 1_706_693_400, nanoseconds: 123_456_789))
        #expect(try TimeTest.parse("epoch_us", "-1") == Timestamp(seconds: -1, nanoseconds: 999_999_000))
        #expect(try TimeTest.parse("epoch_us", "-2208988800000000") == Timestamp(seconds: -2_208_988_800))
    }

    @Test func epochAutoThresholds() throws {
        let p = try TimeTest.parser("epoch_auto")
        // Seconds below 10^11 (up to the year 5138).
        #expect(try p.parse("1706693400") == Timestamp(seconds: 1_706_693_400))
        #expect(try p.parse("99999999999") == Timestamp(seconds: 99_999_999_999))
        #expect(try p.parse("-62167219200") == Timestamp(seconds: CivilCalendar.minimumSeconds))
        #expect(throws: TimestampParseError.self) { try p.parse("-99999999999") }   // before the year 0000
        // Milliseconds from 10^11 to below 10^14.
        #expect(try p.parse("100000000000") == Timestamp(seconds: 100_000_000))
        #expect(try p.parse("1706693400123") == Timestamp(seconds: 1_706_693_400, nanoseconds: 123_000_000))
        #expect(try p.parse("99999999999999") == Timestamp(seconds: 99_999_999_999, nanoseconds: 999_000_000))
        #expect(try p.parse("-100000000000") == Timestamp(seconds: -100_000_000))
        // Microseconds from 10^14 to below 10^17.
        #expect(try p.parse("100000000000000") == Timestamp(seconds: 100_000_000))
        #expect(try p.parse("1706693400123456") == Timestamp(seconds: 1_706_693_400, nanoseconds: 123_456_000))
        #expect(try p.parse("99999999999999999") == Timestamp(seconds: 99_999_999_999, nanoseconds: 999_999_000))
        // Nanoseconds from 10^17.
        #expect(try p.parse("100000000000000000") == Timestamp(seconds: 100_000_000))
        #expect(try p.parse("1706693400123456789") == Timestamp(seconds: 1_706_693_400, nanoseconds: 123_456_789))
        #expect(try p.parse("-1706693400123456789") == Timestamp(seconds: -1_706_693_401, nanoseconds: 876_543_211))
        // The same thresholds for JSON integers and doubles.
        #expect(try p.parse(integer: 99_999_999_999) == Timestamp(seconds: 99_999_999_999))
        #expect(try p.parse(integer: 100_000_000_000) == Timestamp(seconds: 100_000_000))
        #expect(try p.parse(integer: 100_000_000_000_000) == Timestamp(seconds: 100_000_000))
        #expect(try p.parse(integer: 100_000_000_000_000_000) == Timestamp(seconds: 100_000_000))
        #expect(try p.parse(integer: Int64.min) == Timestamp(seconds: -9_223_372_037, nanoseconds: 145_224_192))
        #expect(try p.parse(double: 1706693400123.0) == Timestamp(seconds: 1_706_693_400, nanoseconds: 123_000_000))
        #expect(try p.parse(double: 1706693400.5) == Timestamp(seconds: 1_706_693_400, nanoseconds: 500_000_000))
    }

    @Test func epochNumbers() throws {
        let s = try TimeTest.parser("epoch_s")
        #expect(try s.parse(integer: 1_706_693_400) == Timestamp(seconds: 1_706_693_400))
        #expect(try s.parse(integer: -2_208_988_800) == Timestamp(seconds: -2_208_988_800))
        #expect(try s.parse(double: 1_700_000_000.25) == Timestamp(seconds: 1_700_000_000, nanoseconds: 250_000_000))
        #expect(try s.parse(double: 1_700_000_000.1) == Timestamp(seconds: 1_700_000_000, nanoseconds: 100_000_000))
        #expect(try s.parse(double: -0.5) == Timestamp(seconds: -1, nanoseconds: 500_000_000))
        #expect(try s.parse(double: 0.9999999) == Timestamp(seconds: 1))   // rounded to the microsecond
        #expect(try s.parse(double: 1e9) == Timestamp(seconds: 1_000_000_000))
        let ms = try TimeTest.parser("epoch_ms")
        #expect(try ms.parse(integer: -1) == Timestamp(seconds: -1, nanoseconds: 999_000_000))
        #expect(try ms.parse(double: 1_706_693_400_123.5) == Timestamp(seconds: 1_706_693_400, nanoseconds: 123_500_000))
        let us = try TimeTest.parser("epoch_us")
        #expect(try us.parse(integer: 1_706_693_400_123_456) == Timestamp(seconds: 1_706_693_400, nanoseconds: 123_456_000))

        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(throws: TimestampParseError.self) { try s.parse(double: bad) }
        }
        #expect(throws: TimestampParseError.self) { try s.parse(double: 1e300) }
        #expect(throws: TimestampParseError.self) { try s.parse(integer: Int64.max) }
        #expect(throws: TimestampParseError.self) { try s.parse(integer: 253_402_300_800) }
        let iso = try TimeTest.parser("iso8601")
        do {
            _ = try iso.parse(integer: 1_706_693_400)
            Issue.record("a number must not parse as ISO-8601")
        } catch {
            #expect(error.message.contains("found a number"))
            #expect(error.message.contains("2024-01-31T09:30:00Z"))
        }
        #expect(throws: TimestampParseError.self) { try TimeTest.parser("yyyy-MM-dd").parse(double: 1.5) }
    }

    @Test func epochErrors() throws {
        for bad in ["", " 1", "1 ", "1.", ".5", "1e9", "1,5", "--1", "+", "-", "abc", "1_000", "0x10", "１"] {
            let message = try TimeTest.error("epoch_s", bad)
            #expect(message?.hasPrefix("expected epoch seconds such as 1706693400") == true, "\(bad): \(message ?? "parsed")")
        }
        #expect(try TimeTest.error("epoch_ms", "x")?.hasPrefix("expected epoch milliseconds") == true)
        #expect(try TimeTest.error("epoch_us", "x")?.hasPrefix("expected epoch microseconds") == true)
        #expect(try TimeTest.error("epoch_auto", "x")?.hasPrefix("expected an epoch number") == true)
        #expect(try TimeTest.error("epoch_s", " 1")?.contains("a space at character 1") == true)
        // Overflow and out-of-range values.
        for bad in ["99999999999999999999999", "18446744073709551616", "253402300800", "-62167219201", "9223372036854775807"] {
            #expect(try TimeTest.error("epoch_s", bad)?.contains("out of range") == true, "\(bad)")
        }
        #expect(try TimeTest.error("epoch_ms", "253402300800000")?.contains("out of range") == true)
        #expect(try TimeTest.error("epoch_ms", "253402300799999") == nil)
    }

    // MARK: ISO-8601

    @Test func iso8601Forms() throws {
        let base: Int64 = 1_706_693_400   // 2024-01-31T09:30:00Z
        let p = try TimeTest.parser("iso8601")
        #expect(try p.parse("2024-01-31T09:30:00Z") == Timestamp(seconds: base, offsetSeconds: 0))
        #expect(try p.parse("2024-01-31t09:30:00z") == Timestamp(seconds: base, offsetSeconds: 0))
        #expect(try p.parse("2024-01-31 09:30:00Z") == Timestamp(seconds: base, offsetSeconds: 0))
        #expect(try p.parse("2024-01-31T09:30:00") == Timestamp(seconds: base))
        #expect(try p.parse("2024-01-31T09:30") == Timestamp(seconds: base))
        #expect(try p.parse("2024-01-31T09:30Z") == Timestamp(seconds: base, offsetSeconds: 0))
        #expect(try p.parse("2024-01-31") == Timestamp(seconds: base - 9 * 3600 - 1800))
        #expect(try p.parse("2024-01-31T15:00:00+05:30") == Timestamp(seconds: base, offsetSeconds: 19_800))
        #expect(try p.parse("2024-01-31T15:00:00+0530") == Timestamp(seconds: base, offsetSeconds: 19_800))
        #expect(try p.parse("2024-01-31T14:30:00+05") == Timestamp(seconds: base, offsetSeconds: 18_000))
        #expect(try p.parse("2024-01-31T01:30:00-08:00") == Timestamp(seconds: base, offsetSeconds: -28_800))
        #expect(try p.parse("2024-01-31T01:30:00-0800") == Timestamp(seconds: base, offsetSeconds: -28_800))
        #expect(try p.parse("2024-01-31T09:30:00-00:00") == Timestamp(seconds: base, offsetSeconds: 0))
        #expect(try p.parse("2024-01-31T09:30:00.250Z") == Timestamp(seconds: base, nanoseconds: 250_000_000, offsetSeconds: 0))
        #expect(try p.parse("2024-01-31T09:30:00,5Z") == Timestamp(seconds: base, nanoseconds: 500_000_000, offsetSeconds: 0))
        #expect(try p.parse("2024-01-31T09:30:00.1234567+01:00") == Timestamp(seconds: base - 3600, nanoseconds: 123_456_700, offsetSeconds: 3600))
    }

    @Test(arguments: 1...9) func iso8601FractionDigits(count: Int) throws {
        let digits = String("123456789".prefix(count))
        var expected: Int32 = Int32(digits) ?? 0
        for _ in count..<9 { expected *= 10 }
        let t = try TimeTest.parse("iso8601", "2024-01-31T09:30:00.\(digits)Z")
        #expect(t == Timestamp(seconds: 1_706_693_400, nanoseconds: expected, offsetSeconds: 0))
        let before1970 = try TimeTest.parse("iso8601", "1969-12-31T23:59:59.\(digits)")
        #expect(before1970 == Timestamp(seconds: -1, nanoseconds: expected))
    }

    @Test func iso8601Extremes() throws {
        #expect(try TimeTest.parse("iso8601", "1970-01-01T00:00:00Z").seconds == 0)
        #expect(try TimeTest.parse("iso8601", "1900-01-01T00:00:00Z").seconds == -2_208_988_800)
        #expect(try TimeTest.parse("iso8601", "1900-01-01").seconds == -2_208_988_800)
        #expect(try TimeTest.parse("iso8601", "9999-12-31T23:59:59Z").seconds == 253_402_300_799)
        #expect(try TimeTest.parse("iso8601", "9999-12-31T23:59:59.999999999Z")
                == Timestamp(seconds: 253_402_300_799, nanoseconds: 999_999_999, offsetSeconds: 0))
        #expect(try TimeTest.parse("iso8601", "0000-01-01T00:00:00Z").seconds == CivilCalendar.minimumSeconds)
        #expect(try TimeTest.parse("iso8601", "0000-02-29").seconds == TimeTest.utc(0, 2, 29))
        #expect(try TimeTest.parse("iso8601", "2000-02-29").seconds == 951_782_400)
        #expect(try TimeTest.parse("iso8601", "2024-02-29T12:00:00Z").seconds == TimeTest.utc(2024, 2, 29, 12))
        #expect(try TimeTest.parse("iso8601", "2024-12-31T23:59:59Z").seconds == TimeTest.utc(2024, 12, 31, 23, 59, 59))
    }

    @Test func iso8601RangeErrors() throws {
        let cases: [(String, String)] = [
            ("1900-02-29", "1900-02-29 is not a date"),
            ("2023-02-29", "2023-02-29 is not a date"),
            ("2024-02-30", "2024-02-30 is not a date"),
            ("2024-04-31", "2024-04-31 is not a date"),
            ("2024-01-00", "2024-01-00 is not a date"),
            ("2024-01-32T00:00Z", "2024-01-32 is not a date"),
            ("2024-13-01", "month 13 out of range (1-12)"),
            ("2024-00-10", "month 0 out of range (1-12)"),
            ("2024-01-31T24:00:00Z", "hour 24 out of range (0-23)"),
            ("2024-01-31T09:60:00Z", "minute 60 out of range (0-59)"),
            ("2024-01-31T09:30:61Z", "second 61 out of range (0-59)"),
            ("2024-01-31T09:30:00+24:00", "offset hours 24 out of range (0-23)"),
            ("2024-01-31T09:30:00+05:60", "offset minutes 60 out of range (0-59)"),
        ]
        for (text, message) in cases {
            #expect(try TimeTest.error("iso8601", text) == message, "\(text)")
        }
        let leap = try TimeTest.error("iso8601", "2016-12-31T23:59:60Z")
        #expect(leap?.contains("leap seconds are not supported") == true)
        let long = try TimeTest.error("iso8601", "2024-01-31T09:30:00.1234567891Z")
        #expect(long?.contains("longer than 9 digits") == true)
    }

    @Test func iso8601ShapeErrors() throws {
        let bad = ["", "2024", "2024-1-31", "24-01-31", "2024/01/31", "2024-01-31T", "2024-01-31T9:30", "2024-01-31T09",
                   "2024-01-31T09:30:0", "2024-01-31T09:30:00.", "2024-01-31T09:30:00.Z", "2024-01-31T09:30:00 Z",
                   "2024-01-31T09:30:00+5", "2024-01-31T09:30:00+05:3", "2024-01-31T09:30:00Zjunk", " 2024-01-31",
                   "2024-01-31 ", "2024-01-31X09:30", "20240131T093000Z", "2024-01-31T09:30:00UTC", "１９７０-01-01"]
        for text in bad {
            let message = try TimeTest.error("iso8601", text)
            #expect(message?.hasPrefix("expected ISO-8601 such as 2024-01-31T09:30:00Z") == true, "\(text): \(message ?? "parsed")")
        }
        #expect(try TimeTest.error("iso8601", "2024/01/31") == "expected ISO-8601 such as 2024-01-31T09:30:00Z: found '/' at character 5 where '-' belongs")
        #expect(try TimeTest.error("iso8601", "2024-01") == "expected ISO-8601 such as 2024-01-31T09:30:00Z: the value ends after 7 characters, before '-'")
        #expect(try TimeTest.error("iso8601", "") == "expected ISO-8601 such as 2024-01-31T09:30:00Z: the value is empty")
    }

    @Test func iso8601InAZone() throws {
        // New York is UTC-5 in January, UTC-4 in July.
        let jan = try TimeTest.parse("iso8601", "2024-01-31T09:30:00", zone: "America/New_York")
        #expect(jan == Timestamp(seconds: 1_706_693_400 + 5 * 3600, offsetSeconds: -18_000))
        let jul = try TimeTest.parse("iso8601", "2024-07-04 12:00", zone: "America/New_York")
        #expect(jul == Timestamp(seconds: TimeTest.utc(2024, 7, 4, 16), offsetSeconds: -14_400))
        // A value with its own offset ignores the zone.
        let explicit = try TimeTest.parse("iso8601", "2024-01-31T09:30:00+01:00", zone: "America/New_York")
        #expect(explicit == Timestamp(seconds: 1_706_693_400 - 3600, offsetSeconds: 3600))
        // A date alone is local midnight.
        #expect(try TimeTest.parse("iso8601", "2024-01-31", zone: "Asia/Kolkata")
                == Timestamp(seconds: TimeTest.utc(2024, 1, 30, 18, 30), offsetSeconds: 19_800))
        // Gap and overlap rules apply.
        #expect(try TimeTest.parse("iso8601", "2024-03-10T02:30:00", zone: "America/New_York")
                == Timestamp(seconds: try TimeTest.instant("2024-03-10T03:30:00-04:00"), offsetSeconds: -14_400))
        #expect(try TimeTest.parse("iso8601", "2024-11-03T01:30:00", zone: "America/New_York")
                == Timestamp(seconds: try TimeTest.instant("2024-11-03T01:30:00-04:00"), offsetSeconds: -14_400))
        // An explicit UTC zone gives offset 0; no zone leaves it unknown.
        #expect(try TimeTest.parse("iso8601", "2024-01-31T09:30:00", zone: "UTC").offsetSeconds == 0)
        #expect(try TimeTest.parse("iso8601", "2024-01-31T09:30:00").offsetSeconds == nil)
        // Midnight that does not exist (São Paulo sprang forward at 00:00) moves to 01:00.
        #expect(try TimeTest.parse("iso8601", "2018-11-04", zone: "America/Sao_Paulo")
                == Timestamp(seconds: try TimeTest.instant("2018-11-04T01:00:00-02:00"), offsetSeconds: -7200))
    }

    @Test func parsesFromBytesAndFromBridgedStrings() throws {
        let p = try TimeTest.parser("iso8601")
        let bytes = Array("2024-01-31T09:30:00Z".utf8)
        let t = try bytes.withUnsafeBufferPointer { buffer in try p.parse(buffer) }
        #expect(t.seconds == 1_706_693_400)
        let sub = "xx2024-01-31T09:30:00Z".dropFirst(2)
        #expect(try p.parse(String(sub)).seconds == 1_706_693_400)
        let nsString = NSString(string: "2024-01-31T09:30:00Z")
        #expect(try p.parse(nsString as String).seconds == 1_706_693_400)
    }

    // MARK: Patterns

    @Test func patternNumericFields() throws {
        let t = try TimeTest.parse("yyyy-MM-dd HH:mm:ss", "2024-01-31 09:30:05")
        #expect(t == Timestamp(seconds: TimeTest.utc(2024, 1, 31, 9, 30, 5)))
        #expect(try TimeTest.parse("yyyyMMddHHmmss", "20240131093005").seconds == TimeTest.utc(2024, 1, 31, 9, 30, 5))
        #expect(try TimeTest.parse("M/d/yyyy H:m:s", "1/5/2024 7:3:9").seconds == TimeTest.utc(2024, 1, 5, 7, 3, 9))
        #expect(try TimeTest.parse("M/d/yyyy H:m:s", "12/25/2024 17:45:59").seconds == TimeTest.utc(2024, 12, 25, 17, 45, 59))
        #expect(try TimeTest.parse("d.M.yyyy", "31.1.2024").seconds == TimeTest.utc(2024, 1, 31))
        #expect(try TimeTest.parse("dd.MM.yy", "31.01.24").seconds == TimeTest.utc(2024, 1, 31))
        #expect(try TimeTest.parse("yyMMdd", "991231").seconds == TimeTest.utc(2099, 12, 31))
        #expect(try TimeTest.parse("yyMMdd", "000101").seconds == TimeTest.utc(2000, 1, 1))
        #expect(try TimeTest.parse("yyyy-MM-dd", "1900-01-01").seconds == -2_208_988_800)
        // MM and dd want exactly two digits; M and d take one or two.
        #expect(try TimeTest.error("yyyy-MM-dd", "2024-1-31") != nil)
        #expect(try TimeTest.error("yyyy-M-d", "2024-1-31") == nil)
    }

    @Test func patternTwelveHourClock() throws {
        let spec = "M/d/yyyy h:mm a"
        #expect(try TimeTest.parse(spec, "1/31/2024 9:30 AM").seconds == TimeTest.utc(2024, 1, 31, 9, 30))
        #expect(try TimeTest.parse(spec, "1/31/2024 9:30 pm").seconds == TimeTest.utc(2024, 1, 31, 21, 30))
        #expect(try TimeTest.parse(spec, "1/31/2024 12:00 AM").seconds == TimeTest.utc(2024, 1, 31, 0))
        #expect(try TimeTest.parse(spec, "1/31/2024 12:15 PM").seconds == TimeTest.utc(2024, 1, 31, 12, 15))
        #expect(try TimeTest.parse(spec, "1/31/2024 11:59 Pm").seconds == TimeTest.utc(2024, 1, 31, 23, 59))
        #expect(try TimeTest.parse("yyyy-MM-dd hh:mm:ss a", "2024-01-31 01:02:03 PM").seconds == TimeTest.utc(2024, 1, 31, 13, 2, 3))
        #expect(try TimeTest.error(spec, "1/31/2024 13:00 PM") == "hour 13 out of range for a 12-hour clock (1-12)")
        #expect(try TimeTest.error(spec, "1/31/2024 0:30 AM") == "hour 0 out of range for a 12-hour clock (1-12)")
        #expect(try TimeTest.error(spec, "1/31/2024 9:30 XM")?.contains("AM or PM") == true)
        // In a zone, with the spring-forward gap.
        #expect(try TimeTest.parse(spec, "3/10/2024 2:30 AM", zone: "America/New_York")
                == Timestamp(seconds: try TimeTest.instant("2024-03-10T07:30:00Z"), offsetSeconds: -14_400))
    }

    @Test func patternNames() throws {
        #expect(try TimeTest.parse("dd MMM yyyy", "05 Jan 2024").seconds == TimeTest.utc(2024, 1, 5))
        #expect(try TimeTest.parse("dd MMM yyyy", "05 jan 2024").seconds == TimeTest.utc(2024, 1, 5))
        #expect(try TimeTest.parse("dd MMM yyyy", "05 DEC 2024").seconds == TimeTest.utc(2024, 12, 5))
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        for (index, name) in months.enumerated() {
            #expect(try TimeTest.parse("MMM d yyyy", "\(name) 1 2024").seconds == TimeTest.utc(2024, index + 1, 1))
        }
        #expect(try TimeTest.parse("MMMM d, yyyy", "September 9, 2024").seconds == TimeTest.utc(2024, 9, 9))
        #expect(try TimeTest.parse("MMMM d, yyyy", "may 9, 2024").seconds == TimeTest.utc(2024, 5, 9))
        #expect(try TimeTest.error("MMMM d, yyyy", "Sep 9, 2024") != nil)
        #expect(try TimeTest.error("dd MMM yyyy", "05 Foo 2024")?.contains("a month name (Jan-Dec)") == true)
        // Weekday names are checked to be names and otherwise ignored.
        #expect(try TimeTest.parse("EEE, dd MMM yyyy HH:mm:ss Z", "Wed, 31 Jan 2024 15:00:00 +0530")
                == Timestamp(seconds: 1_706_693_400, offsetSeconds: 19_800))
        #expect(try TimeTest.parse("EEEE yyyy-MM-dd", "wednesday 2024-01-31").seconds == TimeTest.utc(2024, 1, 31))
        #expect(try TimeTest.parse("EEE yyyy-MM-dd", "Sun 2024-01-31").seconds == TimeTest.utc(2024, 1, 31))
        #expect(try TimeTest.error("EEE yyyy-MM-dd", "Xyz 2024-01-31")?.contains("a weekday name (Mon-Sun)") == true)
    }

    @Test func patternFractionsAndOffsets() throws {
        let base: Int64 = 1_706_693_400
        let iso = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"
        #expect(try TimeTest.parse(iso, "2024-01-31T15:00:00.250+05:30") == Timestamp(seconds: base, nanoseconds: 250_000_000, offsetSeconds: 19_800))
        #expect(try TimeTest.parse(iso, "2024-01-31T09:30:00.250Z") == Timestamp(seconds: base, nanoseconds: 250_000_000, offsetSeconds: 0))
        #expect(try TimeTest.parse(iso, "2024-01-31T04:30:00.001-05:00") == Timestamp(seconds: base, nanoseconds: 1_000_000, offsetSeconds: -18_000))
        #expect(try TimeTest.error(iso, "2024-01-31T09:30:00.25Z") != nil)   // SSS is exactly 3 digits
        #expect(try TimeTest.parse("yyyy-MM-dd HH:mm:ss.SSSSSS", "2024-01-31 09:30:00.000001") == Timestamp(seconds: base, nanoseconds: 1000))
        #expect(try TimeTest.parse("yyyy-MM-dd HH:mm:ss.SSSSSSSSS", "2024-01-31 09:30:00.123456789") == Timestamp(seconds: base, nanoseconds: 123_456_789))
        #expect(try TimeTest.parse("yyyy-MM-dd HH:mm:ss.S", "2024-01-31 09:30:00.5") == Timestamp(seconds: base, nanoseconds: 500_000_000))
        // Z, X and XX offsets (each accepts any offset form).
        #expect(try TimeTest.parse("yyyy-MM-dd HH:mm Z", "2024-01-31 15:00 +0530") == Timestamp(seconds: base, offsetSeconds: 19_800))
        #expect(try TimeTest.parse("yyyy-MM-dd HH:mmX", "2024-01-31 14:30+05") == Timestamp(seconds: base, offsetSeconds: 18_000))
        #expect(try TimeTest.parse("yyyy-MM-dd HH:mmXX", "2024-01-31 01:30-0800") == Timestamp(seconds: base, offsetSeconds: -28_800))
        #expect(try TimeTest.parse("yyyy-MM-dd HH:mmXXX", "2024-01-31 09:30Z") == Timestamp(seconds: base, offsetSeconds: 0))
        // An offset field overrides the zone.
        #expect(try TimeTest.parse("yyyy-MM-dd HH:mmXXX", "2024-01-31 09:30Z", zone: "Asia/Kolkata") == Timestamp(seconds: base, offsetSeconds: 0))
        #expect(try TimeTest.error("yyyy-MM-dd HH:mmXXX", "2024-01-31 09:30+25:00") == "offset hours 25 out of range (0-23)")
    }

    @Test func patternLiteralsAndQuotes() throws {
        #expect(try TimeTest.parse("yyyy-MM-dd'T'HH:mm", "2024-01-31T09:30").seconds == 1_706_693_400)
        #expect(try TimeTest.parse("yyyy-MM-dd 'at' HH:mm", "2024-01-31 at 09:30").seconds == 1_706_693_400)
        #expect(try TimeTest.parse("yyyy-MM-dd h 'o''clock' a", "2024-01-31 9 o'clock AM").seconds == TimeTest.utc(2024, 1, 31, 9))
        #expect(try TimeTest.parse("''yyyy-MM-dd''", "'2024-01-31'").seconds == TimeTest.utc(2024, 1, 31))
        #expect(try TimeTest.parse("yyyy年MM月dd日", "2024年01月31日").seconds == TimeTest.utc(2024, 1, 31))
        #expect(try TimeTest.parse("[yyyy/MM/dd]", "[2024/01/31]").seconds == TimeTest.utc(2024, 1, 31))
        #expect(try TimeTest.error("yyyy-MM-dd'T'HH:mm", "2024-01-31t09:30") != nil)   // literals are case-sensitive
    }

    @Test func patternParseErrors() throws {
        let spec = "M/d/yyyy h:mm a"
        #expect(try TimeTest.error(spec, "2024-01-31")
                == "expected M/d/yyyy h:mm a such as 1/31/2024 9:30 AM: found '2' at character 3 where '/' belongs")
        #expect(try TimeTest.error(spec, "1-31/2024 9:30 AM")
                == "expected M/d/yyyy h:mm a such as 1/31/2024 9:30 AM: found '-' at character 2 where '/' belongs")
        #expect(try TimeTest.error(spec, "1/31/2024")
                == "expected M/d/yyyy h:mm a such as 1/31/2024 9:30 AM: the value ends after 9 characters, before ' '")
        #expect(try TimeTest.error(spec, "1/31/2024 9:30 AM extra")?.contains("where the end of the value belongs") == true)
        #expect(try TimeTest.error(spec, "") == "expected M/d/yyyy h:mm a such as 1/31/2024 9:30 AM: the value is empty")
        #expect(try TimeTest.error("yyyy-MM-dd", "2024-02-30") == "2024-02-30 is not a date")
        #expect(try TimeTest.error("yyyy-MM-dd", "1900-02-29") == "1900-02-29 is not a date")
        #expect(try TimeTest.error("yyyy-MM-dd", "2000-02-29") == nil)
        #expect(try TimeTest.error("yyyy-MM-dd HH:mm:ss", "2024-01-31 23:59:60")?.contains("leap seconds") == true)
        #expect(try TimeTest.error("yyyy-MM-dd HH:mm", "2024-01-31 25:00") == "hour 25 out of range (0-23)")
        #expect(try TimeTest.error("yyyy-MM-dd", "2024-13-01") == "month 13 out of range (1-12)")
    }

    @Test func patternExamples() throws {
        #expect(try TimestampPattern("M/d/yyyy h:mm a").example == "1/31/2024 9:30 AM")
        #expect(try TimestampPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").example == "2024-01-31T09:30:00.123+05:30")
        #expect(try TimestampPattern("EEE, dd MMM yyyy HH:mm:ss Z").example == "Wed, 31 Jan 2024 09:30:00 +0530")
        #expect(try TimestampPattern("EEEE MMMM d yy").example == "Wednesday January 31 24")
        // Every example parses with its own pattern.
        for spec in ["M/d/yyyy h:mm a", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "EEE, dd MMM yyyy HH:mm:ss Z", "EEEE MMMM d yy",
                     "yyyyMMdd HHmmss.SSSSSS X", "dd.MM.yyyy HH:mm XX"] {
            let pattern = try TimestampPattern(spec)
            #expect(try TimeTest.error(spec, pattern.example) == nil, "\(spec)")
        }
    }

    @Test func patternFormatErrors() {
        #expect(TimeTest.formatError("yyyy-MM-dd Q")?.contains("unknown letter 'Q'") == true)
        #expect(TimeTest.formatError("yyyy-MM-dd Q")?.contains(TimestampPattern.supportedLetters) == true)
        #expect(TimeTest.formatError("iso_8601")?.contains("epoch_s, epoch_ms, epoch_us, epoch_auto, iso8601") == true)
        #expect(TimeTest.formatError("yyy-MM-dd")?.contains("'yyy' is not supported") == true)
        #expect(TimeTest.formatError("y-MM-dd") != nil)
        #expect(TimeTest.formatError("yyyy-MMMMM-dd") != nil)
        #expect(TimeTest.formatError("yyyy-MM-ddd") != nil)
        #expect(TimeTest.formatError("yyyy-MM-dd HHH") != nil)
        #expect(TimeTest.formatError("yyyy-MM-dd HH:mm:ss.SSSSSSSSSS")?.contains("at most 9 digits") == true)
        #expect(TimeTest.formatError("yyyy-MM-dd hh:mm")?.contains("without a (AM/PM)") == true)
        #expect(TimeTest.formatError("yyyy-MM-dd HH:mm a")?.contains("no h/hh") == true)
        #expect(TimeTest.formatError("yyyy-MM-dd HH:mm aa") != nil)
        #expect(TimeTest.formatError("MM-dd HH:mm")?.contains("has no year") == true)
        #expect(TimeTest.formatError("yyyy-dd")?.contains("has no month") == true)
        #expect(TimeTest.formatError("yyyy-MM")?.contains("has no day") == true)
        #expect(TimeTest.formatError("HH:mm:ss")?.contains("time-only patterns are not supported") == true)
        #expect(TimeTest.formatError("yyyy-MM-dd yyyy")?.contains("gives the year twice") == true)
        #expect(TimeTest.formatError("yyyy-MM-dd HH:mm H")?.contains("gives the hour twice") == true)
        #expect(TimeTest.formatError("yyyy-MM-dd 'T")?.contains("unterminated quote") == true)
        #expect(TimeTest.formatError("")?.contains("empty timestamp format") == true)
        #expect(TimeTest.formatError("yyyy-MM-dd XXXX") != nil)
    }

    // MARK: Robustness

    /// Random bytes and mutations of valid values never crash a parser: they parse or throw.
    @Test func garbageNeverCrashes() throws {
        let specs = ["epoch_s", "epoch_ms", "epoch_us", "epoch_auto", "iso8601", "M/d/yyyy h:mm a",
                     "EEE, dd MMM yyyy HH:mm:ss Z", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX", "yyMMdd"]
        let seeds = ["1706693400.25", "-1706693400123456789", "2024-01-31T09:30:00.123456789+05:30", "1/31/2024 9:30 AM",
                     "Wed, 31 Jan 2024 09:30:00 +0530", "2024-01-31T09:30:00.123456789Z", "240131", "9999-12-31T23:59:59-23:59"]
        let alphabet = Array("0123456789-+:.,TZ aAPpMm/'\u{0}\u{FF}".utf8)
        var rng = TimeTest.RNG(seed: 99)
        let parsers = try specs.map { try TimeTest.parser($0, zone: "America/New_York") }
        var parsed = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? 0 }
            } else {
                bytes = Array((seeds.randomElement(using: &rng) ?? "").utf8)
                for _ in 0..<Int.random(in: 1...3, using: &rng) where !bytes.isEmpty {
                    let i = Int.random(in: 0..<bytes.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: bytes[i] = alphabet.randomElement(using: &rng) ?? 0
                    case 1: bytes.remove(at: i)
                    default: bytes.insert(alphabet.randomElement(using: &rng) ?? 0, at: i)
                    }
                }
            }
            for parser in parsers {
                let ok = bytes.withUnsafeBufferPointer { buffer in (try? parser.parse(buffer)) != nil }
                if ok { parsed += 1 }
            }
        }
        #expect(parsed > 1000)
        // Numbers at the extremes.
        for parser in parsers {
            for value in [Int64.min, Int64.max, 0, -1] { _ = try? parser.parse(integer: value) }
            for value in [Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, 9.2e18, -9.3e18, 1e-300, -0.0] {
                _ = try? parser.parse(double: value)
            }
        }
        // Extreme instants format without trapping.
        for seconds in [Int64.min, Int64.max, 0] {
            for format in TimestampOutputFormat.allCases {
                #expect(!TimestampFormatter.string(Timestamp(seconds: seconds, nanoseconds: 1, offsetSeconds: Int32.min), as: format).isEmpty)
            }
        }
    }

    // MARK: Round trips

    @Test func formattedTextParsesBack() throws {
        var rng = TimeTest.RNG(seed: 7)
        let p = try TimeTest.parser("iso8601")
        for _ in 0..<5000 {
            let seconds = Int64.random(in: (CivilCalendar.minimumSeconds + 86_400)...(CivilCalendar.maximumSeconds - 86_400), using: &rng)
            let nanos = Int32.random(in: 0..<1_000_000_000, using: &rng)
            let offset = Int32.random(in: -(14 * 60)...(14 * 60), using: &rng) * 60
            let t = Timestamp(seconds: seconds, nanoseconds: nanos, offsetSeconds: offset)
            let utc = try p.parse(TimestampFormatter.string(t, as: .iso8601UTC))
            #expect(utc.isSameInstant(as: t))
            let local = try p.parse(TimestampFormatter.string(t, as: .rfc3339))
            #expect(local.isSameInstant(as: t))
            #expect(local.offsetSeconds == offset)
        }
    }
}

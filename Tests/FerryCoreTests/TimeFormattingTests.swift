import Foundation
import Testing
@testable import FerryCore

@Suite struct TimeFormattingTests {
    func text(_ t: Timestamp, _ format: TimestampOutputFormat) -> String {
        TimestampFormatter.string(t, as: format)
    }

    func json(_ t: Timestamp, _ format: TimestampOutputFormat) -> String {
        var out: [UInt8] = []
        TimestampFormatter.appendJSON(t, as: format, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The writer formats timestamps into its own bytes (`writeTimestamp`): the same token as
    /// `appendJSON`, never longer than `maxJSONLength`, at the extremes too.
    @Test func writerTimestampsMatchAppendJSONAndFitTheirRoom() {
        let seconds: [Int64] = [Int64.min, Int64.min + 1, -62_135_596_801, -1, 0, 1_706_693_400, 253_402_300_800, Int64.max]
        let offsets: [Int32?] = [nil, 0, 19_800, -34_200, -86_399, Int32.min, Int32.max]
        for s in seconds {
            for nanos: Int32 in [0, 1, 250_000_000, 999_999_999] {
                for offset in offsets {
                    let t = Timestamp(seconds: s, nanoseconds: nanos, offsetSeconds: offset)
                    for format in TimestampOutputFormat.allCases {
                        let token = json(t, format)
                        #expect(token.utf8.count <= TimestampFormatter.maxJSONLength, "\(token)")
                        var writer = JSONWriter(capacity: 1)
                        writer.beginArray()
                        writer.writeInt(7)
                        writer.writeTimestamp(t, as: format)
                        writer.endArray()
                        #expect(String(decoding: writer.bytes, as: UTF8.self) == "[7,\(token)]")
                    }
                }
            }
        }
        #expect(json(Timestamp(seconds: Int64.min), .epochSeconds) == "-9223372036854775808")
    }

    @Test func outputFormatNames() {
        #expect(TimestampOutputFormat.allCases.map(\.rawValue) == ["epoch_s", "epoch_ms", "iso8601_utc", "rfc3339"])
        #expect(TimestampOutputFormat(rawValue: "rfc3339") == .rfc3339)
    }

    @Test func epochSeconds() {
        let t = Timestamp(seconds: 1_706_693_400, nanoseconds: 999_999_999, offsetSeconds: 19_800)
        #expect(json(t, .epochSeconds) == "1706693400")
        #expect(text(t, .epochSeconds) == "1706693400")
        #expect(TimestampFormatter.integer(t, as: .epochSeconds) == 1_706_693_400)
        // Floor for times before 1970.
        let half = Timestamp(seconds: -1, nanoseconds: 500_000_000)
        #expect(json(half, .epochSeconds) == "-1")
        #expect(json(Timestamp(seconds: -2_208_988_800), .epochSeconds) == "-2208988800")
        #expect(json(Timestamp(seconds: 0), .epochSeconds) == "0")
        #expect(json(Timestamp(seconds: Int64.min), .epochSeconds) == "-9223372036854775808")
        #expect(json(Timestamp(seconds: Int64.max), .epochSeconds) == "9223372036854775807")
    }

    @Test func epochMilliseconds() {
        let t = Timestamp(seconds: 1_706_693_400, nanoseconds: 250_999_999)
        #expect(json(t, .epochMilliseconds) == "1706693400250")
        #expect(TimestampFormatter.integer(t, as: .epochMilliseconds) == 1_706_693_400_250)
        #expect(json(Timestamp(seconds: -1, nanoseconds: 500_000_000), .epochMilliseconds) == "-500")
        #expect(json(Timestamp(seconds: -1, nanoseconds: 999_999_999), .epochMilliseconds) == "-1")
        #expect(json(Timestamp(seconds: -1, nanoseconds: 1), .epochMilliseconds) == "-1000")
        #expect(text(Timestamp(seconds: 253_402_300_799, nanoseconds: 999_000_000), .epochMilliseconds) == "253402300799999")
        #expect(TimestampFormatter.integer(Timestamp(seconds: Int64.max), as: .epochMilliseconds) == Int64.max)
        #expect(TimestampFormatter.integer(Timestamp(seconds: Int64.min), as: .epochMilliseconds) == Int64.min)
    }

    @Test func iso8601UTC() {
        let base: Int64 = 1_706_693_400
        #expect(json(Timestamp(seconds: base), .iso8601UTC) == "\"2024-01-31T09:30:00Z\"")
        #expect(text(Timestamp(seconds: base), .iso8601UTC) == "2024-01-31T09:30:00Z")
        #expect(text(Timestamp(seconds: base, offsetSeconds: 19_800), .iso8601UTC) == "2024-01-31T09:30:00Z")
        #expect(TimestampFormatter.integer(Timestamp(seconds: base), as: .iso8601UTC) == nil)
        // Fractions: fewest of 3/6/9 digits that is exact.
        let cases: [(Int32, String)] = [
            (250_000_000, ".250"), (100_000_000, ".100"), (120_000_000, ".120"), (1_000_000, ".001"),
            (999_000_000, ".999"), (1000, ".000001"), (123_456_000, ".123456"), (1500, ".000001500"),
            (1, ".000000001"), (123_456_789, ".123456789"), (999_999_999, ".999999999"),
        ]
        for (nanos, fraction) in cases {
            #expect(text(Timestamp(seconds: base, nanoseconds: nanos), .iso8601UTC) == "2024-01-31T09:30:00\(fraction)Z")
        }
        // Before 1970, with floor semantics.
        #expect(text(Timestamp(seconds: -1, nanoseconds: 500_000_000), .iso8601UTC) == "1969-12-31T23:59:59.500Z")
        #expect(text(Timestamp(seconds: -2_208_988_800), .iso8601UTC) == "1900-01-01T00:00:00Z")
        #expect(text(Timestamp(seconds: CivilCalendar.minimumSeconds), .iso8601UTC) == "0000-01-01T00:00:00Z")
        #expect(text(Timestamp(seconds: CivilCalendar.maximumSeconds, nanoseconds: 999_999_999), .iso8601UTC) == "9999-12-31T23:59:59.999999999Z")
        #expect(text(Timestamp(seconds: 951_782_400), .iso8601UTC) == "2000-02-29T00:00:00Z")
        #expect(text(Timestamp(seconds: TimeTest.utc(12, 3, 4, 5, 6, 7)), .iso8601UTC) == "0012-03-04T05:06:07Z")
        // Outside 0000-9999 (never produced by the parser): full digits and sign.
        #expect(text(Timestamp(seconds: CivilCalendar.maximumSeconds + 1), .iso8601UTC) == "10000-01-01T00:00:00Z")
        #expect(text(Timestamp(seconds: CivilCalendar.minimumSeconds - 1), .iso8601UTC) == "-0001-12-31T23:59:59Z")
    }

    @Test func rfc3339() {
        let base: Int64 = 1_706_693_400
        #expect(json(Timestamp(seconds: base, offsetSeconds: 19_800), .rfc3339) == "\"2024-01-31T15:00:00+05:30\"")
        #expect(text(Timestamp(seconds: base, offsetSeconds: -18_000), .rfc3339) == "2024-01-31T04:30:00-05:00")
        #expect(text(Timestamp(seconds: base, offsetSeconds: -12_600), .rfc3339) == "2024-01-31T06:00:00-03:30")
        #expect(text(Timestamp(seconds: base, offsetSeconds: 50_400), .rfc3339) == "2024-01-31T23:30:00+14:00")
        #expect(text(Timestamp(seconds: base, offsetSeconds: 45_900), .rfc3339) == "2024-01-31T22:15:00+12:45")
        #expect(text(Timestamp(seconds: base, offsetSeconds: 0), .rfc3339) == "2024-01-31T09:30:00Z")
        #expect(text(Timestamp(seconds: base), .rfc3339) == "2024-01-31T09:30:00Z")
        #expect(text(Timestamp(seconds: base, nanoseconds: 250_000_000, offsetSeconds: 3600), .rfc3339) == "2024-01-31T10:30:00.250+01:00")
        // The offset moves the date across midnight and year ends.
        #expect(text(Timestamp(seconds: TimeTest.utc(2024, 1, 1, 2), offsetSeconds: -18_000), .rfc3339) == "2023-12-31T21:00:00-05:00")
        #expect(text(Timestamp(seconds: TimeTest.utc(2023, 12, 31, 20), offsetSeconds: 36_000), .rfc3339) == "2024-01-01T06:00:00+10:00")
        // Offsets with seconds (local mean time) are truncated to minutes; the instant stays exact.
        let lmt = Timestamp(seconds: TimeTest.utc(1880, 1, 1, 12), offsetSeconds: -17_762)
        #expect(text(lmt, .rfc3339) == "1880-01-01T07:04:00-04:56")
    }

    @Test func descriptionAndJSONAppend() {
        let t = Timestamp(seconds: 1_706_693_400, offsetSeconds: 19_800)
        #expect(t.description == "2024-01-31T15:00:00+05:30")
        var out = Array("[".utf8)
        TimestampFormatter.appendJSON(t, as: .epochSeconds, to: &out)
        out.append(UInt8(ascii: ","))
        TimestampFormatter.appendJSON(t, as: .rfc3339, to: &out)
        out.append(UInt8(ascii: "]"))
        #expect(String(decoding: out, as: UTF8.self) == "[1706693400,\"2024-01-31T15:00:00+05:30\"]")
    }

    @Test func timestampValueSemantics() {
        #expect(Timestamp(seconds: 0, nanoseconds: -1) == Timestamp(seconds: -1, nanoseconds: 999_999_999))
        #expect(Timestamp(seconds: 0, nanoseconds: 1_500_000_000) == Timestamp(seconds: 1, nanoseconds: 500_000_000))
        #expect(Timestamp(seconds: 0, nanoseconds: -1_500_000_000) == Timestamp(seconds: -2, nanoseconds: 500_000_000))
        let a = Timestamp(seconds: 10, offsetSeconds: 3600)
        let b = Timestamp(seconds: 10, offsetSeconds: 0)
        #expect(a != b && a.isSameInstant(as: b))
        #expect(a.withOffset(0) == b)
        #expect(Timestamp(seconds: -1, nanoseconds: 999_999_999) < Timestamp(seconds: 0))
        #expect(Timestamp(seconds: 5, nanoseconds: 1) < Timestamp(seconds: 5, nanoseconds: 2))
        #expect(b < a && !(a < b))
        let sorted = [Timestamp(seconds: 3), Timestamp(seconds: -3), Timestamp(seconds: 0, nanoseconds: 5)].sorted()
        #expect(sorted.map(\.seconds) == [-3, 0, 3])
        #expect(Set([a, b, a]).count == 2)
    }

    /// The ISO text agrees with Foundation's formatter for random instants.
    @Test func iso8601AgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var rng = TimeTest.RNG(seed: 2024)
        for _ in 0..<3000 {
            let seconds = Int64.random(in: TimeTest.utc(1600, 1, 1)...CivilCalendar.maximumSeconds, using: &rng)
            let expected = formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
            #expect(text(Timestamp(seconds: seconds), .iso8601UTC) == expected)
        }
    }
}

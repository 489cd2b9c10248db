import Testing
@testable import FerryCore

/// `TimestampParser.scanUTCSeconds`, the one-pass reading of `YYYY-MM-DDTHH:MM:SSZ`, against
/// the general ISO-8601 scan: the same fields wherever it reads a value, and the same answer
/// from `parse` (instant or error message) for good and bad dates alike.
@Suite struct UTCSecondsScanTests {
    static func fields(_ bytes: [UInt8], fast: Bool) -> [Int64]? {
        bytes.withUnsafeBufferPointer { b -> [Int64]? in
            let f: LocalFields?
            if fast {
                f = TimestampParser.scanUTCSeconds(b)
            } else {
                f = try? TimestampParser.scanISO8601Fields(b)
            }
            guard let f else { return nil }
            return [f.year, Int64(f.month), Int64(f.day), Int64(f.hour), Int64(f.minute), Int64(f.second),
                    Int64(f.nanoseconds), f.offset.map(Int64.init) ?? -99]
        }
    }

    static func parsed(_ text: String) -> String {
        do {
            let t = try TimestampParser(format: .iso8601).parse(text)
            return "\(t.seconds) \(t.nanoseconds) \(String(describing: t.offsetSeconds))"
        } catch {
            return "error: \(error.message)"
        }
    }

    @Test func readsWhatTheGeneralScanReads() {
        var rng = TimeTest.RNG(seed: 2026_12_06)
        let digits = Array("0123456789".utf8)
        // Mostly digits, now and then a byte that is not one, at every position.
        let others: [UInt8] = Array("/:-T Z z+.a".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xFF]
        var read = 0
        for _ in 0..<200_000 {
            var bytes = Array("2023-11-14T22:13:26Z".utf8)
            for k in [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18] {
                bytes[k] = digits[Int(rng.next() % 10)]
            }
            if rng.next() % 8 == 0 { bytes[Int(rng.next() % 20)] = others[Int(rng.next() % UInt64(others.count))] }
            // The bytes themselves, not text made of them: 0x80 or 0xFF stay what they are.
            let fast = Self.fields(bytes, fast: true)
            if let fast {
                read += 1
                #expect(fast == Self.fields(bytes, fast: false), "\(bytes)")
            } else {
                // Not read here only when not of the form (the general scan then decides, and may
                // still accept, e.g. a lowercase z).
                let digitsAt = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
                let shaped = digitsAt.allSatisfy { (0x30...0x39).contains(bytes[$0]) }
                    && bytes[4] == 0x2D && bytes[7] == 0x2D && bytes[10] == 0x54 && bytes[13] == 0x3A
                    && bytes[16] == 0x3A && bytes[19] == 0x5A
                #expect(!shaped, "\(bytes)")
            }
        }
        #expect(read > 150_000)
    }

    @Test func parseGivesTheSameInstantsAndErrors() {
        let cases = [
            "2023-11-14T22:13:26Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
            "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2100-02-29T00:00:00Z", "2000-02-29T00:00:00Z",
            "2023-04-31T00:00:00Z", "2023-00-10T00:00:00Z", "2023-13-10T00:00:00Z", "2023-01-00T00:00:00Z",
            "2023-01-32T00:00:00Z", "2023-01-01T24:00:00Z", "2023-01-01T23:60:00Z", "2023-01-01T23:59:60Z",
            "2023-01-01T23:59:99Z", "2023-01-01t23:59:59Z", "2023-01-01T23:59:59z", "2023-01-01 23:59:59Z",
            "2023-01-01T23:59:5Z", "2023-01-01T23:59:59.5Z", "2023-01-01T23:59:59+00:00", "2023-1-01T23:59:59Z",
            "２023-01-01T23:59:59Z", "2023-01-01T23:59:59ZZ",
        ]
        for text in cases {
            let general: String
            do {
                let fields = try Array(text.utf8).withUnsafeBufferPointer { b throws(TimestampParseError) in
                    try TimestampParser.scanISO8601Fields(b)
                }
                let local = try fields.localSeconds()
                let offset = fields.offset ?? 0
                general = "\(local - Int64(offset)) \(fields.nanoseconds) \(String(describing: fields.offset))"
            } catch {
                general = "error: \(error.message)"
            }
            #expect(Self.parsed(text) == general, "\(text)")
        }
    }

    /// `accepts` (ranges checked, no instant made) says yes exactly where `parse` gives a time.
    @Test func acceptsExactlyWhatParseParses() {
        var rng = TimeTest.RNG(seed: 42)
        let parser = TimestampParser(format: .iso8601)
        var texts = ["2023-11-14T22:13:26Z", "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2023-04-31T00:00:00Z",
                     "2023-01-01T23:59:60Z", "2023-01-01T24:00:00Z", "2023-01-01", "2023-02-30", "2023-01-01T10:00",
                     "2023-01-01T10:00:00.5+05:30", "2023-13-01T00:00:00+01:00", "2023-01-01T00:60:00Z", "", "x"]
        for _ in 0..<100_000 {
            // Fields around their limits, in the fast form and in others.
            let y = Int(rng.next() % 10_000), mo = Int(rng.next() % 14), d = Int(rng.next() % 33)
            let h = Int(rng.next() % 26), mi = Int(rng.next() % 62), s = Int(rng.next() % 62)
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            let year = String(repeating: "0", count: 4 - String(y).count) + String(y)
            let date = "\(year)-\(two(mo))-\(two(d))"
            switch rng.next() % 4 {
            case 0: texts.append(date)
            case 1: texts.append("\(date)T\(two(h)):\(two(mi)):\(two(s))+02:00")
            default: texts.append("\(date)T\(two(h)):\(two(mi)):\(two(s))Z")
            }
        }
        var accepted = 0
        for text in texts {
            let bytes = Array(text.utf8)
            let parses = (try? parser.parse(text)) != nil
            let accepts = bytes.withUnsafeBufferPointer { parser.accepts($0) }
            #expect(accepts == parses, "\(text)")
            if accepts { accepted += 1 }
        }
        #expect(accepted > 20_000 && accepted < 90_000)
    }
}

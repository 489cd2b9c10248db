/// How a vendor wants times written.
public enum TimestampOutputFormat: String, Sendable, CaseIterable {
    /// JSON integer, the floor of the instant in seconds (Toplyne).
    case epochSeconds = "epoch_s"
    /// JSON integer, the floor of the instant in milliseconds.
    case epochMilliseconds = "epoch_ms"
    /// `"2024-01-31T09:30:00Z"` in UTC; a fraction only when nonzero, in the fewest of
    /// 3, 6 or 9 digits that is exact (`.250Z`, `.000001Z`) (Netcore, Pyze).
    case iso8601UTC = "iso8601_utc"
    /// Like ``iso8601UTC`` but in the offset the source carried (or its zone gave), when known:
    /// `"2024-01-31T15:00:00+05:30"`; `Z` when the offset is unknown or zero (Talon.One).
    /// RFC 3339 offsets have whole minutes: an offset with seconds (local mean time before
    /// 1900 in some zones) is truncated to minutes and the local time written to match, so
    /// the instant is exact.
    case rfc3339 = "rfc3339"
}

/// Writes timestamps with byte appends and integer arithmetic.
///
/// Years 0000-9999 are written with four digits; a time outside them (which the parser never
/// produces) is written with its year's full digits and sign, which is not valid ISO-8601.
public enum TimestampFormatter {
    /// The most bytes `writeJSON` writes: a quoted date-time with nine fraction digits and
    /// an offset is 37, a year outside 0000-9999 adds at most 13, an integer is at most 20.
    public static let maxJSONLength = 64

    /// Appends the formatted value as a JSON token (an integer, or a quoted string) to `out`.
    public static func appendJSON(_ t: Timestamp, as format: TimestampOutputFormat, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxJSONLength) { buffer in
            let n = writeJSON(t, as: format, to: buffer.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// Writes the formatted value as a JSON token at `p`, which has room for `maxJSONLength`
    /// bytes; how many it wrote.
    @inline(__always)
    public static func writeJSON(_ t: Timestamp, as format: TimestampOutputFormat, to p: UnsafeMutablePointer<UInt8>) -> Int {
        switch format {
        case .epochSeconds: return DecimalDigits.write(t.seconds, to: p)
        case .epochMilliseconds: return DecimalDigits.write(milliseconds(t), to: p)
        case .iso8601UTC, .rfc3339:
            p[0] = UInt8(ascii: "\"")
            let n = 1 + writeDateTime(t, offset: format == .rfc3339 ? t.offsetSeconds : nil, to: p + 1)
            p[n] = UInt8(ascii: "\"")
            return n + 1
        }
    }

    /// Appends the unquoted text form (integers in decimal) to `out`.
    public static func appendText(_ t: Timestamp, as format: TimestampOutputFormat, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxJSONLength) { buffer in
            let p = buffer.baseAddress!
            let n: Int
            switch format {
            case .epochSeconds: n = DecimalDigits.write(t.seconds, to: p)
            case .epochMilliseconds: n = DecimalDigits.write(milliseconds(t), to: p)
            case .iso8601UTC: n = writeDateTime(t, offset: nil, to: p)
            case .rfc3339: n = writeDateTime(t, offset: t.offsetSeconds, to: p)
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// The unquoted text form (integers in decimal).
    public static func string(_ t: Timestamp, as format: TimestampOutputFormat) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(40)
        appendText(t, as: format, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The integer of the epoch formats; nil for the text formats.
    public static func integer(_ t: Timestamp, as format: TimestampOutputFormat) -> Int64? {
        switch format {
        case .epochSeconds: return t.seconds
        case .epochMilliseconds: return milliseconds(t)
        case .iso8601UTC, .rfc3339: return nil
        }
    }

    /// Floor of the instant in milliseconds, saturating at the ends of Int64.
    @inline(__always)
    static func milliseconds(_ t: Timestamp) -> Int64 {
        let (product, overflow) = t.seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return t.seconds < 0 ? Int64.min : Int64.max }
        let (sum, overflow2) = product.addingReportingOverflow(Int64(t.nanoseconds / 1_000_000))
        return overflow2 ? Int64.max : sum
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]` then `Z` or `±HH:MM`.
    /// Written at `p` (room for `maxJSONLength - 2` bytes); how many bytes it wrote.
    @inline(__always)
    static func writeDateTime(_ t: Timestamp, offset: Int32?, to p: UnsafeMutablePointer<UInt8>) -> Int {
        // Whole minutes only (RFC 3339); truncation toward zero keeps the sign.
        let minutesOffset = Int64((offset ?? 0) / 60) * 60
        let (local, overflow) = t.seconds.addingReportingOverflow(minutesOffset)
        let writeOffset = minutesOffset != 0 && !overflow
        let seconds = writeOffset ? local : t.seconds
        let (days, secondOfDay) = CivilCalendar.floorDivMod(seconds, CivilCalendar.secondsPerDay)
        let date = CivilCalendar.date(days: days)
        var n = 0
        if date.year < 0 || date.year > 9999 {
            if date.year < 0 { p[n] = UInt8(ascii: "-"); n += 1 }
            let digits = date.year.magnitude
            if digits < 1000 { for _ in 0..<(digits < 10 ? 3 : digits < 100 ? 2 : 1) { p[n] = UInt8(ascii: "0"); n += 1 } }
            n += DecimalDigits.write(Int64(digits), to: p + n)
        }
        do {
            let b = p
            @inline(__always) func two(_ v: Int) {
                b[n] = UInt8(truncatingIfNeeded: v / 10) &+ 48
                b[n + 1] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                n += 2
            }
            if date.year >= 0 && date.year <= 9999 {
                let y = Int(date.year)
                two(y / 100)
                two(y % 100)
            }
            b[n] = UInt8(ascii: "-"); n += 1
            two(date.month)
            b[n] = UInt8(ascii: "-"); n += 1
            two(date.day)
            b[n] = UInt8(ascii: "T"); n += 1
            let sod = Int(secondOfDay)
            two(sod / 3600)
            b[n] = UInt8(ascii: ":"); n += 1
            two(sod / 60 % 60)
            b[n] = UInt8(ascii: ":"); n += 1
            two(sod % 60)
            var nanos = Int(t.nanoseconds)
            if nanos != 0 {
                var digits = 9
                if nanos % 1_000_000 == 0 {
                    nanos /= 1_000_000
                    digits = 3
                } else if nanos % 1000 == 0 {
                    nanos /= 1000
                    digits = 6
                }
                b[n] = UInt8(ascii: "."); n += 1
                var k = n + digits
                n = k
                while k > n - digits {
                    k -= 1
                    b[k] = UInt8(truncatingIfNeeded: nanos % 10) &+ 48
                    nanos /= 10
                }
            }
            if writeOffset {
                b[n] = minutesOffset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"); n += 1
                let minutes = Int(minutesOffset.magnitude / 60)
                two(minutes / 60)
                b[n] = UInt8(ascii: ":"); n += 1
                two(minutes % 60)
            } else {
                b[n] = UInt8(ascii: "Z"); n += 1
            }
        }
        return n
    }
}

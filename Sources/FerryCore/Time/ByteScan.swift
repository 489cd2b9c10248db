/// Byte-level helpers shared by the ISO-8601 and pattern parsers. Numeric readers return
/// -1 (and leave the index alone) when the bytes do not match.
enum ByteScan {
    /// `fractionScale[k]` turns a k-digit fraction into nanoseconds.
    static let fractionScale: [Int32] = [0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1000, 100, 10, 1]

    static let monthNames: [[UInt8]] = ["january", "february", "march", "april", "may", "june", "july",
                                        "august", "september", "october", "november", "december"].map { Array($0.utf8) }
    static let weekdayNames: [[UInt8]] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                          "sunday"].map { Array($0.utf8) }

    @inline(__always)
    static func digit(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        guard i < b.count else { return -1 }
        let d = b[i] &- UInt8(ascii: "0")
        return d < 10 ? Int(d) : -1
    }

    /// Exactly `count` digits.
    @inline(__always)
    static func fixedDigits(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ count: Int) -> Int {
        guard b.count - i >= count else { return -1 }
        var value = 0
        for k in 0..<count {
            let d = b[i + k] &- UInt8(ascii: "0")
            guard d < 10 else { return -1 }
            value = value &* 10 &+ Int(d)
        }
        i += count
        return value
    }

    /// width 2: exactly two digits; width 1: one or two digits (greedy).
    @inline(__always)
    static func numeric(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ width: Int) -> Int {
        if width >= 2 { return fixedDigits(b, &i, 2) }
        let first = digit(b, i)
        guard first >= 0 else { return -1 }
        let second = digit(b, i + 1)
        if second >= 0 {
            i += 2
            return first * 10 + second
        }
        i += 1
        return first
    }

    /// A name from `names` (lowercase), matched without regard to case: its first three
    /// letters, or (`full`) the whole name. Returns the index in `names`.
    static func name(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ names: [[UInt8]], full: Bool) -> Int {
        guard b.count - i >= 3 else { return -1 }
        for (index, name) in names.enumerated() {
            let length = full ? name.count : 3
            guard b.count - i >= length else { continue }
            var match = true
            for k in 0..<length where b[i + k] | 0x20 != name[k] {
                match = false
                break
            }
            if match {
                i += length
                return index
            }
        }
        return -1
    }

    /// `Z`/`z`, or `+HH`, `+HHMM`, `+HH:MM` (or `-`). Nil when the bytes are not an offset;
    /// throws when hours or minutes are out of range.
    @inline(__always)
    static func offset(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws(TimestampParseError) -> Int32? {
        guard i < b.count else { return nil }
        let c = b[i]
        if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
            i += 1
            return 0
        }
        guard c == UInt8(ascii: "+") || c == UInt8(ascii: "-") else { return nil }
        var j = i + 1
        let hours = fixedDigits(b, &j, 2)
        guard hours >= 0 else { return nil }
        var minutes = 0
        if j < b.count, b[j] == UInt8(ascii: ":") {
            j += 1
            minutes = fixedDigits(b, &j, 2)
            guard minutes >= 0 else { return nil }
        } else if digit(b, j) >= 0 {
            minutes = fixedDigits(b, &j, 2)
            guard minutes >= 0 else { return nil }
        }
        guard hours <= 23 else { throw TimestampParseError(message: "offset hours \(hours) out of range (0-23)") }
        guard minutes <= 59 else { throw TimestampParseError(message: "offset minutes \(minutes) out of range (0-59)") }
        i = j
        let magnitude = Int32(hours * 3600 + minutes * 60)
        return c == UInt8(ascii: "-") ? -magnitude : magnitude
    }

    /// "'x' at character 5 where <expected> belongs" / "the value ends after 7 characters where ...".
    static func describe(_ b: UnsafeBufferPointer<UInt8>, at i: Int, expected: String) -> String {
        if i >= b.count {
            return b.isEmpty ? "the value is empty" : "the value ends after \(b.count) characters, before \(expected)"
        }
        return "found \(character(b, i)) at character \(i + 1) where \(expected) belongs"
    }

    /// A short description of the byte at `i`: `'x'`, `space`, `byte 0xNN`.
    static func character(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> String {
        let c = b[i]
        switch c {
        case 0x20: return "a space"
        case 0x09: return "a tab"
        case 0x21...0x7E: return "'" + String(UnicodeScalar(c)) + "'"
        default:
            let digits = Array("0123456789ABCDEF".utf8)
            return "byte 0x" + String(decoding: [digits[Int(c >> 4)], digits[Int(c & 15)]], as: UTF8.self)
        }
    }
}

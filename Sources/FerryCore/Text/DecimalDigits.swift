/// Decimal text of integers, written straight into a caller's buffer: the digit count from
/// comparisons, then two digits at a time from a table of the pairs "00" to "99".
///
/// The JSON writer's integers and the epoch timestamps use it: dividing by ten once per digit
/// (and once more to count them) was about 100 instructions for a 3-digit count and 250 for
/// a 10-digit epoch second, for every row.
public enum DecimalDigits {
    /// The most bytes `write` writes: `-9223372036854775808` is 20.
    public static let maxLength = 20

    /// How many decimal digits `value` has (1 for 0).
    @inlinable @inline(__always)
    public static func count(_ value: UInt64) -> Int {
        var n = 1
        var threshold: UInt64 = 10
        // At most 19 comparisons (10^19 is the last power of ten below UInt64.max); a count or
        // an epoch second takes three to ten.
        while value >= threshold {
            n &+= 1
            if n == 20 { break }
            threshold &*= 10
        }
        return n
    }

    /// Writes `value` in decimal at `p` (room for `maxLength` bytes); how many bytes it wrote.
    @inlinable @inline(__always)
    public static func write(_ value: Int64, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let negative = value < 0
        if negative { p[0] = UInt8(ascii: "-") }
        let sign = negative ? 1 : 0
        return sign &+ write(magnitude: value.magnitude, to: p + sign)
    }

    /// Writes `magnitude` in decimal at `p` (room for 20 bytes); how many bytes it wrote.
    @inlinable @inline(__always)
    public static func write(magnitude: UInt64, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let n = count(magnitude)
        var rest = magnitude
        var i = n
        pairs.withUnsafeBufferPointer { table in
            let pair = UnsafeRawPointer(table.baseAddress!)
            while rest >= 100 {
                let (quotient, remainder) = rest.quotientAndRemainder(dividingBy: 100)
                rest = quotient
                i &-= 2
                UnsafeMutableRawPointer(p + i).copyMemory(from: pair + Int(remainder) &* 2, byteCount: 2)
            }
            if rest >= 10 {
                UnsafeMutableRawPointer(p).copyMemory(from: pair + Int(rest) &* 2, byteCount: 2)
            } else {
                p[0] = UInt8(truncatingIfNeeded: rest) &+ UInt8(ascii: "0")
            }
        }
        return n
    }

    /// "00", "01", ... "99", back to back.
    @usableFromInline
    static let pairs: [UInt8] = (0..<100).flatMap { [UInt8(ascii: "0") + UInt8($0 / 10), UInt8(ascii: "0") + UInt8($0 % 10)] }
}

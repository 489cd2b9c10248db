import CByteScan

/// Finding the next byte of a small set in a buffer eight bytes at a time (SWAR: a 64-bit
/// word holds eight bytes; a byte equal to `c` becomes a zero byte of `word ^ c·0x01…01`, and
/// `(x - 0x01…01) & ~x & 0x80…80` marks zero bytes). The lowest mark is always a true match
/// (a false mark needs a borrow from a true zero below it), which is all a search needs.
///
/// Used by the CSV reader for the stretches of a field between its special bytes, where it
/// spent most of its time going byte by byte, and by the JSON parser, the NDJSON field
/// scanner and the sandbox's acceptance scanner for the plain runs of strings. Where the CPU
/// has SSE2 (every x86-64 one), the search first goes sixteen bytes at a time (`CByteScan`),
/// and the words here take the last bytes before `end`.
public enum ByteSearch {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    @inline(__always)
    private static func zeroBytes(_ x: UInt64) -> UInt64 {
        (x &- ones) & ~x & highs
    }

    @inline(__always)
    private static func word(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
    }

    /// The bytes of `word` below byte `k` (little-endian: the first `k` in memory).
    @inline(__always)
    private static func below(_ word: UInt64, _ k: Int) -> UInt64 {
        k == 0 ? 0 : word & (UInt64.max >> UInt64(64 - 8 * k))
    }

    /// The index of the first of `a`, `b`, `c` in `p[start..<end]`, or `end`. `high` gets
    /// 0x80 set when a byte skipped over has its high bit set (non-ASCII).
    @inline(__always)
    static func first(of a: UInt8, _ b: UInt8, _ c: UInt8, in p: UnsafePointer<UInt8>, from start: Int, to end: Int,
                      high: inout UInt8) -> Int {
        let scan = ferry_scan3(p, start, end, a, b, c)
        high |= UInt8(truncatingIfNeeded: scan.high)
        if scan.found != 0 { return scan.index }
        let pa = ones &* UInt64(a), pb = ones &* UInt64(b), pc = ones &* UInt64(c)
        return first(in: p, from: scan.index, to: end, high: &high,
                     marks: { w in zeroBytes(w ^ pa) | zeroBytes(w ^ pb) | zeroBytes(w ^ pc) },
                     matches: { $0 == a || $0 == b || $0 == c })
    }

    /// The index of the first of `a`, `b` in `p[start..<end]`, or `end`; `high` as above.
    @inline(__always)
    static func first(of a: UInt8, _ b: UInt8, in p: UnsafePointer<UInt8>, from start: Int, to end: Int,
                      high: inout UInt8) -> Int {
        let scan = ferry_scan3(p, start, end, a, b, b)
        high |= UInt8(truncatingIfNeeded: scan.high)
        if scan.found != 0 { return scan.index }
        let pa = ones &* UInt64(a), pb = ones &* UInt64(b)
        return first(in: p, from: scan.index, to: end, high: &high,
                     marks: { w in zeroBytes(w ^ pa) | zeroBytes(w ^ pb) },
                     matches: { $0 == a || $0 == b })
    }

    /// The index of the first quote, backslash or control character (below 0x20) in
    /// `p[start..<end]`, or `end`: where a plain run inside a JSON string ends. `high` gets
    /// 0x80 set when a byte before that index is non-ASCII.
    ///
    /// Inlinable, so that the sixteen-byte scan is compiled into the callers of other modules
    /// too (the sandbox's acceptance scanner, Pyze's event bytes): in the sandbox, entering and
    /// leaving it was about a quarter of its samples, called once for every string.
    @inlinable @inline(__always)
    public static func firstJSONStringStop(in p: UnsafePointer<UInt8>, from start: Int, to end: Int,
                                           high: inout UInt8) -> Int {
        let scan = ferry_scan_json_string(p, start, end)
        high |= UInt8(truncatingIfNeeded: scan.high)
        if scan.found != 0 { return scan.index }
        let (index, tailHigh) = firstJSONStringStopInTail(in: p, from: scan.index, to: end)
        high |= tailHigh
        return index
    }

    /// `firstJSONStringStop` for the last bytes before `end` (fewer than sixteen, or all of
    /// them without SSE2), eight at a time; with 0x80 in `high` when a byte before `index` is
    /// non-ASCII. (Its `high` is returned, not written through a pointer: a caller's variable
    /// whose address is passed lives in memory, in the string scan's loop too.)
    @usableFromInline
    static func firstJSONStringStopInTail(in p: UnsafePointer<UInt8>, from start: Int, to end: Int) -> (index: Int, high: UInt8) {
        var high: UInt8 = 0
        let index = first(in: p, from: start, to: end, high: &high, marks: JSONScan.stringStops,
                          matches: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C })
        return (index, high)
    }

    /// The first eight of the `count` bytes at `p` as a little-endian word, zero past their
    /// end: one comparison tells most short keys and names apart.
    @inline(__always)
    public static func head(_ p: UnsafePointer<UInt8>?, count: Int) -> UInt64 {
        guard let p else { return 0 }
        var word: UInt64 = 0
        for k in 0..<min(count, 8) { word |= UInt64(p[k]) &<< UInt64(8 &* k) }
        return word
    }

    /// `head(p, count:)` where `readable` bytes from `p` may be read (at least `count`): with
    /// eight or more, as for a key inside a longer text, one load masked to `count` instead of
    /// a byte at a time.
    @inlinable @inline(__always)
    public static func head(_ p: UnsafePointer<UInt8>, count: Int, readable: Int) -> UInt64 {
        guard readable >= 8 else { return head(p, count: count) }
        let word = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        return count >= 8 ? word : word & ((1 &<< UInt64(8 &* count)) &- 1)
    }

    /// The search itself: `marks` flags the high bit of each byte of a word that may match
    /// (exactly for its lowest), `matches` tests one byte for the tail shorter than a word.
    @inline(__always)
    private static func first(in p: UnsafePointer<UInt8>, from start: Int, to end: Int, high: inout UInt8,
                              marks: (UInt64) -> UInt64, matches: (UInt8) -> Bool) -> Int {
        var i = start
        var skipped: UInt64 = 0
        while i + 8 <= end {
            let w = word(p, i)
            let found = marks(w)
            if found != 0 {
                let k = found.trailingZeroBitCount >> 3
                skipped |= below(w, k)
                if skipped & highs != 0 { high |= 0x80 }
                return i + k
            }
            skipped |= w
            i += 8
        }
        if skipped & highs != 0 { high |= 0x80 }
        while i < end {
            let byte = p[i]
            if matches(byte) { return i }
            high |= byte
            i += 1
        }
        return end
    }
}

import CByteScan

/// Where a plain run inside a JSON string ends: the next quote, backslash or control
/// character. Sixteen bytes at a time with SSE2 (`ferry_scan_json_string`), then eight, then
/// one; for scanners that read strings straight from request or line bytes.
public enum JSONStringRun {
    /// The index of the first quote, backslash or byte below 0x20 in `p[start..<end]`, or
    /// `end`. `high` gets 0x80 set when a byte before that index is non-ASCII.
    @inline(__always)
    public static func end(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int, high: inout UInt8) -> Int {
        var found: Int32 = 0
        var j = ferry_scan_json_string(p, start, end, &high, &found)
        if found != 0 { return j }
        var wide: UInt64 = 0
        while j &+ 8 <= end {
            let w = JSONScan.load(p, j)
            let stops = JSONScan.stringStops(w)
            if stops != 0 {
                wide |= JSONScan.bytesBefore(w, mask: stops)
                j &+= stops.trailingZeroBitCount &>> 3
                if wide & JSONScan.highs != 0 { high |= 0x80 }
                return j
            }
            wide |= w
            j &+= 8
        }
        if wide & JSONScan.highs != 0 { high |= 0x80 }
        while j < end {
            let c = p[j]
            if c < 0x20 || c == 0x22 || c == 0x5C { break }
            high |= c & 0x80
            j &+= 1
        }
        return j
    }
}

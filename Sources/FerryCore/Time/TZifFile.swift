/// The contents of a TZif file (RFC 8536) that ferry uses: the transition table from the
/// 64-bit (version 2+) section, or the 32-bit section of a version 1 file, and the POSIX TZ
/// footer that governs instants after the last transition.
struct TZifFile: Sendable {
    /// Transition instants, UTC seconds, ascending.
    var transitions: [Int64]
    /// The offset (seconds east of UTC) in force from each transition on.
    var offsets: [Int32]
    /// The offset before the first transition (local time type 0).
    var initialOffset: Int32
    /// The footer rule, for instants after the last transition (version 2+ files).
    var footer: PosixTimeZoneRule?

    /// Why a file is not usable.
    struct Invalid: Error {
        var reason: String
    }

    /// Parses a TZif file. Transitions that do not change the UTC offset (only the
    /// abbreviation or the DST flag) are dropped: they matter to nothing ferry does.
    init(bytes: [UInt8]) throws(Invalid) {
        var reader = Reader(bytes: bytes)
        let v1 = try reader.header()
        var counts = v1.counts
        var timeSize = 4
        if v1.version >= UInt8(ascii: "2") {
            try reader.skip(counts.dataSize(timeSize: 4))
            let v2 = try reader.header()
            counts = v2.counts
            timeSize = 8
        }
        if counts.leap > 0 {
            throw Invalid(reason: "it counts leap seconds ('right/' zones), which ferry does not support; use the zone without the right/ prefix")
        }
        guard counts.types >= 1 else { throw Invalid(reason: "it defines no local time types") }
        try reader.need(counts.dataSize(timeSize: timeSize))

        var times: [Int64] = []
        times.reserveCapacity(counts.times)
        for _ in 0..<counts.times {
            times.append(timeSize == 8 ? try reader.int64() : Int64(try reader.int32()))
        }
        var typeIndices: [Int] = []
        typeIndices.reserveCapacity(counts.times)
        for _ in 0..<counts.times {
            let index = Int(try reader.byte())
            guard index < counts.types else { throw Invalid(reason: "a transition names local time type \(index) of \(counts.types)") }
            typeIndices.append(index)
        }
        var typeOffsets: [Int32] = []
        for _ in 0..<counts.types {
            let offset = try reader.int32()
            guard offset > -89_999, offset < 93_599 else { throw Invalid(reason: "UTC offset \(offset) s is out of range") }
            typeOffsets.append(offset)
            try reader.skip(2)   // isdst, abbreviation index
        }
        try reader.skip(counts.characters + counts.leap * (timeSize + 4) + counts.standardIndicators + counts.utIndicators)

        var footer: PosixTimeZoneRule?
        if timeSize == 8, reader.remaining > 0 {
            let text = try reader.footer()
            if !text.isEmpty {
                guard let rule = PosixTimeZoneRule(text) else { throw Invalid(reason: "its TZ footer \"\(text)\" is not a rule ferry understands") }
                footer = rule
            }
        }

        initialOffset = typeOffsets[0]
        transitions = []
        offsets = []
        transitions.reserveCapacity(times.count)
        offsets.reserveCapacity(times.count)
        var current = initialOffset
        var previousTime = Int64.min
        for (time, typeIndex) in zip(times, typeIndices) {
            guard time > previousTime else { throw Invalid(reason: "its transition times are not in ascending order") }
            previousTime = time
            let offset = typeOffsets[typeIndex]
            if offset != current {
                transitions.append(time)
                offsets.append(offset)
                current = offset
            }
        }
        self.footer = footer
    }

    init(transitions: [Int64], offsets: [Int32], initialOffset: Int32, footer: PosixTimeZoneRule?) {
        self.transitions = transitions
        self.offsets = offsets
        self.initialOffset = initialOffset
        self.footer = footer
    }

    /// Appends the footer rule's transitions after the last stored one, up to the start of
    /// `endYear`, so that common instants are found by one binary search instead of by
    /// evaluating the rule.
    mutating func extend(throughYearBefore endYear: Int64) {
        guard let footer, footer.hasDaylightTime, let last = transitions.last else { return }
        var current = offsets.last ?? initialOffset
        let firstYear = CivilCalendar.date(days: CivilCalendar.floorDivMod(last, CivilCalendar.secondsPerDay).quotient).year
        guard firstYear < endYear else { return }
        var lastAt = last
        for year in firstYear..<endYear {
            guard let pair = footer.transitions(inYear: year) else { return }
            for t in [pair.first, pair.second] where t.at > lastAt && t.offset != current {
                transitions.append(t.at)
                offsets.append(t.offset)
                current = t.offset
                lastAt = t.at
            }
        }
    }

    // MARK: Reading

    struct Counts {
        var utIndicators = 0, standardIndicators = 0, leap = 0, times = 0, types = 0, characters = 0

        func dataSize(timeSize: Int) -> Int {
            times * timeSize + times + types * 6 + characters + leap * (timeSize + 4) + standardIndicators + utIndicators
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        var remaining: Int { bytes.count - position }

        mutating func need(_ n: Int) throws(Invalid) {
            guard n >= 0, remaining >= n else { throw Invalid(reason: "it is truncated") }
        }

        mutating func skip(_ n: Int) throws(Invalid) {
            try need(n)
            position += n
        }

        mutating func byte() throws(Invalid) -> UInt8 {
            try need(1)
            defer { position += 1 }
            return bytes[position]
        }

        mutating func uint32() throws(Invalid) -> UInt32 {
            try need(4)
            var v: UInt32 = 0
            for k in 0..<4 { v = v << 8 | UInt32(bytes[position + k]) }
            position += 4
            return v
        }

        mutating func int32() throws(Invalid) -> Int32 {
            Int32(bitPattern: try uint32())
        }

        mutating func int64() throws(Invalid) -> Int64 {
            let high = UInt64(try uint32())
            let low = UInt64(try uint32())
            return Int64(bitPattern: high << 32 | low)
        }

        mutating func count() throws(Invalid) -> Int {
            let v = try uint32()
            guard v < 1 << 24 else { throw Invalid(reason: "a count in its header is implausibly large") }
            return Int(v)
        }

        mutating func header() throws(Invalid) -> (version: UInt8, counts: Counts) {
            try need(44)
            guard bytes[position] == UInt8(ascii: "T"), bytes[position + 1] == UInt8(ascii: "Z"),
                  bytes[position + 2] == UInt8(ascii: "i"), bytes[position + 3] == UInt8(ascii: "f")
            else { throw Invalid(reason: "it does not start with TZif") }
            let version = bytes[position + 4]
            position += 20
            var counts = Counts()
            counts.utIndicators = try count()
            counts.standardIndicators = try count()
            counts.leap = try count()
            counts.times = try count()
            counts.types = try count()
            counts.characters = try count()
            return (version, counts)
        }

        mutating func footer() throws(Invalid) -> String {
            guard try byte() == UInt8(ascii: "\n") else { throw Invalid(reason: "its TZ footer does not start with a newline") }
            let start = position
            while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
            guard position < bytes.count else { throw Invalid(reason: "its TZ footer does not end with a newline") }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }
    }
}

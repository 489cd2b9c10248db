/// A POSIX `TZ` rule string, as found in the footer of a TZif file: the rule for every
/// instant after the file's last transition.
///
/// Grammar (POSIX with the RFC 8536 extensions): `std offset [dst [offset] [,start[/time],end[/time]]]`.
/// Names are three or more letters or `<...>` quoted (`<+0530>`); offsets are
/// `[+-]hh[:mm[:ss]]` and count west of Greenwich (`EST5` is UTC-5); the DST offset defaults
/// to one hour ahead of standard time. A date is `Mm.w.d` (day `d` of week `w`, 5 = last, of
/// month `m`), `Jn` (1-365, February 29 never counted) or `n` (0-365, counting February 29);
/// a time is `[+-]hh[:mm[:ss]]` with hours up to 167, default `02:00`. The start time is in
/// standard local time, the end time in daylight local time. A DST name without a rule
/// uses the US rule `M3.2.0,M11.1.0`, as glibc does.
///
/// Examples: `EST5EDT,M3.2.0,M11.1.0`, `<+0530>-5:30`, `AEST-10AEDT,M10.1.0,M4.1.0/3`,
/// `IST-1GMT0,M10.5.0,M3.5.0/1` (negative DST, Europe/Dublin).
struct PosixTimeZoneRule: Sendable, Equatable {
    enum DateRule: Sendable, Equatable {
        /// `Jn`: day 1-365, February 29 never counted.
        case julianNoLeap(Int)
        /// `n`: zero-based day 0-365, February 29 counted.
        case zeroBased(Int)
        /// `Mm.w.d`
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    struct Transition: Sendable, Equatable {
        var date: DateRule
        /// Seconds after local midnight of `date`; may be negative or beyond a day.
        var time: Int64
    }

    /// Standard offset, seconds east of UTC.
    let standardOffset: Int32
    /// Daylight offset, seconds east of UTC, when the zone has daylight time.
    let daylightOffset: Int32?
    let start: Transition?
    let end: Transition?

    var hasDaylightTime: Bool { daylightOffset != nil && start != nil && end != nil }

    init?(_ text: String) {
        var parser = Parser(bytes: Array(text.utf8))
        guard let rule = parser.parseRule() else { return nil }
        self = rule
    }

    init(standardOffset: Int32, daylightOffset: Int32?, start: Transition?, end: Transition?) {
        self.standardOffset = standardOffset
        self.daylightOffset = daylightOffset
        self.start = start
        self.end = end
    }

    // MARK: Evaluation

    /// The UTC instants at which daylight time starts and ends in `year`, with the offset in
    /// force after each, in the order they occur; nil when the rule has no daylight time.
    func transitions(inYear year: Int64) -> (first: (at: Int64, offset: Int32), second: (at: Int64, offset: Int32))? {
        guard let dst = daylightOffset, let start, let end else { return nil }
        let startAt = Self.localSeconds(of: start, year: year) - Int64(standardOffset)
        let endAt = Self.localSeconds(of: end, year: year) - Int64(dst)
        if startAt <= endAt {
            return ((startAt, dst), (endAt, standardOffset))
        } else {
            return ((endAt, standardOffset), (startAt, dst))
        }
    }

    /// The offset in force at a UTC instant.
    func offset(atUTC seconds: Int64) -> Int32 {
        guard hasDaylightTime else { return standardOffset }
        let local = seconds + Int64(standardOffset)
        let year = CivilCalendar.date(days: CivilCalendar.floorDivMod(local, CivilCalendar.secondsPerDay).quotient).year
        // The latest transition at or before `seconds`, looking one year either side so that
        // rules whose periods cross New Year (southern hemisphere, permanent DST) resolve.
        // On equal instants the later one in rule order wins.
        var bestAt = Int64.min
        var bestOffset = standardOffset
        for y in (year - 1)...(year + 1) {
            guard let pair = transitions(inYear: y) else { continue }
            if pair.first.at <= seconds && pair.first.at >= bestAt { (bestAt, bestOffset) = pair.first }
            if pair.second.at <= seconds && pair.second.at >= bestAt { (bestAt, bestOffset) = pair.second }
        }
        return bestOffset
    }

    /// Local seconds (since 1970, as if UTC) of a transition in `year`.
    static func localSeconds(of transition: Transition, year: Int64) -> Int64 {
        let jan1 = CivilCalendar.days(year: year, month: 1, day: 1)
        let day: Int64
        switch transition.date {
        case .julianNoLeap(let n):
            var d = Int64(n - 1)
            if CivilCalendar.isLeapYear(year) && n >= 60 { d += 1 }
            day = jan1 + d
        case .zeroBased(let n):
            day = jan1 + Int64(n)
        case .monthWeekDay(let month, let week, let weekday):
            let first = CivilCalendar.days(year: year, month: month, day: 1)
            var dayOfMonth = 1 + (weekday - CivilCalendar.weekday(days: first) + 7) % 7 + 7 * (week - 1)
            let length = CivilCalendar.daysInMonth(year: year, month: month)
            while dayOfMonth > length { dayOfMonth -= 7 }
            day = first + Int64(dayOfMonth - 1)
        }
        return day * CivilCalendar.secondsPerDay + transition.time
    }

    // MARK: Parsing

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        var atEnd: Bool { i >= bytes.count }
        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func parseRule() -> PosixTimeZoneRule? {
            guard parseName(), let std = parseOffset() else { return nil }
            let standard = -std
            if atEnd { return PosixTimeZoneRule(standardOffset: Int32(standard), daylightOffset: nil, start: nil, end: nil) }
            guard parseName() else { return nil }
            var daylight = standard + 3600
            if let p = peek, p != UInt8(ascii: ",") {
                guard let dst = parseOffset() else { return nil }
                daylight = -dst
            }
            var start = Transition(date: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7200)
            var end = Transition(date: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7200)
            if !atEnd {
                guard peek == UInt8(ascii: ","), let s = parseTransition() else { return nil }
                guard peek == UInt8(ascii: ","), let e = parseTransition() else { return nil }
                guard atEnd else { return nil }
                start = s
                end = e
            }
            guard abs(standard) < 86_400 * 2, abs(daylight) < 86_400 * 2 else { return nil }
            return PosixTimeZoneRule(standardOffset: Int32(standard), daylightOffset: Int32(daylight), start: start, end: end)
        }

        mutating func parseName() -> Bool {
            if peek == UInt8(ascii: "<") {
                i += 1
                let begin = i
                while let c = peek, c != UInt8(ascii: ">") { i += 1 }
                guard peek == UInt8(ascii: ">"), i - begin >= 1 else { return false }
                i += 1
                return true
            }
            let begin = i
            while let c = peek, (c | 0x20) >= UInt8(ascii: "a"), (c | 0x20) <= UInt8(ascii: "z") { i += 1 }
            return i - begin >= 3
        }

        mutating func parseNumber(maxDigits: Int) -> Int64? {
            var value: Int64 = 0
            var count = 0
            while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9"), count < maxDigits {
                value = value * 10 + Int64(c - UInt8(ascii: "0"))
                i += 1
                count += 1
            }
            return count > 0 ? value : nil
        }

        /// `[+-]hh[:mm[:ss]]` in seconds (sign as written).
        mutating func parseHMS(maxHours: Int64) -> Int64? {
            var sign: Int64 = 1
            if peek == UInt8(ascii: "+") {
                i += 1
            } else if peek == UInt8(ascii: "-") {
                sign = -1
                i += 1
            }
            guard let h = parseNumber(maxDigits: 3), h <= maxHours else { return nil }
            var total = h * 3600
            if peek == UInt8(ascii: ":") {
                i += 1
                guard let m = parseNumber(maxDigits: 2), m < 60 else { return nil }
                total += m * 60
                if peek == UInt8(ascii: ":") {
                    i += 1
                    guard let s = parseNumber(maxDigits: 2), s < 60 else { return nil }
                    total += s
                }
            }
            return sign * total
        }

        mutating func parseOffset() -> Int64? { parseHMS(maxHours: 24) }

        mutating func parseTransition() -> Transition? {
            i += 1   // ','
            let date: DateRule
            if peek == UInt8(ascii: "J") {
                i += 1
                guard let n = parseNumber(maxDigits: 3), n >= 1, n <= 365 else { return nil }
                date = .julianNoLeap(Int(n))
            } else if peek == UInt8(ascii: "M") {
                i += 1
                guard let m = parseNumber(maxDigits: 2), m >= 1, m <= 12, peek == UInt8(ascii: ".") else { return nil }
                i += 1
                guard let w = parseNumber(maxDigits: 1), w >= 1, w <= 5, peek == UInt8(ascii: ".") else { return nil }
                i += 1
                guard let d = parseNumber(maxDigits: 1), d <= 6 else { return nil }
                date = .monthWeekDay(month: Int(m), week: Int(w), weekday: Int(d))
            } else {
                guard let n = parseNumber(maxDigits: 3), n <= 365 else { return nil }
                date = .zeroBased(Int(n))
            }
            var time: Int64 = 7200
            if peek == UInt8(ascii: "/") {
                i += 1
                guard let t = parseHMS(maxHours: 167) else { return nil }
                time = t
            }
            return Transition(date: date, time: time)
        }
    }
}

/// The fields of a local date-time read from text, before validation.
struct LocalFields {
    var year: Int64 = 0
    var month = 0
    var day = 0
    var hour = 0
    var minute = 0
    var second = 0
    var nanoseconds: Int32 = 0
    /// The offset written in the value, if any.
    var offset: Int32?

    /// The ranges `localSeconds` checks hold: it returns rather than throws.
    var inRange: Bool {
        month >= 1 && month <= 12 && day >= 1 && day <= CivilCalendar.daysInMonth(year: year, month: month)
            && hour <= 23 && minute <= 59 && second <= 59
    }

    /// Checks the ranges and returns local seconds since 1970 (as if UTC).
    @inline(__always)
    func localSeconds() throws(TimestampParseError) -> Int64 {
        guard month >= 1 && month <= 12 else { throw TimestampParseError(message: "month \(month) out of range (1-12)") }
        guard day >= 1 && day <= CivilCalendar.daysInMonth(year: year, month: month) else {
            throw TimestampParseError(message: "\(Self.pad(year, 4))-\(Self.pad(Int64(month), 2))-\(Self.pad(Int64(day), 2)) is not a date")
        }
        guard hour <= 23 else { throw TimestampParseError(message: "hour \(hour) out of range (0-23)") }
        guard minute <= 59 else { throw TimestampParseError(message: "minute \(minute) out of range (0-59)") }
        guard second <= 59 else {
            if second == 60 {
                throw TimestampParseError(message: "second 60: leap seconds are not supported (write 59, or the next minute)")
            }
            throw TimestampParseError(message: "second \(second) out of range (0-59)")
        }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        return days &* 86_400 &+ Int64(hour &* 3600 &+ minute &* 60 &+ second)
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

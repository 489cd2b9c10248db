/// Proleptic Gregorian calendar arithmetic on integers (Howard Hinnant's `days_from_civil` and
/// `civil_from_days`), correct for dates before 1970 and for year 0 and below.
///
/// Days are counted from 1970-01-01 (day 0); 1969-12-31 is day -1.
public enum CivilCalendar {
    /// Seconds in a day.
    public static let secondsPerDay: Int64 = 86_400

    /// Days from 1970-01-01 to the given date (which is not validated).
    @inlinable
    public static func days(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400                                            // [0, 399]
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1  // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy                    // [0, 146096]
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    @inlinable
    public static func date(days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097                                        // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365  // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)                  // [0, 365]
        let mp = (5 * doy + 2) / 153                                       // [0, 11]
        let d = doy - (153 * mp + 2) / 5 + 1                               // [1, 31]
        let m = mp < 10 ? mp + 3 : mp - 9                                  // [1, 12]
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, Int(m), Int(d))
    }

    /// Gregorian leap year: divisible by 4, except centuries not divisible by 400
    /// (1900 is not a leap year, 2000 is).
    @inlinable
    public static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Days in `month` (1-12) of `year`.
    @inlinable
    public static func daysInMonth(year: Int64, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Day of the week of the day `days` after 1970-01-01: 0 = Sunday ... 6 = Saturday.
    @inlinable
    public static func weekday(days: Int64) -> Int {
        let w = (days + 4) % 7   // 1970-01-01 was a Thursday
        return Int(w < 0 ? w + 7 : w)
    }

    /// Floor division and its non-negative remainder.
    @inlinable
    static func floorDivMod(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// The UTC second of 0000-01-01T00:00:00Z, the earliest instant ferry parses or writes as text.
    public static let minimumSeconds: Int64 = -62_167_219_200
    /// The UTC second of 9999-12-31T23:59:59Z, the latest whole second ferry parses or writes as text.
    public static let maximumSeconds: Int64 = 253_402_300_799
}

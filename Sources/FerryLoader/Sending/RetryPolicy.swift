/// When to try a request again: exponential backoff with full jitter (a random wait between
/// zero and the exponential cap), a vendor's Retry-After honoured (never waiting less than it
/// asks), and bounded both in attempts and in total time.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The cap of the first wait, doubled after each failure up to `maxDelay`.
    public var baseDelay: Double
    public var maxDelay: Double
    /// No retry starts once this much time has passed since the first attempt.
    public var maxTotal: Double

    public init(maxAttempts: Int = 8, baseDelay: Double = 0.5, maxDelay: Double = 30, maxTotal: Double = 600) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxTotal = maxTotal
    }

    /// The wait before attempt `attempt + 1` after `attempt` failed attempts (1-based), or nil
    /// when no attempt is left. `elapsed` is the time since the first attempt; `random` gives
    /// a value in 0..<1 (injected so that tests are exact).
    public func delay(afterAttempt attempt: Int, elapsed: Double, retryAfter: Double?,
                      random: () -> Double) -> Double? {
        guard attempt < maxAttempts else { return nil }
        let cap = min(maxDelay, baseDelay * Double(1 << min(attempt - 1, 30)))
        var wait = random() * cap
        if let retryAfter, retryAfter > 0 {
            wait = max(wait, min(retryAfter, maxTotal))
        }
        guard elapsed + wait <= maxTotal else { return nil }
        return wait
    }

    /// Parses a Retry-After header: delay seconds (`"120"`, `"1.5"`), or an HTTP date (RFC 9110
    /// IMF-fixdate, `Wed, 21 Oct 2015 07:28:00 GMT`) relative to `now` (seconds since 1970).
    /// Nil when absent or unreadable; never negative.
    public static func parseRetryAfter(_ header: String?, now: Double) -> Double? {
        guard let text = header?.trimmingWhitespaceAndQuotes(), !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite { return max(0, seconds) }
        guard let date = httpDate(text) else { return nil }
        return max(0, date - now)
    }

    /// `Wed, 21 Oct 2015 07:28:00 GMT` as seconds since 1970.
    static func httpDate(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let monthIndex = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        // Days from civil (Howard Hinnant), month 1-12.
        let m = monthIndex + 1
        let y = m <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2])
    }
}

extension String {
    fileprivate func trimmingWhitespaceAndQuotes() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" || first == "\"" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\"" { text.removeLast() }
        return String(text)
    }
}

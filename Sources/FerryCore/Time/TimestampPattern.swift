/// A date-time pattern with Java/Unicode-like letters, compiled once into a short token
/// list that parsing walks over the bytes of each value.
///
/// | letters | meaning |
/// |---|---|
/// | `yyyy` | 4-digit year, 0000-9999 |
/// | `yy` | 2-digit year, read as 2000-2099 (`24` is 2024; there is no pivot to the 1900s) |
/// | `M` / `MM` | month, 1-2 digits / exactly 2 digits |
/// | `MMM` / `MMMM` | month name `Jan`..`Dec` / `January`..`December`, any letter case |
/// | `d` / `dd` | day of month, 1-2 digits / exactly 2 |
/// | `H` / `HH` | hour 0-23, 1-2 digits / exactly 2 |
/// | `h` / `hh` | hour 1-12, 1-2 digits / exactly 2; needs `a` |
/// | `m` / `mm`, `s` / `ss` | minute, second, 1-2 digits / exactly 2 |
/// | `S`...`SSSSSSSSS` | fraction of a second, exactly as many digits as letters (`SSS` milliseconds) |
/// | `a` | `AM` or `PM`, any letter case |
/// | `E`/`EE`/`EEE` / `EEEE` | weekday name `Mon`..`Sun` / `Monday`..`Sunday`, any case; checked to be a weekday name, otherwise ignored |
/// | `X`, `XX`, `XXX`, `Z` | UTC offset; every one of them accepts `Z`, `+05`, `+0530` and `+05:30` (and `-`) |
///
/// Text in single quotes is literal (`'T'`), `''` is a single quote, and any other
/// character that is not an ASCII letter is literal. Literals match exactly (case-sensitive).
/// A pattern must contain a year, a month and a day; missing time fields are zero.
/// Values without an offset field are read in the parser's time zone.
public struct TimestampPattern: Sendable, Equatable {
    /// The pattern as written.
    public let text: String
    /// True when the pattern has an offset field (`X`, `XX`, `XXX` or `Z`), so values carry their offset.
    public let hasOffsetField: Bool
    /// The pattern applied to 2024-01-31T09:30:00.123456789+05:30 (a Wednesday), for messages.
    public let example: String

    let tokens: [Token]
    /// The bytes of all literal tokens; a literal token refers to a range of them.
    let literals: [UInt8]

    enum Kind: UInt8, Sendable {
        case year4, year2, month, monthShort, monthFull, day, hour24, hour12, minute, second
        case fraction, ampm, weekdayShort, weekdayFull, offset, literal
    }

    struct Token: Sendable, Equatable {
        var kind: Kind
        /// Numeric fields: 1 = one or two digits, 2 = exactly two; fraction: its digit count;
        /// offset: the number of pattern letters (for the example).
        var width: Int
        /// Literal: range in `literals`. Offset: the pattern letter.
        var start: Int = 0
        var count: Int = 0
    }

    public static let supportedLetters =
        "yyyy yy M MM MMM MMMM d dd H HH h hh m mm s ss S..SSSSSSSSS a EEE EEEE X XX XXX Z"

    public init(_ pattern: String) throws(TimestampFormatError) {
        let bytes = Array(pattern.utf8)
        let quoted = "\"" + pattern + "\""
        guard !bytes.isEmpty else {
            throw TimestampFormatError(message: "empty timestamp format; use one of \(TimestampInputFormat.names.joined(separator: ", ")) or a pattern such as yyyy-MM-dd HH:mm:ss")
        }
        var tokens: [Token] = []
        var literals: [UInt8] = []

        func addLiteral(_ byte: UInt8) {
            if let last = tokens.last, last.kind == .literal, last.start + last.count == literals.count {
                tokens[tokens.count - 1].count += 1
            } else {
                tokens.append(Token(kind: .literal, width: 0, start: literals.count, count: 1))
            }
            literals.append(byte)
        }

        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "'") {
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "'") {
                    addLiteral(c)
                    i += 2
                    continue
                }
                i += 1
                var closed = false
                while i < bytes.count {
                    if bytes[i] == UInt8(ascii: "'") {
                        if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "'") {
                            addLiteral(bytes[i])
                            i += 2
                            continue
                        }
                        closed = true
                        i += 1
                        break
                    }
                    addLiteral(bytes[i])
                    i += 1
                }
                if !closed {
                    throw TimestampFormatError(message: "unterminated quote in timestamp pattern \(quoted); close literal text with ' (write '' for a quote)")
                }
                continue
            }
            let lower = c | 0x20
            guard lower >= UInt8(ascii: "a"), lower <= UInt8(ascii: "z") else {
                addLiteral(c)
                i += 1
                continue
            }
            var run = 1
            while i + run < bytes.count, bytes[i + run] == c { run += 1 }
            let letters = String(repeating: String(UnicodeScalar(c)), count: run)
            func unsupported(_ advice: String) -> TimestampFormatError {
                TimestampFormatError(message: "'\(letters)' is not supported in timestamp pattern \(quoted); \(advice)")
            }
            let token: Token
            switch (c, run) {
            case (UInt8(ascii: "y"), 4): token = Token(kind: .year4, width: 4)
            case (UInt8(ascii: "y"), 2): token = Token(kind: .year2, width: 2)
            case (UInt8(ascii: "y"), _): throw unsupported("use yyyy (4-digit year) or yy (2-digit year, 2000-2099)")
            case (UInt8(ascii: "M"), 1...2): token = Token(kind: .month, width: run)
            case (UInt8(ascii: "M"), 3): token = Token(kind: .monthShort, width: 3)
            case (UInt8(ascii: "M"), 4): token = Token(kind: .monthFull, width: 4)
            case (UInt8(ascii: "d"), 1...2): token = Token(kind: .day, width: run)
            case (UInt8(ascii: "H"), 1...2): token = Token(kind: .hour24, width: run)
            case (UInt8(ascii: "h"), 1...2): token = Token(kind: .hour12, width: run)
            case (UInt8(ascii: "m"), 1...2): token = Token(kind: .minute, width: run)
            case (UInt8(ascii: "s"), 1...2): token = Token(kind: .second, width: run)
            case (UInt8(ascii: "S"), 1...9): token = Token(kind: .fraction, width: run)
            case (UInt8(ascii: "S"), _): throw unsupported("fractions have at most 9 digits (SSSSSSSSS)")
            case (UInt8(ascii: "a"), 1): token = Token(kind: .ampm, width: 1)
            case (UInt8(ascii: "E"), 1...3): token = Token(kind: .weekdayShort, width: run)
            case (UInt8(ascii: "E"), 4): token = Token(kind: .weekdayFull, width: 4)
            case (UInt8(ascii: "X"), 1...3): token = Token(kind: .offset, width: run, start: Int(c))
            case (UInt8(ascii: "Z"), 1...3): token = Token(kind: .offset, width: run, start: Int(c))
            case (UInt8(ascii: "M"), _), (UInt8(ascii: "d"), _), (UInt8(ascii: "H"), _), (UInt8(ascii: "h"), _),
                 (UInt8(ascii: "m"), _), (UInt8(ascii: "s"), _), (UInt8(ascii: "a"), _), (UInt8(ascii: "E"), _),
                 (UInt8(ascii: "X"), _), (UInt8(ascii: "Z"), _):
                throw unsupported("supported letters: \(Self.supportedLetters)")
            default:
                throw TimestampFormatError(message: "unknown letter '\(String(UnicodeScalar(c)))' in timestamp pattern \(quoted); supported letters: \(Self.supportedLetters); put literal text in single quotes ('T'); named formats: \(TimestampInputFormat.names.joined(separator: ", "))")
            }
            tokens.append(token)
            i += run
        }

        // Each field at most once; year, month and day required; 12-hour clock with AM/PM.
        func field(_ kind: Kind) -> String? {
            switch kind {
            case .year4, .year2: return "year"
            case .month, .monthShort, .monthFull: return "month"
            case .day: return "day"
            case .hour24, .hour12: return "hour"
            case .minute: return "minute"
            case .second: return "second"
            case .fraction: return "fraction of a second"
            case .ampm: return "AM/PM marker"
            case .weekdayShort, .weekdayFull: return "weekday"
            case .offset: return "UTC offset"
            case .literal: return nil
            }
        }
        var seen: Set<String> = []
        for token in tokens {
            guard let name = field(token.kind) else { continue }
            if !seen.insert(name).inserted {
                throw TimestampFormatError(message: "timestamp pattern \(quoted) gives the \(name) twice")
            }
        }
        for (name, letters) in [("year", "yyyy"), ("month", "MM"), ("day", "dd")] where !seen.contains(name) {
            throw TimestampFormatError(message: "timestamp pattern \(quoted) has no \(name) (\(letters)); a pattern must give a full date (time-only patterns are not supported)")
        }
        let hasHour12 = tokens.contains { $0.kind == .hour12 }
        let hasAMPM = tokens.contains { $0.kind == .ampm }
        if hasHour12 && !hasAMPM {
            throw TimestampFormatError(message: "timestamp pattern \(quoted) uses h/hh (12-hour clock, 1-12) without a (AM/PM); add a, or use HH for a 24-hour clock")
        }
        if hasAMPM && !hasHour12 {
            throw TimestampFormatError(message: "timestamp pattern \(quoted) has a (AM/PM) but no h/hh (12-hour clock); use h or hh with a, or HH without a")
        }

        self.text = pattern
        self.tokens = tokens
        self.literals = literals
        self.hasOffsetField = tokens.contains { $0.kind == .offset }
        self.example = Self.render(tokens: tokens, literals: literals)
    }

    // MARK: Example

    private static func render(tokens: [Token], literals: [UInt8]) -> String {
        var out: [UInt8] = []
        for token in tokens {
            let text: String
            switch token.kind {
            case .year4: text = "2024"
            case .year2: text = "24"
            case .month: text = token.width == 1 ? "1" : "01"
            case .monthShort: text = "Jan"
            case .monthFull: text = "January"
            case .day: text = "31"
            case .hour24, .hour12: text = token.width == 1 ? "9" : "09"
            case .minute: text = "30"
            case .second: text = token.width == 1 ? "0" : "00"
            case .fraction: text = String("123456789".prefix(token.width))
            case .ampm: text = "AM"
            case .weekdayShort: text = "Wed"
            case .weekdayFull: text = "Wednesday"
            case .offset:
                if token.start == Int(UInt8(ascii: "Z")) || token.width == 2 {
                    text = "+0530"
                } else {
                    text = token.width == 1 ? "+05" : "+05:30"
                }
            case .literal:
                out.append(contentsOf: literals[token.start..<(token.start + token.count)])
                continue
            }
            out.append(contentsOf: text.utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What a token expects, for error messages.
    func expectation(_ token: Token) -> String {
        switch token.kind {
        case .year4: return "a 4-digit year"
        case .year2: return "a 2-digit year"
        case .month: return token.width == 1 ? "a month (1-2 digits)" : "a 2-digit month"
        case .monthShort: return "a month name (Jan-Dec)"
        case .monthFull: return "a month name (January-December)"
        case .day: return token.width == 1 ? "a day (1-2 digits)" : "a 2-digit day"
        case .hour24, .hour12: return token.width == 1 ? "an hour (1-2 digits)" : "a 2-digit hour"
        case .minute: return token.width == 1 ? "minutes (1-2 digits)" : "2-digit minutes"
        case .second: return token.width == 1 ? "seconds (1-2 digits)" : "2-digit seconds"
        case .fraction: return "a \(token.width)-digit fraction of a second"
        case .ampm: return "AM or PM"
        case .weekdayShort: return "a weekday name (Mon-Sun)"
        case .weekdayFull: return "a weekday name (Monday-Sunday)"
        case .offset: return "a UTC offset (Z, +05:30 or +0530)"
        case .literal:
            return "'" + String(decoding: literals[token.start..<(token.start + token.count)], as: UTF8.self) + "'"
        }
    }

    // MARK: Parsing

    /// Reads the fields of one value. Range checks of the values happen in ``LocalFields``.
    func scan(_ b: UnsafeBufferPointer<UInt8>) throws(TimestampParseError) -> LocalFields {
        var fields = LocalFields()
        var i = 0
        var pm = false
        var hour12 = -1
        for token in tokens {
            let before = i
            var ok = true
            switch token.kind {
            case .literal:
                if b.count - i >= token.count {
                    for k in 0..<token.count where b[i + k] != literals[token.start + k] {
                        ok = false
                        break
                    }
                    if ok { i += token.count }
                } else {
                    ok = false
                }
            case .year4:
                let v = ByteScan.fixedDigits(b, &i, 4)
                if v >= 0 { fields.year = Int64(v) } else { ok = false }
            case .year2:
                let v = ByteScan.fixedDigits(b, &i, 2)
                if v >= 0 { fields.year = 2000 + Int64(v) } else { ok = false }
            case .month:
                let v = ByteScan.numeric(b, &i, token.width)
                if v >= 0 { fields.month = v } else { ok = false }
            case .day:
                let v = ByteScan.numeric(b, &i, token.width)
                if v >= 0 { fields.day = v } else { ok = false }
            case .hour24:
                let v = ByteScan.numeric(b, &i, token.width)
                if v >= 0 { fields.hour = v } else { ok = false }
            case .hour12:
                let v = ByteScan.numeric(b, &i, token.width)
                if v >= 0 { hour12 = v } else { ok = false }
            case .minute:
                let v = ByteScan.numeric(b, &i, token.width)
                if v >= 0 { fields.minute = v } else { ok = false }
            case .second:
                let v = ByteScan.numeric(b, &i, token.width)
                if v >= 0 { fields.second = v } else { ok = false }
            case .fraction:
                let v = ByteScan.fixedDigits(b, &i, token.width)
                if v >= 0 { fields.nanoseconds = Int32(v) * ByteScan.fractionScale[token.width] } else { ok = false }
            case .monthShort, .monthFull:
                let v = ByteScan.name(b, &i, ByteScan.monthNames, full: token.kind == .monthFull)
                if v >= 0 { fields.month = v + 1 } else { ok = false }
            case .weekdayShort, .weekdayFull:
                ok = ByteScan.name(b, &i, ByteScan.weekdayNames, full: token.kind == .weekdayFull) >= 0
            case .ampm:
                if b.count - i >= 2, b[i + 1] | 0x20 == UInt8(ascii: "m") {
                    switch b[i] | 0x20 {
                    case UInt8(ascii: "a"): pm = false
                    case UInt8(ascii: "p"): pm = true
                    default: ok = false
                    }
                    if ok { i += 2 }
                } else {
                    ok = false
                }
            case .offset:
                switch try ByteScan.offset(b, &i) {
                case .some(let offset): fields.offset = offset
                case .none: ok = false
                }
            }
            if !ok {
                i = before
                throw failure(b, at: before, expected: expectation(token))
            }
        }
        if i != b.count {
            throw failure(b, at: i, expected: "the end of the value")
        }
        if hour12 >= 0 {
            guard hour12 >= 1 && hour12 <= 12 else {
                throw TimestampParseError(message: "hour \(hour12) out of range for a 12-hour clock (1-12)")
            }
            fields.hour = hour12 % 12 + (pm ? 12 : 0)
        }
        return fields
    }

    private func failure(_ b: UnsafeBufferPointer<UInt8>, at i: Int, expected: String) -> TimestampParseError {
        TimestampParseError(message: "expected \(text) such as \(example): \(ByteScan.describe(b, at: i, expected: expected))")
    }
}

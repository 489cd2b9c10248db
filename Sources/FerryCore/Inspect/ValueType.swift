/// The type `ferry inspect` guesses for a column from sampled values.
public enum ValueType: String, Sendable, CaseIterable {
    case boolean
    case epochMilliseconds = "epoch_milliseconds"
    case epochSeconds = "epoch_seconds"
    case integer
    case number
    case date
    case timestamp = "iso8601_timestamp"
    case object
    case array
    case text
    /// No non-empty value in the sample.
    case empty
    /// JSON values of different kinds (for example objects and strings).
    case mixed

    /// Candidate types as bits; a column keeps the types every sampled value fits.
    struct Candidates: OptionSet {
        let rawValue: UInt16
        static let boolean = Candidates(rawValue: 1 << 0)
        static let epochMilliseconds = Candidates(rawValue: 1 << 1)
        static let epochSeconds = Candidates(rawValue: 1 << 2)
        static let integer = Candidates(rawValue: 1 << 3)
        static let number = Candidates(rawValue: 1 << 4)
        static let date = Candidates(rawValue: 1 << 5)
        static let timestamp = Candidates(rawValue: 1 << 6)
        static let object = Candidates(rawValue: 1 << 7)
        static let array = Candidates(rawValue: 1 << 8)
        static let text = Candidates(rawValue: 1 << 9)
        static let all = Candidates(rawValue: 0x3FF)

        /// Most specific first.
        static let priority: [(Candidates, ValueType)] = [
            (.boolean, .boolean), (.epochMilliseconds, .epochMilliseconds), (.epochSeconds, .epochSeconds),
            (.integer, .integer), (.number, .number), (.date, .date), (.timestamp, .timestamp),
            (.object, .object), (.array, .array), (.text, .text),
        ]
    }
}

/// Classifies single values by their text, byte by byte.
enum ValueClassifier {
    /// 2000-01-01 to 2100-01-01 in seconds: integers in this range may be epoch seconds.
    static let epochSecondsRange: ClosedRange<Int64> = 946_684_800...4_102_444_800
    static let epochMillisecondsRange: ClosedRange<Int64> = 946_684_800_000...4_102_444_800_000

    static func classify(text bytes: UnsafeBufferPointer<UInt8>) -> ValueType.Candidates {
        if let integer = parseInteger(bytes) {
            var set: ValueType.Candidates = [.integer, .number, .text]
            if epochSecondsRange.contains(integer) { set.insert(.epochSeconds) }
            if epochMillisecondsRange.contains(integer) { set.insert(.epochMilliseconds) }
            return set
        }
        if isBoolean(bytes) { return [.boolean, .text] }
        if isNumber(bytes) { return [.number, .text] }
        if isDate(bytes) { return [.date, .timestamp, .text] }
        if isTimestamp(bytes) { return [.timestamp, .text] }
        return .text
    }

    static func classify(json value: JSONValue) -> ValueType.Candidates? {
        switch value {
        case .null: return nil
        case .bool: return .boolean
        case .int(let v):
            var set: ValueType.Candidates = [.integer, .number]
            if epochSecondsRange.contains(v) { set.insert(.epochSeconds) }
            if epochMillisecondsRange.contains(v) { set.insert(.epochMilliseconds) }
            return set
        case .double, .decimal: return .number
        case .string(var s):
            if s.isEmpty { return nil }
            return s.withUTF8 { classify(text: $0) }
        case .array: return .array
        case .object: return .object
        }
    }

    static func parseInteger(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < b.count, b.count - i <= 19 else { return nil }
        var value: Int64 = 0
        while i < b.count {
            let d = b[i] &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            value = s
            i += 1
        }
        return negative ? -value : value
    }

    static func isBoolean(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count <= 5 else { return false }
        let lowered = String(decoding: b, as: UTF8.self).lowercased()
        return ["true", "false", "yes", "no", "t", "f", "y", "n"].contains(lowered)
    }

    /// A decimal number: optional sign, digits with an optional fraction, optional exponent.
    static func isNumber(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
        var digits = 0
        while i < b.count, b[i] &- 0x30 < 10 { i += 1; digits += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, b[i] &- 0x30 < 10 { i += 1; digits += 1 }
        }
        guard digits > 0 else { return false }
        if i < b.count, b[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
            var exponentDigits = 0
            while i < b.count, b[i] &- 0x30 < 10 { i += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return false }
        }
        return i == b.count
    }

    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ count: Int) -> Bool {
        guard from + count <= b.count else { return false }
        for i in from..<(from + count) where b[i] &- 0x30 >= 10 { return false }
        return true
    }

    /// `YYYY-MM-DD`.
    static func isDate(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        b.count == 10 && hasDatePrefix(b)
    }

    private static func hasDatePrefix(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard digits(b, 0, 4), b.count >= 10, b[4] == UInt8(ascii: "-"), digits(b, 5, 2),
              b[7] == UInt8(ascii: "-"), digits(b, 8, 2) else { return false }
        let month = Int(b[5] - 0x30) * 10 + Int(b[6] - 0x30)
        let day = Int(b[8] - 0x30) * 10 + Int(b[9] - 0x30)
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][Z|±HH[:MM]|±HHMM]`.
    static func isTimestamp(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard hasDatePrefix(b), b.count >= 16 else { return false }
        guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "t") else { return false }
        guard digits(b, 11, 2), b[13] == UInt8(ascii: ":"), digits(b, 14, 2) else { return false }
        var i = 16
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard digits(b, i + 1, 2) else { return false }
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                i += 1
                let start = i
                while i < b.count, b[i] &- 0x30 < 10 { i += 1 }
                guard i > start else { return false }
            }
        }
        if i == b.count { return true }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") { return i + 1 == b.count }
        if b[i] == UInt8(ascii: " ") { i += 1 }   // "2024-01-01 10:00:00 +00:00"
        guard i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return false }
        i += 1
        guard digits(b, i, 2) else { return false }
        i += 2
        if i == b.count { return true }
        if b[i] == UInt8(ascii: ":") { i += 1 }
        return digits(b, i, 2) && i + 2 == b.count
    }
}

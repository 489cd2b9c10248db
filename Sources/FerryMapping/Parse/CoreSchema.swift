/// How YAML 1.2's core schema reads a plain (unquoted, untagged) scalar.
/// Yams' default resolver follows YAML 1.1 (`yes` is a boolean, `0777` octal), so mapping
/// files are read with these rules instead.
enum CoreSchema {
    enum Resolution: Equatable {
        case null
        case bool(Bool)
        case int(Int64)
        /// An integer that does not fit in 64 bits.
        case integerTooLarge
        case double(Double)
        /// `.inf`, `-.inf`, `.nan`: numbers that JSON cannot carry.
        case nonFinite
        case string
    }

    static func resolve(_ text: String) -> Resolution {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
             ".nan", ".NaN", ".NAN":
            return .nonFinite
        default: break
        }
        let bytes = Array(text.utf8)
        if let integer = integer(bytes, text) { return integer }
        if isFloat(bytes) {
            guard let value = Double(text), value.isFinite else { return .nonFinite }
            return .double(value)
        }
        return .string
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`.
    private static func integer(_ bytes: [UInt8], _ text: String) -> Resolution? {
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "o") || bytes[1] == UInt8(ascii: "x") {
            let radix = bytes[1] == UInt8(ascii: "o") ? 8 : 16
            let digits = bytes[2...]
            guard digits.allSatisfy({ isDigit($0, radix: radix) }) else { return nil }
            guard let value = Int64(String(decoding: digits, as: UTF8.self), radix: radix) else { return .integerTooLarge }
            return .int(value)
        }
        var start = 0
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { start = 1 }
        guard bytes.count > start, bytes[start...].allSatisfy({ isDigit($0, radix: 10) }) else { return nil }
        guard let value = Int64(text) else { return .integerTooLarge }
        return .int(value)
    }

    /// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
    private static func isFloat(_ bytes: [UInt8]) -> Bool {
        var i = 0
        func digits() -> Int {
            let start = i
            while i < bytes.count, isDigit(bytes[i], radix: 10) { i += 1 }
            return i - start
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
        let whole = digits()
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fraction = digits()
            if whole == 0 && fraction == 0 { return false }
        } else if whole == 0 {
            return false
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
            if digits() == 0 { return false }
        }
        return i == bytes.count
    }

    private static func isDigit(_ byte: UInt8, radix: Int) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "7"): return true
        case UInt8(ascii: "8"), UInt8(ascii: "9"): return radix >= 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): return radix == 16
        default: return false
        }
    }
}

import FerryCore

/// `type:` conversions of mapped values.
enum Casts {
    static func apply(_ cast: ValueCast, to value: MappedValue, separator: String, itemCast: ValueCast,
                      path: String, column: String?) throws(FieldError) -> MappedValue {
        func fail(_ reason: String) -> FieldError {
            FieldError(kind: .invalidType, field: path, column: column, value: value.displayText, reason: reason)
        }
        switch cast {
        case .string:
            switch value {
            case .text, .string: return value
            case .json(let json):
                if case .string = json { return MappedValue(json: json) }
                return .string(JSONWriter.serialize(json) as String)
            default:
                guard let text = value.textValue else { throw fail("cannot be turned into text") }
                return .string(text)
            }
        case .int:
            switch value {
            case .int: return value
            case .double(let v) where v.rounded() == v && abs(v) < 9.2e18: return .int(Int64(v))
            case .text(let bytes):
                guard let v = parseInteger(bytes) else { throw fail("not an integer") }
                return .int(v)
            case .string(let s):
                guard let v = parseInteger(s) else { throw fail("not an integer") }
                return .int(v)
            default: throw fail("not an integer")
            }
        case .float:
            switch value {
            case .int(let v): return .double(Double(v))
            case .double: return value
            default:
                guard let text = value.textValue, let v = parseDouble(text) else { throw fail("not a number") }
                return .double(v)
            }
        case .bool:
            switch value {
            case .bool: return value
            case .int(let v) where v == 0 || v == 1: return .bool(v == 1)
            default:
                guard let b = value.textValue.flatMap(BooleanText.parse) else {
                    throw fail("not a boolean (true/false, yes/no, y/n, t/f, 1/0, on/off)")
                }
                return .bool(b)
            }
        case .json:
            switch value {
            case .json: return value
            case .text(let bytes):
                do throws(JSONParseError) {
                    return MappedValue(json: try JSONParser.parse(bytes))
                } catch {
                    throw fail("not valid JSON: \(error.message)")
                }
            case .string(let s):
                do throws(JSONParseError) {
                    return MappedValue(json: try JSONParser.parse(s))
                } catch {
                    throw fail("not valid JSON: \(error.message)")
                }
            default:
                return value
            }
        case .array:
            switch value {
            case .array: return value
            case .json(let json):
                if case .array = json { return value }
                throw fail("not a list")
            default:
                guard let text = value.textValue else { throw fail("not a list") }
                var items: [MappedValue] = []
                for piece in split(text, by: separator) {
                    let trimmed = piece.trimmingWhitespace()
                    if trimmed.isEmpty { continue }
                    items.append(try apply(itemCast, to: .string(trimmed), separator: separator, itemCast: .string,
                                           path: path, column: column))
                }
                return .array(items)
            }
        }
    }

    static func split(_ text: String, by separator: String) -> [Substring] {
        guard !separator.isEmpty else { return [text[...]] }
        var parts: [Substring] = []
        var rest = text[...]
        while let range = rest.range(of: separator) {
            parts.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        parts.append(rest)
        return parts
    }

    /// A decimal integer, optionally signed; `12.0` (an integral decimal) is accepted too.
    static func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        let n = bytes.count
        var negative = false
        if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < n else { return nil }
        var value: Int64 = 0
        while i < n {
            let d = bytes[i] &- 0x30
            if d >= 10 { break }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            value = s
            i += 1
        }
        if i == n { return value }
        // "12.0", "12.00": an integral decimal.
        guard bytes[i] == UInt8(ascii: "."), i > (negative ? 1 : 0) else { return nil }
        i += 1
        guard i < n else { return nil }
        while i < n {
            if bytes[i] != UInt8(ascii: "0") { return nil }
            i += 1
        }
        return value
    }

    static func parseInteger(_ text: String) -> Int64? {
        var copy = text
        return copy.withUTF8 { parseInteger($0) }
    }

    /// A finite decimal number (no hex, no inf/nan).
    static func parseDouble(_ text: String) -> Double? {
        guard let first = text.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".") || (first &- 0x30) < 10 else { return nil }
        if text.contains(where: { $0 == "x" || $0 == "X" || $0 == "n" || $0 == "N" || $0 == "i" || $0 == "I" }) { return nil }
        guard let v = Double(text), v.isFinite else { return nil }
        return v
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var start = startIndex
        var end = endIndex
        while start < end, self[start].isWhitespace { start = index(after: start) }
        while end > start, self[index(before: end)].isWhitespace { end = index(before: end) }
        return String(self[start..<end])
    }
}

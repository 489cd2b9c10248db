/// A strict RFC 8259 JSON parser over raw UTF-8 bytes.
///
/// The whole buffer is one JSON text: JSON whitespace (space, tab, LF, CR) may surround
/// the value, anything else after it is an error. Choices where the RFC leaves room:
///
/// - **Byte order mark**: a UTF-8 BOM at the start is rejected (RFC 8259 §8.1 says a
///   generator must not add one; a parser may ignore it — ferry reports it instead so a
///   mislabelled file is noticed).
/// - **Strings** must be valid UTF-8 (RFC 3629, strict); invalid bytes are an error.
///   `\uXXXX` escapes are decoded and surrogate pairs combined. A lone surrogate escape
///   (a high surrogate not followed by a `\u` low surrogate, or an unpaired low
///   surrogate) becomes U+FFFD REPLACEMENT CHARACTER, since a Swift `String` cannot
///   hold it.
/// - **Numbers**: an integer literal (no fraction, no exponent) that fits `Int64` is
///   `.int` (`-0` is `.int(0)`). A literal with a fraction or exponent is `.double`
///   when a finite `Double` represents it. Everything else is kept verbatim as
///   `.decimal(literal)`: integers outside `Int64`, literals that overflow a `Double`
///   (`1e999`), and literals with nonzero digits that underflow to zero (`1e-999`), so
///   that no number is silently changed.
/// - **Duplicate keys** are kept, in document order.
/// - **Depth**: more than ``maxDepth`` nested arrays/objects is an error (never a stack
///   overflow).
public struct JSONParser: Sendable {
    /// The deepest nesting of arrays and objects accepted.
    public static let maxDepth = 512

    /// Parses `bytes` as one complete JSON text.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            throw JSONParseError(offset: 0, message: "empty input: expected a JSON value")
        }
        var reader = JSONByteReader(base: base, count: bytes.count)
        return try reader.parseDocument()
    }

    /// Parses `bytes` as one complete JSON text.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> JSONValue in
            try parse(buffer)
        }
    }

    /// Parses the UTF-8 of `string` as one complete JSON text.
    public static func parse(_ string: String) throws(JSONParseError) -> JSONValue {
        var text = string
        let result: Result<JSONValue, JSONParseError> = text.withUTF8 { buffer in
            do throws(JSONParseError) {
                return .success(try parse(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// Word-at-a-time byte tests (SWAR) shared by the JSON parser and writer.
/// Each function returns a mask whose lowest set bit marks the first matching byte
/// exactly (higher bits may be false positives, which callers never rely on).
enum JSONScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Bytes below `n` (n <= 128).
    @inline(__always)
    static func below(_ w: UInt64, _ n: UInt8) -> UInt64 {
        (w &- ones &* UInt64(n)) & ~w & highs
    }

    /// Bytes equal to `b`.
    @inline(__always)
    static func equal(_ w: UInt64, _ b: UInt8) -> UInt64 {
        let x = w ^ (ones &* UInt64(b))
        return (x &- ones) & ~x & highs
    }

    /// Bytes that end a plain run inside a JSON string: control characters, `"` and `\`.
    @inline(__always)
    static func stringStops(_ w: UInt64) -> UInt64 {
        below(w, 0x20) | equal(w, 0x22) | equal(w, 0x5C)
    }

    /// The low bytes of `w` before the byte marked by the lowest set bit of `mask`.
    @inline(__always)
    static func bytesBefore(_ w: UInt64, mask: UInt64) -> UInt64 {
        let bits = mask.trailingZeroBitCount & ~7
        return w & ((1 &<< UInt64(bits)) &- 1)
    }
}

/// The parsing state for one JSON text. Internal: use ``JSONParser``.
struct JSONByteReader {
    private let p: UnsafePointer<UInt8>
    private let n: Int
    private var i = 0
    /// Reused buffer for strings that contain escapes.
    private var scratch: [UInt8] = []

    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.p = base
        self.n = count
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF {
            throw JSONParseError(offset: 0, message: "input starts with a UTF-8 byte order mark (BOM), which JSON does not allow")
        }
        skipWhitespace()
        guard i < n else {
            throw JSONParseError(offset: i, message: "empty input: expected a JSON value, found only whitespace")
        }
        let value = try parseValue()
        skipWhitespace()
        if i < n {
            throw JSONParseError(offset: i, message: "trailing characters after JSON value (found \(JSONParseError.describe(p[i])))")
        }
        return value
    }

    // MARK: - Structure

    @inline(__always)
    private mutating func skipWhitespace() {
        while i < n {
            let c = p[i]
            guard c <= 0x20, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    /// One open array or object: where its elements (and keys) start on the shared stacks.
    private struct Frame {
        var isObject: Bool
        var open: Int
        var valueBase: Int
        var keyBase: Int
    }

    /// Parses the value starting at `i`, which must be in range and not whitespace.
    ///
    /// Iterative, with explicit stacks, so deep nesting costs heap rather than call stack
    /// (a debug build needs kilobytes of stack per recursive level). Elements of open
    /// containers wait on shared stacks and are moved, not copied, into each finished
    /// array or object, which is then allocated once at its exact size.
    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        switch p[i] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            break
        default:
            return try parseScalar()
        }
        var frames = MoveStack<Frame>(capacity: 8)
        var values = MoveStack<JSONValue>(capacity: 32)
        var keys = MoveStack<String>(capacity: 16)
        nextValue: while true {
            // Here `i < n` and `p[i]` is not whitespace: a value starts.
            var value: JSONValue
            let c = p[i]
            if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                if frames.count >= JSONParser.maxDepth {
                    throw JSONParseError(offset: i, message: "nesting deeper than \(JSONParser.maxDepth) levels")
                }
                let isObject = c == UInt8(ascii: "{")
                let open = i
                i += 1
                skipWhitespace()
                guard i < n else { throw unterminated(isObject ? "object" : "array", open) }
                if isObject {
                    if p[i] == UInt8(ascii: "}") {
                        i += 1
                        value = .object(JSONObject())
                    } else {
                        frames.push(Frame(isObject: true, open: open, valueBase: values.count, keyBase: keys.count))
                        keys.push(try parseKey(open: open))
                        continue nextValue
                    }
                } else {
                    if p[i] == UInt8(ascii: "]") {
                        i += 1
                        value = .array([])
                    } else {
                        frames.push(Frame(isObject: false, open: open, valueBase: values.count, keyBase: keys.count))
                        continue nextValue
                    }
                }
            } else {
                value = try parseScalar()
            }

            // A value is complete: add it to the innermost open container, closing
            // containers as their brackets come.
            while let top = frames.last {
                values.push(consume value)
                skipWhitespace()
                guard i < n else { throw unterminated(top.isObject ? "object" : "array", top.open) }
                let d = p[i]
                if d == UInt8(ascii: ",") {
                    i += 1
                    skipWhitespace()
                    guard i < n else { throw unterminated(top.isObject ? "object" : "array", top.open) }
                    if top.isObject {
                        if p[i] == UInt8(ascii: "}") {
                            throw JSONParseError(offset: i, message: "trailing comma in object: expected a key after ','")
                        }
                        keys.push(try parseKey(open: top.open))
                    } else if p[i] == UInt8(ascii: "]") {
                        throw JSONParseError(offset: i, message: "trailing comma in array: expected a value after ','")
                    }
                    continue nextValue
                }
                if top.isObject {
                    guard d == UInt8(ascii: "}") else {
                        throw JSONParseError(offset: i, message: "expected ',' or '}' after object member, found \(JSONParseError.describe(d))")
                    }
                    let count = values.count - top.valueBase
                    let keyStart = keys.moveOut(from: top.keyBase)
                    let valueStart = values.moveOut(from: top.valueBase)
                    var members: [(key: String, value: JSONValue)] = []
                    members.reserveCapacity(count)
                    for k in 0..<count {
                        members.append((key: (keyStart + k).move(), value: (valueStart + k).move()))
                    }
                    value = .object(JSONObject(members))
                } else {
                    guard d == UInt8(ascii: "]") else {
                        throw JSONParseError(offset: i, message: "expected ',' or ']' after array element, found \(JSONParseError.describe(d))")
                    }
                    let count = values.count - top.valueBase
                    let valueStart = values.moveOut(from: top.valueBase)
                    var items: [JSONValue] = []
                    items.reserveCapacity(count)
                    for k in 0..<count {
                        items.append((valueStart + k).move())
                    }
                    value = .array(items)
                }
                i += 1
                frames.pop()
            }
            return value
        }
    }

    /// Parses an object key and the ':' after it, leaving `i` at the member's value.
    private mutating func parseKey(open: Int) throws(JSONParseError) -> String {
        guard p[i] == UInt8(ascii: "\"") else {
            throw JSONParseError(offset: i, message: "expected a string key in object, found \(JSONParseError.describe(p[i]))")
        }
        let key = try parseString()
        skipWhitespace()
        guard i < n else { throw unterminated("object", open) }
        guard p[i] == UInt8(ascii: ":") else {
            throw JSONParseError(offset: i, message: "expected ':' after object key, found \(JSONParseError.describe(p[i]))")
        }
        i += 1
        skipWhitespace()
        guard i < n else { throw unterminated("object", open) }
        return key
    }

    /// Parses a string, number or literal starting at `i`.
    private mutating func parseScalar() throws(JSONParseError) -> JSONValue {
        switch p[i] {
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            throw unexpectedValueStart()
        }
    }

    private mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        let expected = word.utf8Start
        var k = 0
        while k < count {
            guard i + k < n, p[i + k] == expected[k] else {
                throw JSONParseError(offset: i, message: "invalid literal: expected '\(word)'")
            }
            k += 1
        }
        i += count
    }

    private func unterminated(_ what: String, _ open: Int) -> JSONParseError {
        JSONParseError(offset: n, message: "unterminated \(what) starting at byte \(open): input ended before its closing bracket")
    }

    private func unexpectedValueStart() -> JSONParseError {
        let c = p[i]
        let message: String
        switch c {
        case UInt8(ascii: "'"):
            message = "single-quoted strings are not allowed; use double quotes"
        case UInt8(ascii: "/"):
            message = "comments are not allowed in JSON"
        case UInt8(ascii: "+"):
            message = "a number must not start with '+'"
        case UInt8(ascii: "."):
            message = "a number must start with a digit (write 0.5, not .5)"
        case UInt8(ascii: "N") where hasPrefix("NaN"), UInt8(ascii: "I") where hasPrefix("Infinity"):
            message = "NaN and Infinity are not valid JSON numbers"
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            message = "invalid literal starting with \(JSONParseError.describe(c)): expected a JSON value (string, number, object, array, true, false or null)"
        default:
            message = "expected a JSON value, found \(JSONParseError.describe(c))"
        }
        return JSONParseError(offset: i, message: message)
    }

    private func hasPrefix(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard n - i >= count else { return false }
        for k in 0..<count where p[i + k] != word.utf8Start[k] { return false }
        return true
    }

    // MARK: - Strings

    /// Scans a run of string bytes that need no attention, from `start` up to the first
    /// control character, `"` or `\` (or the end). Reports whether any byte was >= 0x80.
    @inline(__always)
    private func scanPlain(from start: Int) -> (end: Int, nonASCII: Bool) {
        var high: UInt8 = 0
        let end = ByteSearch.firstJSONStringStop(in: p, from: start, to: n, high: &high)
        return (end, high & 0x80 != 0)
    }

    /// Parses the string whose opening quote is at `i`.
    private mutating func parseString() throws(JSONParseError) -> String {
        let quote = i
        let start = i + 1
        let (end, nonASCII) = scanPlain(from: start)
        guard end < n else { throw unterminatedString(quote) }
        let c = p[end]
        if c == UInt8(ascii: "\"") {
            let run = UnsafeBufferPointer(start: p + start, count: end - start)
            if nonASCII { try validate(run, at: start) }
            i = end + 1
            return String(decoding: run, as: UTF8.self)
        }
        if c < 0x20 { throw controlCharacter(at: end) }
        return try parseEscapedString(quote: quote, start: start, end: end, nonASCII: nonASCII)
    }

    /// The slow path of ``parseString()``: the string has at least one escape, at `end`.
    @inline(never)
    private mutating func parseEscapedString(quote: Int, start: Int, end: Int, nonASCII: Bool) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        try appendRun(from: start, to: end, nonASCII: nonASCII)
        var j = end
        while true {
            j = try decodeEscape(at: j, quote: quote)
            let (runEnd, runNonASCII) = scanPlain(from: j)
            try appendRun(from: j, to: runEnd, nonASCII: runNonASCII)
            guard runEnd < n else { throw unterminatedString(quote) }
            let c = p[runEnd]
            if c == UInt8(ascii: "\"") {
                i = runEnd + 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if c < 0x20 { throw controlCharacter(at: runEnd) }
            j = runEnd
        }
    }

    private mutating func appendRun(from start: Int, to end: Int, nonASCII: Bool) throws(JSONParseError) {
        guard end > start else { return }
        let run = UnsafeBufferPointer(start: p + start, count: end - start)
        if nonASCII { try validate(run, at: start) }
        scratch.append(contentsOf: run)
    }

    private func validate(_ run: UnsafeBufferPointer<UInt8>, at start: Int) throws(JSONParseError) {
        if let bad = UTF8Validation.firstInvalidOffset(run) {
            let offset = start + bad
            throw JSONParseError(offset: offset, message: "invalid UTF-8 in string (\(JSONParseError.describe(p[offset])))")
        }
    }

    /// Decodes the escape whose backslash is at `j` into `scratch`; returns the index after it.
    private mutating func decodeEscape(at j: Int, quote: Int) throws(JSONParseError) -> Int {
        guard j + 1 < n else { throw unterminatedString(quote) }
        let e = p[j + 1]
        let simple: UInt8
        switch e {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            return try decodeUnicodeEscape(at: j)
        case 0x21...0x7E:
            throw JSONParseError(offset: j, message: "invalid escape \\\(Character(UnicodeScalar(e))) in string")
        default:
            throw JSONParseError(offset: j, message: "invalid escape in string: backslash followed by \(JSONParseError.describe(e))")
        }
        scratch.append(simple)
        return j + 2
    }

    private mutating func decodeUnicodeEscape(at j: Int) throws(JSONParseError) -> Int {
        guard let unit = hex4(at: j + 2) else {
            throw JSONParseError(offset: j, message: "invalid \\u escape in string: expected 4 hex digits after \\u")
        }
        var next = j + 6
        var scalar = unit
        if unit >= 0xD800 && unit <= 0xDBFF {
            // A high surrogate: combine with a following \u low surrogate, else U+FFFD.
            if next + 1 < n, p[next] == UInt8(ascii: "\\"), p[next + 1] == UInt8(ascii: "u"),
               let low = hex4(at: next + 2), low >= 0xDC00 && low <= 0xDFFF {
                scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                next += 6
            } else {
                scalar = 0xFFFD
            }
        } else if unit >= 0xDC00 && unit <= 0xDFFF {
            scalar = 0xFFFD
        }
        appendUTF8(scalar)
        return next
    }

    private func hex4(at j: Int) -> UInt32? {
        guard j + 4 <= n else { return nil }
        var value: UInt32 = 0
        for k in 0..<4 {
            let c = p[j + k]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(truncatingIfNeeded: scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(truncatingIfNeeded: 0xC0 | scalar >> 6))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(truncatingIfNeeded: 0xE0 | scalar >> 12))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(truncatingIfNeeded: 0xF0 | scalar >> 18))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        }
    }

    private func unterminatedString(_ quote: Int) -> JSONParseError {
        JSONParseError(offset: n, message: "unterminated string starting at byte \(quote): input ended before the closing quote")
    }

    private func controlCharacter(at j: Int) -> JSONParseError {
        JSONParseError(offset: j, message: "unescaped control character (\(JSONParseError.describe(p[j]))) in string; control characters must be written as escapes such as \\n or \\u001f")
    }

    // MARK: - Numbers

    @inline(__always)
    private func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    /// Parses the number starting at `i` (a '-' or a digit).
    @inline(never)
    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = i
        var j = i
        var negative = false
        if p[j] == UInt8(ascii: "-") {
            negative = true
            j += 1
            guard j < n, isDigit(p[j]) else {
                throw JSONParseError(offset: j, message: j < n
                    ? "expected a digit after '-' in number, found \(JSONParseError.describe(p[j]))"
                    : "expected a digit after '-' in number, found end of input")
            }
        }
        // Up to 19 significant digits are gathered into `mantissa`; more set `truncated`.
        var mantissa: UInt64 = 0
        var digits = 0
        var truncated = false
        var nonZeroDigit = false
        var exponent = 0
        var isInteger = true

        if p[j] == UInt8(ascii: "0") {
            j += 1
            if j < n && isDigit(p[j]) {
                throw JSONParseError(offset: start, message: "leading zeros are not allowed in numbers")
            }
        } else {
            nonZeroDigit = true
            while j < n {
                let d = p[j] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    digits += 1
                } else {
                    truncated = true
                }
                j += 1
            }
        }

        if j < n && p[j] == UInt8(ascii: ".") {
            isInteger = false
            j += 1
            guard j < n, isDigit(p[j]) else {
                throw JSONParseError(offset: j, message: "expected a digit after '.' in number")
            }
            while j < n {
                let d = p[j] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                if d != 0 { nonZeroDigit = true }
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    if mantissa != 0 { digits += 1 }
                    exponent -= 1
                } else {
                    truncated = true
                }
                j += 1
            }
        }

        if j < n && p[j] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            j += 1
            var negativeExponent = false
            if j < n && (p[j] == UInt8(ascii: "+") || p[j] == UInt8(ascii: "-")) {
                negativeExponent = p[j] == UInt8(ascii: "-")
                j += 1
            }
            guard j < n, isDigit(p[j]) else {
                throw JSONParseError(offset: j, message: "expected a digit in the exponent of number")
            }
            var e = 0
            while j < n {
                let d = p[j] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                if e < 1_000_000 { e = e * 10 + Int(d) }
                j += 1
            }
            exponent += negativeExponent ? -e : e
        }
        i = j

        if isInteger {
            if !truncated {
                if negative {
                    if mantissa <= UInt64(1) << 63 { return .int(Int64(bitPattern: 0 &- mantissa)) }
                } else if mantissa <= UInt64(Int64.max) {
                    return .int(Int64(mantissa))
                }
            }
            return .decimal(literal(from: start, to: j))
        }

        // Exact fast path (Clinger): the mantissa and the power of ten are both exact doubles.
        if !truncated && mantissa <= UInt64(1) << 53 && exponent >= -22 && exponent <= 22 {
            var d = Double(mantissa)
            if exponent < 0 {
                d /= Self.powersOfTen[-exponent]
            } else {
                d *= Self.powersOfTen[exponent]
            }
            return .double(negative ? -d : d)
        }
        return slowDouble(from: start, to: j, nonZeroDigit: nonZeroDigit)
    }

    private func slowDouble(from start: Int, to end: Int, nonZeroDigit: Bool) -> JSONValue {
        let text = literal(from: start, to: end)
        guard let d = Double(text), d.isFinite else { return .decimal(text) }
        if d == 0 && nonZeroDigit { return .decimal(text) }
        return .double(d)
    }

    private func literal(from start: Int, to end: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: p + start, count: end - start), as: UTF8.self)
    }
}

/// A growable stack over manually managed storage, so that elements can be moved out
/// without reference-count traffic. Frees what it still holds when it goes away.
private struct MoveStack<Element>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    var last: Element? {
        count > 0 ? base[count - 1] : nil
    }

    @inline(__always)
    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    mutating func pop() {
        if count > 0 {
            count -= 1
            (base + count).deinitialize(count: 1)
        }
    }

    /// Gives up the elements from `start` to the end: the caller must move every one of
    /// them out of the returned storage before the next mutation.
    mutating func moveOut(from start: Int) -> UnsafeMutablePointer<Element> {
        count = start
        return base + start
    }

    private mutating func grow() {
        let larger = capacity * 2
        let storage = UnsafeMutablePointer<Element>.allocate(capacity: larger)
        storage.moveInitialize(from: base, count: count)
        base.deallocate()
        base = storage
        capacity = larger
    }
}

import Testing
@testable import FerryCore

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(text)
    }

    func error(_ text: String) -> JSONParseError? {
        do {
            _ = try JSONParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    func error(bytes: [UInt8]) -> JSONParseError? {
        do {
            _ = try JSONParser.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Scalars and structure

    @Test func scalars() throws {
        #expect(try parse("null") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse(" \t\r\n\"x\" \n") == .string("x"))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object(JSONObject()))
        #expect(try parse("[ 1 , [ ] , { } ]") == .array([.int(1), .array([]), .object(JSONObject())]))
    }

    @Test func objectsKeepOrderAndDuplicateKeys() throws {
        let value = try parse(#"{"b":1,"a":2,"b":3}"#)
        guard case .object(let object) = value else {
            Issue.record("not an object: \(value)")
            return
        }
        #expect(object.keys == ["b", "a", "b"])
        #expect(object["b"] == .int(3))
        #expect(object["a"] == .int(2))
        #expect(object.members[0].value == .int(1))
    }

    @Test func dottedPathLookup() throws {
        let value = try parse(#"{"user":{"address":{"city":"Pune"},"tags":["a","b"]},"items":[{"sku":"X1"},{"sku":"X2"}]}"#)
        #expect(value.value(atPath: "user.address.city") == .string("Pune"))
        #expect(value.value(atPath: "items.1.sku") == .string("X2"))
        #expect(value.value(atPath: "user.tags.0") == .string("a"))
        #expect(value.value(atPath: "user.missing") == nil)
        #expect(value.value(atPath: "items.2.sku") == nil)
    }

    // MARK: - Numbers

    @Test func integers() throws {
        #expect(try parse("0") == .int(0))
        #expect(try parse("-0") == .int(0))
        #expect(try parse("42") == .int(42))
        #expect(try parse("-17") == .int(-17))
        #expect(try parse("9223372036854775807") == .int(Int64.max))
        #expect(try parse("-9223372036854775808") == .int(Int64.min))
        #expect(try parse("1234567890123456789") == .int(1_234_567_890_123_456_789))
    }

    @Test func integersOutsideInt64AreKeptVerbatim() throws {
        #expect(try parse("9223372036854775808") == .decimal("9223372036854775808"))
        #expect(try parse("-9223372036854775809") == .decimal("-9223372036854775809"))
        #expect(try parse("18446744073709551616") == .decimal("18446744073709551616"))
        #expect(try parse("99999999999999999999") == .decimal("99999999999999999999"))
        #expect(try parse("123456789012345678901234567890") == .decimal("123456789012345678901234567890"))
    }

    @Test func doubles() throws {
        #expect(try parse("0.5") == .double(0.5))
        #expect(try parse("-0.0") == .double(-0.0))
        if case .double(let d) = try parse("-0.0") { #expect(d.sign == .minus) }
        #expect(try parse("1.25") == .double(1.25))
        #expect(try parse("0.1") == .double(0.1))
        #expect(try parse("1e5") == .double(100_000))
        #expect(try parse("1E+5") == .double(100_000))
        #expect(try parse("2.5e-3") == .double(0.0025))
        #expect(try parse("1.0") == .double(1.0))
        #expect(try parse("12345678901234567890.5") == .double(12_345_678_901_234_567_890.5))
        #expect(try parse("0.30000000000000004") == .double(0.30000000000000004))
        #expect(try parse("1.7976931348623157e308") == .double(.greatestFiniteMagnitude))
        #expect(try parse("5e-324") == .double(Double(bitPattern: 1)))
        #expect(try parse("2.2250738585072014e-308") == .double(.leastNormalMagnitude))
        #expect(try parse("123.456e-2") == .double(1.23456))
        #expect(try parse("0e999") == .double(0))
        #expect(try parse("0.000000000000000000000000000001") == .double(1e-30))
    }

    @Test func doublesOutsideDoubleRangeAreKeptVerbatim() throws {
        #expect(try parse("1e999") == .decimal("1e999"))
        #expect(try parse("-1.5E+400") == .decimal("-1.5E+400"))
        #expect(try parse("1e-999") == .decimal("1e-999"))
        #expect(try parse("0.0000e-999") == .double(0))
    }

    @Test func numbersMatchTheStandardLibraryOnAGrid() throws {
        var rng = JSONTestRNG(seed: 7)
        for _ in 0..<3000 {
            let mantissa = rng.next() % 10_000_000_000_000_000
            let fraction = rng.next() % 1_000_000
            let exponent = Int(rng.next() % 80) - 40
            let text = "\(mantissa).\(fraction)e\(exponent)"
            guard let expected = Double(text) else {
                Issue.record("stdlib rejected \(text)")
                continue
            }
            #expect(try parse(text) == .double(expected), "\(text)")
        }
    }

    @Test func invalidNumbers() {
        for text in ["01", "-01", "00", "+1", ".5", "1.", "1.e5", "1e", "1e+", "-", "-a", "NaN", "Infinity", "-Infinity", "0x10", "1 2", "2.e3"] {
            #expect(error(text) != nil, "\(text) should be rejected")
        }
        #expect(error("01")?.message == "leading zeros are not allowed in numbers")
        #expect(error("[1.]")?.offset == 3)
        #expect(error("1e")?.message.contains("exponent") == true)
        #expect(error("NaN")?.message.contains("NaN and Infinity") == true)
        #expect(error("+1")?.message.contains("'+'") == true)
    }

    // MARK: - Strings

    @Test func escapes() throws {
        #expect(try parse(#""a\"b\\c\/d\be\ff\ng\rh\ti""#) == .string("a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti"))
        #expect(try parse(#""\u0041\u00e9\u20AC\u0000""#) == .string("Aé€\u{0}"))
        #expect(try parse(#""plain then \n escape and more plain text after it""#) == .string("plain then \n escape and more plain text after it"))
        #expect(try parse(#""ünïcødé \u00fc""#) == .string("ünïcødé ü"))
    }

    @Test func surrogatePairs() throws {
        #expect(try parse(#""\uD83D\uDE00""#) == .string("😀"))
        #expect(try parse(#""\ud834\udd1e x""#) == .string("𝄞 x"))
        #expect(try parse("\"😀 raw\"") == .string("😀 raw"))
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        #expect(try parse(#""\uD800""#) == .string("\u{FFFD}"))
        #expect(try parse(#""\uDC00""#) == .string("\u{FFFD}"))
        #expect(try parse(#""\uD800x""#) == .string("\u{FFFD}x"))
        #expect(try parse(#""\uD800\n""#) == .string("\u{FFFD}\n"))
        #expect(try parse(#""\uD800\uD800\uDC00""#) == .string("\u{FFFD}\u{10000}"))
        #expect(try parse(#""\uDC00\uD800""#) == .string("\u{FFFD}\u{FFFD}"))
        #expect(error(#""\uD800\u12""#) != nil)
    }

    @Test func stringErrors() {
        let unterminated = error(#"{"key": "abc"#)
        #expect(unterminated?.message == "unterminated string starting at byte 8: input ended before the closing quote")
        #expect(unterminated?.offset == 12)

        let badEscape = error(#"["a\x"]"#)
        #expect(badEscape?.message == #"invalid escape \x in string"#)
        #expect(badEscape?.offset == 3)

        let control = error("[\"a\nb\"]")
        #expect(control?.offset == 3)
        #expect(control?.message.contains("unescaped control character (line feed)") == true)

        #expect(error(#""\u12G4""#)?.message.contains("4 hex digits") == true)
        #expect(error("'single'")?.message.contains("single-quoted") == true)
    }

    @Test func invalidUTF8InStringsIsRejectedWithItsOffset() {
        let cases: [([UInt8], Int)] = [
            ([0x22, 0x61, 0xFF, 0x22], 2),                      // never valid
            ([0x22, 0xC0, 0xAF, 0x22], 1),                      // overlong
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),                // encoded surrogate
            ([0x22, 0x61, 0x62, 0xE2, 0x82, 0x22], 3),          // truncated
            ([0x22, 0x5C, 0x6E, 0x80, 0x22], 3),                // after an escape
            ([0x22] + Array("0123456789abcdef".utf8) + [0xF8, 0x22], 17),  // after the word scan
        ]
        for (bytes, offset) in cases {
            let e = error(bytes: bytes)
            #expect(e?.message.hasPrefix("invalid UTF-8 in string") == true, "\(bytes)")
            #expect(e?.offset == offset, "\(bytes)")
        }
        #expect(error(bytes: [0x22, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0x22]) == nil)
    }

    // MARK: - Structure errors

    @Test func structuralErrorsSayWhatAndWhere() {
        let member = error(#"{"a":1 "b":2}"#)
        #expect(member?.message == "expected ',' or '}' after object member, found '\"'")
        #expect(member?.offset == 7)

        #expect(error("[1 2]")?.message == "expected ',' or ']' after array element, found '2'")
        #expect(error(#"{"a" 1}"#)?.message == "expected ':' after object key, found '1'")
        #expect(error("{1:2}")?.message == "expected a string key in object, found '1'")
        #expect(error("[1,]")?.message.contains("trailing comma") == true)
        #expect(error(#"{"a":1,}"#)?.message.contains("trailing comma") == true)
        #expect(error("[1")?.message == "unterminated array starting at byte 0: input ended before its closing bracket")
        #expect(error(#"{"a":"#)?.message.contains("unterminated object starting at byte 0") == true)

        let trailing = error("{} x")
        #expect(trailing?.message.hasPrefix("trailing characters after JSON value") == true)
        #expect(trailing?.offset == 3)

        #expect(error("")?.message.hasPrefix("empty input") == true)
        #expect(error("  \n ")?.message.hasPrefix("empty input") == true)
        #expect(error("tru")?.message == "invalid literal: expected 'true'")
        #expect(error("nul")?.offset == 0)
        #expect(error("[True]")?.message.hasPrefix("invalid literal") == true)
        #expect(error("/* c */ 1")?.message.contains("comments") == true)
        #expect(error("\u{0C}1")?.message == "expected a JSON value, found byte 0x0C")
    }

    @Test func byteOrderMarkIsRejected() {
        let e = error(bytes: [0xEF, 0xBB, 0xBF, 0x7B, 0x7D])
        #expect(e?.offset == 0)
        #expect(e?.message.contains("byte order mark") == true)
    }

    @Test func errorDescriptionNamesTheOffset() {
        let e = JSONParseError(offset: 12, message: "invalid escape \\x in string")
        #expect(e.description == "invalid JSON at byte 12: invalid escape \\x in string")
    }

    // MARK: - Depth

    @Test func depthLimit() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try parse(ok) != .null)
        let objects = String(repeating: #"{"a":"#, count: 512) + "1" + String(repeating: "}", count: 512)
        #expect(try parse(objects).value(atPath: Array(repeating: "a", count: 512).joined(separator: ".")) == .int(1))

        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        let e = error(deep)
        #expect(e?.message == "nesting deeper than 512 levels")
        #expect(e?.offset == 512)

        // Far deeper input fails fast at the limit instead of exhausting the stack.
        #expect(error(String(repeating: "[", count: 100_000))?.message == "nesting deeper than 512 levels")
        #expect(error(String(repeating: #"{"":"#, count: 100_000))?.message == "nesting deeper than 512 levels")
    }

    @Test func parsesFromBuffersAndArrays() throws {
        let bytes: [UInt8] = Array(#"{"n":[1,2.5,"s"]}"#.utf8)
        let expected: JSONValue = .object(JSONObject([("n", .array([.int(1), .double(2.5), .string("s")]))]))
        #expect(try JSONParser.parse(bytes) == expected)
        let fromBuffer = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> JSONValue in
            try JSONParser.parse(buffer)
        }
        #expect(fromBuffer == expected)
        // A buffer that ends right after a number or literal is read without overrun.
        let slice = Array("[123456789]".utf8)
        let number = try slice.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> JSONValue in
            try JSONParser.parse(UnsafeBufferPointer(rebasing: buffer[1..<10]))
        }
        #expect(number == .int(123_456_789))
    }
}

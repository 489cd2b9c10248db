import Foundation
import Testing
@testable import FerryCore

/// A small deterministic RNG (SplitMix64) for generated test corpora.
struct JSONTestRNG: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct JSONWriterTests {
    func text(_ body: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter(capacity: 64)
        body(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    func string(_ s: String) -> String {
        text { $0.writeString(s) }
    }

    func string(bytes: [UInt8]) -> [UInt8] {
        var writer = JSONWriter(capacity: 64)
        bytes.withUnsafeBufferPointer { writer.writeString(bytes: $0) }
        return writer.bytes
    }

    // MARK: - Escaping

    @Test func everyControlCharacterIsEscaped() {
        let named: [UInt8: String] = [0x08: #"\b"#, 0x09: #"\t"#, 0x0A: #"\n"#, 0x0C: #"\f"#, 0x0D: #"\r"#]
        let hex = Array("0123456789abcdef")
        for c in UInt8(0)..<0x20 {
            let expected = named[c] ?? "\\u00\(hex[Int(c >> 4)])\(hex[Int(c & 15)])"
            let s = String(UnicodeScalar(c))
            #expect(string(s) == "\"\(expected)\"", "control \(c)")
            #expect(string("a" + s + "b") == "\"a\(expected)b\"", "control \(c) inside")
            #expect(string(bytes: [c]) == Array("\"\(expected)\"".utf8), "control \(c), bytes variant")
        }
    }

    @Test func quotesBackslashesAndLineSeparators() {
        #expect(string(#"say "hi" \ bye"#) == #""say \"hi\" \\ bye""#)
        #expect(string("a\u{2028}b\u{2029}c") == #""a\u2028b\u2029c""#)
        #expect(string("\u{2028}") == #""\u2028""#)
        #expect(string("/ and \u{7F} stay raw") == "\"/ and \u{7F} stay raw\"")
        #expect(string("€ ‘quotes’ → ⁂") == "\"€ ‘quotes’ → ⁂\"")   // other 0xE2-led scalars stay raw
        #expect(string("emoji 😀 and 𝄞, é, 中文") == "\"emoji 😀 and 𝄞, é, 中文\"")
        #expect(string("") == "\"\"")
        // Long enough for the word-at-a-time scan, with specials at every position.
        let long = "0123456789abcdefghij\"klmnop\\qrstuvwxyz\u{2028}0123456789\n"
        #expect(string(long) == #""0123456789abcdefghij\"klmnop\\qrstuvwxyz\u20280123456789\n""#)
        #expect(string(bytes: Array(long.utf8)) == Array(string(long).utf8))
    }

    @Test func invalidUTF8BecomesReplacementCharacters() {
        let fffd: [UInt8] = [0xEF, 0xBF, 0xBD]
        let q: [UInt8] = [0x22]
        #expect(string(bytes: [0x61, 0xFF, 0x62]) == q + [0x61] + fffd + [0x62] + q)
        #expect(string(bytes: [0xC0, 0xAF]) == q + fffd + fffd + q)                 // overlong: two subparts
        #expect(string(bytes: [0xE2, 0x82]) == q + fffd + q)                        // truncated: one subpart
        #expect(string(bytes: [0xED, 0xA0, 0x80]) == q + fffd + fffd + fffd + q)    // surrogate
        #expect(string(bytes: [0xF4, 0x90, 0x80, 0x80]) == q + fffd + fffd + fffd + fffd + q)
        #expect(string(bytes: [0xE2, 0x80, 0xA8, 0x80]) == Array(#""\u2028"#.utf8) + fffd + q)
        #expect(string(bytes: [0x22, 0xC3, 0xA9, 0x0A, 0xFE]) == Array(#""\"é\n"#.utf8) + fffd + q)
        #expect(string(bytes: []) == q + q)

        // Matches String(decoding:) repair for random byte soup, and is always valid UTF-8.
        var rng = JSONTestRNG(seed: 99)
        for _ in 0..<2000 {
            let length = Int(rng.next() % 24)
            let soup = (0..<length).map { _ -> UInt8 in
                let r = rng.next()
                return r % 3 == 0 ? UInt8(truncatingIfNeeded: r >> 8) : [0x61, 0xE2, 0x80, 0xA8, 0xC3, 0xF0, 0x9F, 0xBF, 0x22, 0x0A][Int(r >> 8 % 10)]
            }
            let out = string(bytes: soup)
            let expected = string(String(decoding: soup, as: UTF8.self))
            #expect(out == Array(expected.utf8), "\(soup)")
            let valid = out.withUnsafeBufferPointer { UTF8Validation.isValid($0) }
            #expect(valid)
        }
    }

    // MARK: - Numbers

    @Test func integers() {
        #expect(text { $0.writeInt(0) } == "0")
        #expect(text { $0.writeInt(-1) } == "-1")
        #expect(text { $0.writeInt(1_234_567_890) } == "1234567890")
        #expect(text { $0.writeInt(Int64.max) } == "9223372036854775807")
        #expect(text { $0.writeInt(Int64.min) } == "-9223372036854775808")
        var rng = JSONTestRNG(seed: 3)
        for _ in 0..<1000 {
            let v = Int64(bitPattern: rng.next()) >> (rng.next() % 64)
            #expect(text { $0.writeInt(v) } == String(v))
        }
    }

    @Test func doubles() {
        let cases: [(Double, String)] = [
            (0.1, "0.1"), (1e-7, "1e-07"), (1e-5, "1e-05"), (1e300, "1e+300"), (-0.0, "-0.0"), (0.0, "0.0"),
            (5.0, "5.0"), (-5.0, "-5.0"), (1e15, "1000000000000000.0"), (9_007_199_254_740_992, "9007199254740992.0"),
            (1e16, "1e+16"), (2.5, "2.5"), (Double(bitPattern: 1), "5e-324"), (.leastNormalMagnitude, "2.2250738585072014e-308"),
            (.greatestFiniteMagnitude, "1.7976931348623157e+308"), (-.greatestFiniteMagnitude, "-1.7976931348623157e+308"),
        ]
        for (value, expected) in cases {
            let out = text { $0.writeDouble(value) }
            #expect(out == expected)
            guard case .double(let back) = try? JSONParser.parse(out) else {
                Issue.record("\(out) did not parse back as a double")
                continue
            }
            #expect(back.bitPattern == value.bitPattern, "\(out)")
        }
        #expect(text { $0.writeDouble(.infinity) } == "null")
        #expect(text { $0.writeDouble(-.infinity) } == "null")
        #expect(text { $0.writeDouble(.nan) } == "null")
        #expect(text { $0.beginArray(); $0.writeDouble(.nan); $0.writeDouble(1.5); $0.endArray() } == "[null,1.5]")
    }

    @Test func decimalsAreWrittenVerbatim() {
        #expect(text { $0.writeDecimal("123456789012345678901234567890") } == "123456789012345678901234567890")
        #expect(JSONWriter.serialize(.array([.decimal("1e999"), .int(1)])) as String == "[1e999,1]")
    }

    // MARK: - Structure

    @Test func commasArePlacedByTheWriter() {
        let out = text { w in
            w.beginObject()
            w.writeKey("a"); w.writeInt(1)
            w.writeKey("b"); w.beginArray()
            w.writeNull(); w.writeBool(true); w.writeBool(false)
            w.beginObject(); w.endObject()
            w.beginArray(); w.endArray()
            w.writeString("x")
            w.endArray()
            w.writeKey("c"); w.beginObject(); w.writeKey("d"); w.writeDouble(0.5); w.endObject()
            w.writeKey("e\"k"); w.writeString("v")
            w.endObject()
        }
        #expect(out == #"{"a":1,"b":[null,true,false,{},[],"x"],"c":{"d":0.5},"e\"k":"v"}"#)
    }

    /// Containers deeper than the 64 the writer keeps as bits: commas at every depth, on the
    /// way down and back up, and `currentContainerIsEmpty` and `rootMemberCount` agree.
    @Test func commasAtEveryDepthPastSixtyFour() {
        var writer = JSONWriter(capacity: 64)
        var expected = ""
        writer.beginObject()
        expected += "{"
        writer.writeKey("first"); writer.writeInt(0)
        expected += #""first":0"#
        for level in 1...100 {
            writer.writeKey("k\(level)")
            // The object this key is in is empty only when an array's object was just begun.
            let comma = level == 1 || !(level - 1).isMultiple(of: 2) ? "," : ""
            if level.isMultiple(of: 2) {
                writer.beginArray()
                expected += comma + #""k\#(level)":["#
                #expect((writer.currentContainerIsEmpty == true), "level \(level)")
                writer.writeInt(Int64(level))
                expected += "\(level)"
                #expect(!(writer.currentContainerIsEmpty == true), "level \(level)")
                writer.beginObject()
                expected += ",{"
            } else {
                writer.beginObject()
                expected += comma + #""k\#(level)":{"#
                writer.writeKey("v"); writer.writeInt(Int64(level))
                expected += #""v":\#(level)"#
            }
        }
        for level in stride(from: 100, through: 1, by: -1) {
            writer.endObject()
            expected += "}"
            if level.isMultiple(of: 2) {
                // Back in the array, which holds an element: the next one takes a comma.
                #expect(!(writer.currentContainerIsEmpty == true), "level \(level) on the way up")
                writer.writeBool(true)
                writer.endArray()
                expected += ",true]"
            }
        }
        writer.writeKey("last"); writer.writeNull()
        expected += #","last":null}"#
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
        #expect(writer.rootMemberCount == 3)   // first, k1, last
        // The same shape through `write(_:)`, 200 arrays deep, and a value after it.
        var deep = JSONValue.int(7)
        for _ in 0..<200 { deep = .array([.int(1), deep, .null]) }
        let serialized: String = JSONWriter.serialize(deep)
        #expect(serialized == String(repeating: "[1,", count: 200) + "7" + String(repeating: ",null]", count: 200))
        writer.reset()
        writer.beginArray(); writer.write(deep); writer.writeInt(8); writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "[" + serialized + ",8]")
    }

    /// Every length from 0 to 40, with a byte needing escape (or a 0xE2 that does not) at every
    /// position: the word-at-a-time copy keeps exactly the bytes before it, on either side of
    /// each 8-byte boundary. Checked against a byte-by-byte escape.
    @Test func stringsOfEveryLengthWithASpecialByteAtEveryPosition() {
        func reference(_ bytes: [UInt8]) -> String {
            var out = "\""
            let text = String(decoding: bytes, as: UTF8.self)
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\u{01}": out += "\\u0001"
                case "\u{2028}": out += "\\u2028"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        let specials: [[UInt8]] = [[0x22], [0x5C], [0x0A], [0x09], [0x01], Array("\u{2028}".utf8), Array("€".utf8)]
        for length in 0...70 {
            let plain = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            #expect(String(decoding: string(bytes: plain), as: UTF8.self) == reference(plain), "length \(length)")
            #expect(string(String(decoding: plain, as: UTF8.self)) == reference(plain), "length \(length), String")
            for position in 0...length {
                for special in specials {
                    let bytes = Array(plain[..<position]) + special + Array(plain[position...])
                    #expect(String(decoding: string(bytes: bytes), as: UTF8.self) == reference(bytes),
                            "length \(length), \(special) at \(position)")
                }
            }
        }
    }

    /// The plain run is copied sixteen bytes at a time, and the last block may read past the
    /// string's end only within the same 4 KiB page. A string ending right before an
    /// unreadable page, at every length up to 40 and with a special byte at every position,
    /// is written whole and correctly (a read past the page would crash the test).
    @Test func stringsEndingAtAnUnreadablePage() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapped = mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        let base = try #require(mapped == MAP_FAILED ? nil : mapped).assumingMemoryBound(to: UInt8.self)
        defer { munmap(base, 2 * page) }
        #expect(mprotect(base + page, page, PROT_NONE) == 0)
        for length in 0...40 {
            for position in -1..<length {
                var bytes = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
                if position >= 0 { bytes[position] = UInt8(ascii: "\"") }
                let start = base + page - length
                for (k, byte) in bytes.enumerated() { start[k] = byte }
                var writer = JSONWriter(capacity: 8)
                writer.writeString(validUTF8: UnsafeBufferPointer(start: start, count: length))
                let expected = "\"" + String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"", with: "\\\"") + "\""
                #expect(String(decoding: writer.bytes, as: UTF8.self) == expected, "length \(length), quote at \(position)")
            }
        }
    }

    /// Keys and raw values of every length up to 40 (the short ones copied without `memcpy`).
    @Test func keysAndRawValuesOfEveryLength() {
        for length in 0...40 {
            let key = String((0..<length).map { Character(UnicodeScalar(UInt8(ascii: "A") + UInt8($0 % 26))) })
            let encoded = JSONWriter.encodedKey(key)
            let digits = Array(String(repeating: "9", count: max(1, length)).utf8)
            let out = text { w in
                w.beginObject()
                encoded.withUnsafeBufferPointer { w.writeEncodedKey($0) }
                digits.withUnsafeBufferPointer { w.writeRawValue($0) }
                w.writeEncodedKey(encoded)
                w.writeNull()
                w.endObject()
            }
            let number = String(decoding: digits, as: UTF8.self)
            #expect(out == "{\"\(key)\":\(number),\"\(key)\":null}", "length \(length)")
        }
    }

    @Test func resetKeepsCapacityAndClearsState() {
        var writer = JSONWriter(capacity: 1024)
        writer.beginArray()
        writer.writeInt(1)
        let capacity = writer.capacity
        writer.reset()
        #expect(writer.bytes.isEmpty)
        #expect(writer.count == 0)
        #expect(writer.capacity == capacity)
        writer.beginArray()
        writer.writeInt(2)
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "[2]")
    }

    /// Growing from a small block, one long value and many small ones.
    @Test func growsPastItsCapacityKeepingEveryByte() {
        var writer = JSONWriter(capacity: 1)
        let long = String(repeating: "é\"x", count: 5000)
        writer.beginArray()
        writer.writeString(long)
        for i in 0..<3000 { writer.writeInt(Int64(i)) }
        writer.endArray()
        var expected = "[" + String(decoding: JSONWriter.serialize(.string(long)) as [UInt8], as: UTF8.self)
        for i in 0..<3000 { expected += ",\(i)" }
        expected += "]"
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
        #expect(writer.count == expected.utf8.count)
        #expect(writer.capacity >= writer.count)
        writer.withBytes { #expect(Array($0) == Array(expected.utf8)) }
    }

    @Test func serializeKeepsMemberOrderAndDuplicates() {
        let value: JSONValue = .object(JSONObject([("z", .int(1)), ("a", .string("x")), ("z", .null)]))
        let text: String = JSONWriter.serialize(value)
        #expect(text == #"{"z":1,"a":"x","z":null}"#)
        let bytes = JSONWriter.serialize(value)
        #expect(bytes == Array(text.utf8))
    }

    // MARK: - Round trip

    struct Generator {
        var rng: JSONTestRNG

        mutating func int(_ bound: Int) -> Int { Int(rng.next() % UInt64(bound)) }

        mutating func scalar() -> Unicode.Scalar {
            switch int(10) {
            case 0..<4: return Unicode.Scalar(UInt8(0x20 + int(0x5F)))
            case 4: return Unicode.Scalar(UInt8(int(0x20)))
            case 5: return ["\"", "\\", "/", "\u{7F}", "\u{2028}", "\u{2029}", "\u{2027}", "\u{20AC}"][int(8)]
            case 6: return Unicode.Scalar(UInt32(0x80 + int(0x780))) ?? "?"
            case 7:
                let v = UInt32(0x800 + int(0xF800))
                return Unicode.Scalar(v) ?? "\u{FFFD}"   // surrogate values are not scalars
            default: return Unicode.Scalar(UInt32(0x10000 + int(0x100000))) ?? "?"
            }
        }

        mutating func string() -> String {
            var s = String.UnicodeScalarView()
            let length = int(4) == 0 ? int(64) : int(12)
            for _ in 0..<length { s.append(scalar()) }
            return String(s)
        }

        mutating func double() -> Double {
            while true {
                let d: Double
                switch int(3) {
                case 0: d = Double(bitPattern: rng.next())
                case 1: d = Double(Int64(bitPattern: rng.next()) >> 20) / 1000
                default: d = [0.0, -0.0, 0.1, 1e-7, 1e300, 5.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                              .leastNormalMagnitude, -.ulpOfOne][int(10)]
                }
                if d.isFinite { return d }
            }
        }

        mutating func value(depth: Int) -> JSONValue {
            let choice = depth >= 4 ? int(7) : int(9)
            switch choice {
            case 0: return .null
            case 1: return .bool(int(2) == 0)
            case 2:
                switch int(4) {
                case 0: return .int([Int64.min, Int64.max, 0, -1, Int64.min + 1, Int64.max - 1][int(6)])
                default: return .int(Int64(bitPattern: rng.next()) >> UInt64(int(64)))
                }
            case 3: return .double(double())
            case 4: return .decimal(["123456789012345678901234567890", "-9223372036854775809", "1e999", "-2.5E+400"][int(4)])
            case 5, 6: return .string(string())
            case 7:
                return .array((0..<int(6)).map { _ in value(depth: depth + 1) })
            default:
                var object = JSONObject()
                for _ in 0..<int(6) { object.append(string(), value(depth: depth + 1)) }
                return .object(object)
            }
        }
    }

    /// Equality with doubles compared by bit pattern (so -0.0 and 0.0 differ).
    static func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x.members, y.members).allSatisfy { $0.key == $1.key && identical($0.value, $1.value) }
        default: return a == b
        }
    }

    @Test func roundTripsAGeneratedCorpus() throws {
        var generator = Generator(rng: JSONTestRNG(seed: 0x5EED_F0E2))
        var writer = JSONWriter(capacity: 1 << 16)
        var failures = 0
        for index in 0..<5000 {
            let original = generator.value(depth: 0)
            writer.reset()
            writer.write(original)
            let parsed = try JSONParser.parse(writer.bytes)
            if !Self.identical(parsed, original) {
                failures += 1
                if failures <= 5 {
                    Issue.record("case \(index): \(String(decoding: writer.bytes, as: UTF8.self)) parsed as \(parsed), expected \(original)")
                }
            }
        }
        #expect(failures == 0)
    }

    @Test func roundTripsRandomDoubleBitPatterns() throws {
        var rng = JSONTestRNG(seed: 11)
        var checked = 0
        while checked < 20_000 {
            let d = Double(bitPattern: rng.next())
            guard d.isFinite else { continue }
            checked += 1
            let out: [UInt8] = JSONWriter.serialize(.double(d))
            let parsed = try JSONParser.parse(out)
            guard case .double(let back) = parsed, back.bitPattern == d.bitPattern else {
                Issue.record("\(d): wrote \(String(decoding: out, as: UTF8.self)), parsed \(parsed)")
                return
            }
        }
    }
}

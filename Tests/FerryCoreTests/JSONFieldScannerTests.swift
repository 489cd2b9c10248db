import Foundation
import Testing
@testable import FerryCore

/// The NDJSON fast path's scanner: whatever it accepts, `JSONParser` accepts with the same
/// value at every wanted path; what it cannot vouch for it leaves to the parser.
@Suite struct JSONFieldScannerTests {
    /// The scanned values of `paths` in `text`, or nil when the scanner leaves it to the parser.
    static func scan(_ text: [UInt8], _ paths: [[String]]) -> [JSONValue?]? {
        let set = JSONPathSet(paths: paths)
        let slots = UnsafeMutableBufferPointer<JSONSlot>.allocate(capacity: max(1, paths.count))
        defer { slots.deallocate() }
        return text.withUnsafeBufferPointer { bytes -> [JSONValue?]? in
            guard JSONFieldScanner.scan(bytes, paths: set, into: slots) else { return nil }
            let line = NDJSONLine(recordNumber: 1, line: 1, bytes: bytes, slots: UnsafeBufferPointer(slots))
            return paths.indices.map { line.value($0) }
        }
    }

    static func scan(_ text: String, _ paths: [String]) -> [JSONValue?]? {
        scan(Array(text.utf8), paths.map { $0.split(separator: ".", omittingEmptySubsequences: false).map(String.init) })
    }

    @Test func findsNestedValuesAndKindsWithoutParsingTheRest() throws {
        let line = #"{"id":"u1","n":42,"f":-1.5e3,"t":true,"z":null,"name":{"first":"Asha","last":"O\"Neil"},"tags":["a",{"b":[1]}],"o":{"x":{}}}"#
        let values = try #require(Self.scan(line, ["id", "n", "f", "t", "z", "name.first", "name.last", "tags", "o", "missing", "name.middle", "id.deeper"]))
        #expect(values[0] == .string("u1"))
        #expect(values[1] == .int(42))
        #expect(values[2] == .double(-1500))
        #expect(values[3] == .bool(true))
        #expect(values[4] == .null)
        #expect(values[5] == .string("Asha"))
        #expect(values[6] == .string("O\"Neil"))
        #expect(values[7] == (try JSONParser.parse(#"["a",{"b":[1]}]"#)))
        #expect(values[8] == (try JSONParser.parse(#"{"x":{}}"#)))
        #expect(values[9] == nil)
        #expect(values[10] == nil)
        #expect(values[11] == nil)
    }

    @Test func theLastOfDuplicateKeysWinsAsInTheParsedObject() throws {
        // The second "a" is a string: a.b no longer exists, as in JSONObject's lookup.
        let values = try #require(Self.scan(#"{"a":{"b":1},"c":2,"a":"x","c":3}"#, ["a.b", "a", "c"]))
        #expect(values[0] == nil)
        #expect(values[1] == .string("x"))
        #expect(values[2] == .int(3))
        let again = try #require(Self.scan(#"{"a":"x","a":{"b":1}}"#, ["a.b", "a.b"]))
        #expect(again == [.int(1), .int(1)])   // a path given twice fills both slots
    }

    @Test func leavesToTheParserWhatItCannotVouchFor() {
        #expect(Self.scan(#"[1,2]"#, ["a"]) == nil)                          // not an object
        #expect(Self.scan(#"{"a":1"#, ["a"]) == nil)                         // cut short
        #expect(Self.scan(#"{"a":1} x"#, ["a"]) == nil)                      // trailing text
        #expect(Self.scan(#"{"\u0061":1}"#, ["a"]) == nil)                   // an escaped key might be a wanted one
        #expect(Self.scan(#"{"a":[{"b":1}]}"#, ["a.0.b"]) == nil)            // a path into an array
        #expect(Self.scan(#"{"a":01}"#, ["a"]) == nil)                       // bad number
        #expect(Self.scan(#"{"a":"\x"}"#, ["a"]) == nil)                     // bad escape
        #expect(Self.scan("{\"a\":\"\u{01}\"}", ["a"]) == nil)               // control character
        #expect(Self.scan(Array(#"{"a":""#.utf8) + [0xC3, 0x28, 0x22, 0x7D], [["a"]]) == nil)   // invalid UTF-8
        let deep = "{\"a\":" + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "}"
        #expect(Self.scan(deep, ["a"]) == nil)                               // deeper than the scanner goes
        #expect(Self.scan(#"{"\u0062":1, "a": 2}"#, ["a"]) == nil)           // any escaped key where paths are wanted
        #expect(Self.scan(#"{"a":{"\u0062":1}}"#, ["c"]) != nil)             // but not below unwanted members
    }

    /// Strings of every length up to 40 with an escape, a control character, a byte just
    /// above the controls, DEL or a non-ASCII letter at every position: the sixteen-, eight-
    /// and one-byte scans all agree with the parser.
    @Test func stringsOfEveryLengthWithASpecialAtEveryPosition() throws {
        let specials: [[UInt8]] = [Array(#"\""#.utf8), Array(#"\\"#.utf8), [0x1F], [0x20], [0x7F], [0xC3, 0xA9], Array(#"\u00e9"#.utf8)]
        for length in 0...40 {
            for position in 0...length {
                for special in specials {
                    var value = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                    value.insert(contentsOf: special, at: position)
                    let text = Array(#"{"k":""#.utf8) + value + Array(#"","after":1}"#.utf8)
                    let scanned = Self.scan(text, [["k"], ["after"]])
                    let parsed = try? JSONParser.parse(text)
                    if special == [0x1F] {
                        #expect(scanned == nil && parsed == nil, "length \(length), position \(position)")
                        continue
                    }
                    guard case .object(let object)? = parsed else {
                        Issue.record("the parser refused length \(length), position \(position), \(special)")
                        continue
                    }
                    #expect(scanned == [object["k"], object["after"]], "length \(length), position \(position), \(special)")
                }
            }
        }
    }

    /// Keys are told apart by their first eight bytes and then the rest: keys that share a
    /// prefix of every length up to 20, and keys that are prefixes of a wanted one.
    @Test func keysSharingPrefixesOfEveryLength() throws {
        let wanted = "abcdefghijklmnopqrst"
        for length in 1...wanted.count {
            let key = String(wanted.prefix(length))
            let other = String(key.dropLast()) + "Z"
            let line = #"{"\#(other)":1,"\#(key)x":2,"\#(key.dropLast())":3,"\#(key)":4}"#
            let values = try #require(Self.scan(line, [key]), "length \(length)")
            #expect(values == [.int(4)], "length \(length)")
        }
    }

    @Test func emptyKeysAreMembersLikeAnyOther() throws {
        // "a." is the path a -> "" (the parsed tree's lookup splits it the same way).
        let values = try #require(Self.scan(#"{"":1,"a":{"":2,"b":3}}"#, ["", "a.", "a.b"]))
        #expect(values == [.int(1), .int(2), .int(3)])
    }

    @Test func whitespaceAndEmptyContainers() throws {
        let values = try #require(Self.scan(" {\t\"a\" :\r{ } , \"b\":[ ] ,\"c\" : \"\" } ", ["a", "b", "c"]))
        #expect(values == [.object(JSONObject()), .array([]), .string("")])
        #expect(Self.scan("{}", ["a"]) == [nil])
    }

    /// Every JSONTestSuite text, as it is and as the value of a member: when the scanner
    /// accepts a text the parser accepts it too, with the same value; every valid text is
    /// accepted once wrapped (none of them nests deeper than the scanner goes).
    @Test func neverAcceptsWhatTheParserRefusesOnJSONTestSuite() throws {
        var wrappedValidAccepted = 0
        var checked = 0
        for prefix in ["y_", "n_", "i_"] {
            for c in try JSONConformanceTests.cases(prefix: prefix) {
                for text in [c.bytes, Array(#"{"v":"#.utf8) + c.bytes + Array("}".utf8)] {
                    checked += 1
                    guard let values = Self.scan(text, [["v"]]) else { continue }
                    let parsed = try? JSONParser.parse(text)
                    guard case .object(let object)? = parsed else {
                        Issue.record("\(c.name): the scanner accepted what the parser refuses")
                        continue
                    }
                    #expect(JSONWriterTests.identical(values[0] ?? .null, object["v"] ?? .null), "\(c.name)")
                    if prefix == "y_" && text.count > c.bytes.count { wrappedValidAccepted += 1 }
                }
            }
        }
        #expect(checked == 2 * (95 + 188 + 35))
        #expect(wrappedValidAccepted == 95)
    }

    /// Generated objects (random keys and values, escapes and non-ASCII included): every path
    /// to every member, plus missing ones, reads the same as the parsed tree.
    @Test func agreesWithTheParsedTreeOnAGeneratedCorpus() throws {
        var generator = JSONWriterTests.Generator(rng: JSONTestRNG(seed: 0xF1E1D))
        var writer = JSONWriter(capacity: 1 << 16)
        var scanned = 0
        for index in 0..<3000 {
            var object = JSONObject()
            for _ in 0..<(1 + index % 6) { object.append(index % 3 == 0 ? generator.string() : "k\(index % 7)", generator.value(depth: 1)) }
            writer.reset()
            writer.write(.object(object))
            var paths: [[String]] = [["absent"]]
            func collect(_ value: JSONValue, _ prefix: [String]) {
                guard case .object(let inner) = value else { return }
                for member in inner.members {
                    paths.append(prefix + [member.key])
                    collect(member.value, prefix + [member.key])
                }
            }
            collect(.object(object), [])
            let tree = try JSONParser.parse(writer.bytes)
            guard let values = Self.scan(writer.bytes, paths) else { continue }
            scanned += 1
            for (path, value) in zip(paths, values) {
                let expected = tree.value(atPath: path)
                let same = switch (value, expected) {
                case (nil, nil): true
                case (let a?, let b?): JSONWriterTests.identical(a, b)
                default: false
                }
                #expect(same, "case \(index), path \(path): scanned \(String(describing: value)), parsed \(String(describing: expected))")
            }
        }
        #expect(scanned > 1500, "lines the scanner took: \(scanned) of 3000")
    }
}

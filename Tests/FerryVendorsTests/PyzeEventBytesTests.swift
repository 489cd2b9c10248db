import Testing
import FerryCore
@testable import FerryVendors

/// `PyzeEventAdjuster.adjust(bytes:into:)` against the tree path it stands in for: for every
/// record it takes, the same bytes (so the same event and the same messageId) as parsing the
/// record, adjusting the tree and writing it; what it declines goes the tree path.
@Suite struct PyzeEventBytesTests {
    static let adjuster = PyzeEventAdjuster(appKey: "k-\"1\"\u{2028}é")

    /// The tree path's bytes, or nil when it refuses the record.
    static func treeBytes(_ record: String, _ adjuster: PyzeEventAdjuster = adjuster) -> String? {
        guard case .object(let object)? = try? JSONParser.parse(Array(record.utf8)),
              let events = try? adjuster.adjust(object) else { return nil }
        #expect(events.count == 1)
        return String(decoding: JSONWriter.serialize(.object(events[0])) as [UInt8], as: UTF8.self)
    }

    /// The bytes path's bytes and field count, or nil when it declines.
    static func byteBytes(_ record: String, _ adjuster: PyzeEventAdjuster = adjuster) -> (String, Int)? {
        var writer = JSONWriter(capacity: 64)
        writer.appendBytes(Array("previous".utf8))   // what the writer held stays in front
        let bytes = Array(record.utf8)
        let fields = bytes.withUnsafeBufferPointer { adjuster.adjust(bytes: $0, into: &writer) }
        let all = String(decoding: writer.bytes, as: UTF8.self)
        guard let fields else {
            #expect(all == "previous", "a declined record leaves the writer as it was")
            return nil
        }
        #expect(all.hasPrefix("previous"))
        return (String(all.dropFirst("previous".count)), fields)
    }

    /// Records the bytes path takes: each gives the tree path's event, byte for byte.
    @Test(arguments: [
        #"{"event":"signup","userId":"u1","eventTime":"2023-11-14T22:13:26Z","context":{"userAgent":"curl/8.4.0"},"attributes":{"plan":"free","seats":218,"country":"FR","note":"a b"}}"#,
        #"{"type":"event","event":"e","userId":"u","eventTime":"t"}"#,
        #"{"userId":"u","event":"e","eventTime":"t","attributes":{}}"#,
        #"{"zeta":1,"type":"event","alpha":[1,{"b":2,"a":[{"y":true,"x":null}]},"s"],"mid":{"z":{},"a":-12}}"#,
        #"{"event":"é ü 日本 😀","userId":"ünï","eventTime":"t","attributes":{"k":"значение","a":"/"}}"#,
        #"{"event":"e","userId":"u","eventTime":"t","appKey":"mapped"}"#,
        #"{"event":"e","userId":"u","eventTime":"t","appKey":""}"#,
        #"{"event":"e","userId":"u","eventTime":"t","appKey":7,"appKey":"last wins"}"#,
        #"{"event":"e","userId":"u","eventTime":"t","appKey":"mapped","appKey":""}"#,
        #"{"event":"e","userId":"u","eventTime":"t","messageId":"given"}"#,
        #"{"event":"e","userId":"u","eventTime":"t","messageId":null}"#,
        #"{"event":"e","userId":"u","eventTime":"t","messageId":{}}"#,
        #"{"event":"e","userId":"u","eventTime":"t","sentAt":"x","attributes":{"n":0,"m":-7,"big":123456789012345678}}"#,
        #"{"a":{},"b":[],"c":[{}],"d":""}"#,
        #"{}"#,
        #"{"type":"event"}"#,
        #"{"ty":1,"typ":2,"type":"event","typea":3,"u":4}"#,
        #"{"ty":1,"typ":2,"typea":3,"u":4,"T":5}"#,
    ])
    func theBytesPathGivesTheTreePathsEvent(_ record: String) throws {
        let expected = try #require(Self.treeBytes(record))
        let (got, fields) = try #require(Self.byteBytes(record), "the bytes path declined \(record)")
        #expect(got == expected)
        guard case .object(let event) = try JSONParser.parse(Array(got.utf8)) else {
            Issue.record("not an object")
            return
        }
        #expect(fields == event.count)
    }

    /// Records whose bytes a tree would write otherwise, and events the tree path refuses:
    /// declined, so the tree path decides (and gives the same event as ever).
    @Test(arguments: [
        #"{"event":"say \"hi\"","userId":"u","eventTime":"t"}"#,       // an escape
        #"{"event":"e","userId":"u","eventTime":"t","x":"\u00e9"}"#,   // an escape the writer would not write
        "{\"event\":\"a\u{2028}b\",\"userId\":\"u\",\"eventTime\":\"t\"}",   // a raw U+2028
        #"{"event":"e","userId":"u","eventTime":"t","x":1.50}"#,       // a fraction
        #"{"event":"e","userId":"u","eventTime":"t","x":1e3}"#,        // an exponent
        #"{"event":"e","userId":"u","eventTime":"t","x":-0}"#,         // minus zero
        #"{"event":"e","userId":"u","eventTime":"t","x":1234567890123456789}"#,   // 19 digits
        #"{"event":"e","userId":"u","eventTime":"t","x":01}"#,         // not JSON
        #"{"event":"e", "userId":"u"}"#,                               // white space
        #"{"event":"e","event":"f"}"#,                                 // a key given twice
        #"{"event":"e","a":{"k":1,"k":2}}"#,                           // twice, nested
        #"{"type":"other","event":"e"}"#,                              // refused by the tree path
        #"{"type":"event","type":"other"}"#,
        #"{"event":"e""#,                                              // cut short
        #"["event"]"#,
        #"{"event":tru}"#,
        // Keys the tree compares as Swift strings, equal when canonically equivalent: not by bytes.
        "{\"app\u{212A}ey\":\"mine\",\"event\":\"e\"}",                // the Kelvin sign: "appKey" to the tree
        "{\"a\":{\"e\u{301}\":1,\"\u{e9}\":2}}",                          // é decomposed and precomposed
        "{\"xe\u{301}\":1,\"x\u{e9}\":2}",
        #"{"attributes":{"ключ":"значение"}}"#,
        // Deeper than the bytes path goes (the tree refuses past its own limit).
        "{\"attributes\":{\"a\":" + String(repeating: "[", count: 80) + String(repeating: "]", count: 80) + "}}",
    ])
    func recordsTheBytesPathCannotCopyAreDeclined(_ record: String) {
        #expect(Self.byteBytes(record) == nil, "\(record)")
    }

    /// Nesting up to the bytes path's limit is taken, and agrees with the tree.
    @Test func deepButNotTooDeepNestingIsTaken() throws {
        let depth = PyzeEventBytes.maxDepth - 2   // the record and `attributes` are two levels
        let record = "{\"attributes\":{\"a\":" + String(repeating: "[", count: depth - 1) + "{\"z\":1,\"y\":2}"
            + String(repeating: "]", count: depth - 1) + "}}"
        let (got, _) = try #require(Self.byteBytes(record))
        #expect(got == Self.treeBytes(record))
    }

    @Test func withoutAnAppKeyTheTreePathDecides() throws {
        let bare = PyzeEventAdjuster(appKey: nil)
        let record = #"{"event":"e","userId":"u","eventTime":"t"}"#
        #expect(Self.byteBytes(record, bare) == nil)
        // A mapped app key needs none from the environment.
        let mapped = #"{"event":"e","userId":"u","eventTime":"t","appKey":"m"}"#
        let (got, _) = try #require(Self.byteBytes(mapped, bare))
        #expect(got == Self.treeBytes(mapped, bare))
    }

    @Test func theDocumentsExampleGetsItsKnownId() throws {
        // The same id as PyzeTargetTests' anEventGetsTypeAppKeyAndMessageId (checked there against Python's hashlib).
        let adjuster = PyzeEventAdjuster(appKey: "yz1Jn-0pSnekg58etEQO4A")
        let record = #"{"event":"test-event","userId":"Username","eventTime":"2020-06-03T17:03:48-07:00","attributes":{"key":"value"}}"#
        let (got, fields) = try #require(Self.byteBytes(record, adjuster))
        #expect(got == #"{"type":"event","event":"test-event","userId":"Username","eventTime":"2020-06-03T17:03:48-07:00","attributes":{"key":"value"},"appKey":"yz1Jn-0pSnekg58etEQO4A","messageId":"302cf144-b18a-8032-b0eb-72e7c9138a94"}"#)
        #expect(fields == 7)
    }

    /// Generated records over a small alphabet of keys and values: wherever the bytes path
    /// takes one, it agrees with the tree path byte for byte.
    @Test func generatedRecordsAgreeWithTheTreePath() throws {
        let keys = ["type", "appKey", "messageId", "sentAt", "event", "a", "ab", "b", "é", "Z", "attributes", "app\u{212A}ey"]
        let values = [#""event""#, #""""#, #""x""#, "0", "-3", "42", "true", "null", "{}", "[]", #"{"k":"v","a":1}"#,
                      #"[1,"two",{"z":0,"y":[]}]"#, #""é\u00e9""#, "2.5", #"{"q":{"p":{}}}"#]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var taken = 0
        for _ in 0..<3000 {
            var members: [String] = []
            for _ in 0..<next(7) {
                members.append("\"\(keys[next(keys.count)])\":\(values[next(values.count)])")
            }
            let record = "{" + members.joined(separator: ",") + "}"
            guard let (got, _) = Self.byteBytes(record) else { continue }
            taken += 1
            #expect(got == Self.treeBytes(record), "\(record)")
        }
        #expect(taken > 500, "the bytes path took \(taken) of 3000")
    }
}

import Foundation
import Testing
import NIOCore
import FerryCore
import FerryMapping
import FerryVendors
@testable import FerrySandbox

/// The scanner's yes must always be the full check's yes, and it must say yes to what ferry
/// sends, or it saves nothing.
@Suite struct AcceptanceScannerTests {
    static func route(_ name: String) throws -> VendorRoute {
        let target = try #require(TargetCatalog.target(named: name))
        return VendorRoute(target: target, prefix: "/" + target.vendor.rawValue)
    }

    static func scan(_ route: VendorRoute, _ body: [UInt8]) -> Int? {
        guard let rule = route.scanRule else { return nil }
        return body.withUnsafeBufferPointer {
            AcceptanceScanner.count($0, envelope: route.target.envelope, rule: rule, emptyArrays: route.target.emptyArrays)
        }
    }

    /// The full check's verdict: the number of records, or nil when it refuses the body.
    static func fullCheck(_ route: VendorRoute, _ body: [UInt8]) -> Int? {
        let request = VendorRoute.Incoming(
            authorization: nil, contentType: "application/json", path: route.target.endpoint.path,
            parameters: [:], body: ByteBuffer(bytes: body))
        do {
            let items = try route.jsonItems(request)
            try route.checkCount(items.count)
            try route.checkRecords(items) { "[\($0)]" }
            return items.count
        } catch {
            return nil
        }
    }

    static func fixtureBodies(_ name: String) throws -> [[UInt8]] {
        let directory = RecordCheckerTests.expected.appendingPathComponent(name)
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("request-") }.sorted()
            .map { Array(try Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    static let scannable = ["toplyne.user_events", "toplyne.account_events", "toplyne.user_profiles",
                            "toplyne.account_profiles", "netcore.activities"]
    /// Fixture folders (the shipped mappings' request bodies) and the target each was sent to.
    static let fixtures: [(folder: String, target: String)] = scannable.map { ($0, $0) } + [("netcore.purchases", "netcore.activities")]

    @Test func theTargetsItStandsInForAreTheOnesWithoutRulesBeyondTheSchema() throws {
        let names = TargetCatalog.all.map { VendorRoute(target: $0, prefix: "/x") }.filter { $0.scanRule != nil }.map(\.target.name)
        #expect(names.sorted() == Self.scannable.sorted())
    }

    @Test(arguments: fixtures.map(\.folder))
    func acceptsEveryShippedBody(folder: String) throws {
        let name = try #require(Self.fixtures.first { $0.folder == folder }).target
        let route = try Self.route(name)
        let bodies = try Self.fixtureBodies(folder)
        #expect(!bodies.isEmpty)
        for body in bodies {
            let full = Self.fullCheck(route, body)
            #expect(full != nil)
            #expect(Self.scan(route, body) == full, "\(folder)")
        }
    }

    /// Bodies the full check refuses, or that the scanner leaves to it; the scanner must never
    /// say yes to a refused one.
    @Test func neverAcceptsWhatTheFullCheckRefuses() throws {
        let route = try Self.route("toplyne.user_events")
        let good = #"{"userId":"u1","eventName":"signup","timestamp":1700000006,"eventProperties":{"plan":"free","seats":2}}"#
        let cases: [(body: String, fullAccepts: Bool)] = [
            (#"{"events":[\#(good)]}"#, true),
            (#" {"events" : [ \#(good) , \#(good) ] } "#, true),
            (#"{"other":[1,{"a":null}],"events":[\#(good)]}"#, true),
            (#"{"events":[\#(good)],"events":[\#(good)]}"#, true),                       // given twice
            (#"{"events":[{"userId":"u\"1","eventName":"signup","timestamp":1}]}"#, true),  // an escape
            (#"{"events":[{"userId":"ü","eventName":"signup","timestamp":1}]}"#, true),
            (#"{"events":[{"userId":"u1","eventName":"signup","timestamp":1.0}]}"#, false),  // epoch: integers only
            (#"{"events":[{"userId":"u1","userId":"u2","eventName":"signup","timestamp":1}]}"#, true),
            (#"{"events":[{"userId":"u1","eventName":"signup","timestamp":1,"\#u{212A}":1}]}"#, false),
            (#"{"events":[]}"#, false),
            (#"{"events":[\#(good)"#, false),
            (#"{"events":[\#(good)]} x"#, false),
            (#"{"events":[\#(good),]}"#, false),
            (#"{"events":[{"eventName":"signup","timestamp":1}]}"#, false),               // userId missing
            (#"{"events":[{"userId":null,"eventName":"signup","timestamp":1}]}"#, false),
            (#"{"events":[{"userId":"u1","eventName":"signup","timestamp":"1"}]}"#, false),
            (#"{"events":[{"userId":"u1","eventName":"signup","timestamp":1.5}]}"#, false),
            (#"{"events":[{"userId":"u1","eventName":"signup","timestamp":99999999999999999999}]}"#, false),
            (#"{"events":[{"userId":"u1","eventName":"signup","timestamp":01}]}"#, false),
            (#"{"events":[{"userId":"u1","eventName":"signup","timestamp":1,"extra":1}]}"#, false),
            (#"{"events":[{"userId":"u1","eventName":"signup","timestamp":1,"eventProperties":[1]}]}"#, false),
            (#"{"events":[{"userId":"u1","eventName":"signup","timestamp":1,"eventProperties":{"n":"sandbox-refuses-this-record"}}]}"#, false),
            (#"{"events":[{"userId":"sandbox-refuses-this-record","eventName":"signup","timestamp":1}]}"#, false),
            (#"{"events":[{"userId":"\u0073andbox-refuses-this-record","eventName":"signup","timestamp":1}]}"#, false),
            (#"{"events":[{"userId":"u1","eventName":"signup","timestamp":1,"eventProperties":{"\u006e":"x"}}]}"#, true),
            (#"{"events":[{"userId":"u1","eventName":"signup","timestamp":1,"eventProperties":{"n":[1,"sandbox-refuses-this-record"]}}]}"#, false),
            (#"{"events":[{"userId":"u1","eventName":"signup","timestamp":1,"eventProperties":{"n":tru}}]}"#, false),
            (#"{"events":[{"userId":"u1","eventName":"signup","timestamp":1,"eventProperties":{"n":1.}}]}"#, false),
            (#"{"events":[{"userId":"u1","eventName":"sign\#u{01}up","timestamp":1}]}"#, false),
            (#"{"events":{"userId":"u1"}}"#, false),
            (#"[\#(good)]"#, false),
        ]
        for (body, fullAccepts) in cases {
            let bytes = Array(body.utf8)
            let full = Self.fullCheck(route, bytes)
            #expect((full != nil) == fullAccepts, "full check of \(body): \(String(describing: full))")
            if let scanned = Self.scan(route, bytes) { #expect(scanned == full, "scanner said yes to \(body)") }
        }
        // What ferry sends is what the scanner must vouch for, escapes and all.
        #expect(Self.scan(route, Array(#"{"events":[\#(good),\#(good)]}"#.utf8)) == 2)
        #expect(Self.scan(route, Array(#"{"events":[{"userId":"a\"b\\c\/\n","eventName":"ü","timestamp":-9223372036854775808}]}"#.utf8)) == 1)
        let invalidUTF8 = Array(#"{"events":[{"userId":""#.utf8) + [0xC3, 0x28] + Array(#"","eventName":"s","timestamp":1}]}"#.utf8)
        #expect(Self.fullCheck(route, invalidUTF8) == nil)
        #expect(Self.scan(route, invalidUTF8) == nil)
    }

    /// The scan tries each record's keys in the order the record before had them, then
    /// scans them as strings when that guess is wrong: any order, and keys that only start
    /// like the expected name, get the full check's answer.
    @Test func keysInAnotherOrderThanTheRecordBeforeGetTheFullChecksAnswer() throws {
        let route = try Self.route("toplyne.user_events")
        let first = #"{"userId":"u1","eventName":"signup","timestamp":1,"eventProperties":{"a":1}}"#
        let cases: [(second: String, vouched: Bool)] = [
            (#"{"userId":"u2","eventName":"login","timestamp":2,"eventProperties":{"a":2}}"#, true),
            (#"{"timestamp":2,"eventProperties":{"a":2},"eventName":"login","userId":"u2"}"#, true),
            (#"{"eventName":"login","userId":"u2","timestamp":2}"#, true),
            (#"{"userId" : "u2","eventName" :"login","timestamp":2}"#, true),
            (#"{"userIdx":"u2","eventName":"login","timestamp":2}"#, false),
            (#"{"userI":"u2","eventName":"login","timestamp":2}"#, false),
            (#"{"userId":"u2","eventNam":"login","timestamp":2}"#, false),
            (#"{"userId":"u2","eventNamX":"login","timestamp":2}"#, false),   // differs in the second word only
            (#"{"userId":"u2","eventName":"login","timestamp":2}"#, false),
            (#"{"userId""#, false),
            (#"{"userId"#, false),
            (#"{"userId":"u2","userId":"u3","eventName":"login","timestamp":2}"#, false),
        ]
        for (second, vouched) in cases {
            let body = Array(#"{"events":[\#(first),\#(second),\#(first)]}"#.utf8)
            let full = Self.fullCheck(route, body)
            let scanned = Self.scan(route, body)
            if vouched {
                #expect(full == 3 && scanned == 3, "\(second): full \(String(describing: full)), scan \(String(describing: scanned))")
            } else if let scanned {
                #expect(scanned == full, "scanner said yes to \(second)")
            }
        }
    }

    /// Free-form objects (`eventProperties`) whose keys change from record to record: other
    /// keys, keys in another order, many keys, and keys that only start alike all get the
    /// full check's answer.
    @Test func freeFormKeysLikeTheLastObjectsGetTheFullChecksAnswer() throws {
        let route = try Self.route("toplyne.user_events")
        func event(_ properties: String) -> String {
            #"{"userId":"u1","eventName":"signup","timestamp":1,"eventProperties":{\#(properties)}}"#
        }
        let first = event(#""plan":"free","seats":2,"country":"FR""#)
        let many = (0..<20).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let cases: [(second: String, vouched: Bool)] = [
            (event(#""plan":"pro","seats":3,"country":"NL""#), true),
            (event(#""country":"NL","plan":"pro","seats":3"#), true),
            (event(#""plan":"pro","seats":3"#), true),
            (event(#""plan":"pro","seats":3,"country":"NL","note":"x""#), true),
            (event(#""plan" : "pro","seats":3"#), true),
            (event(""), true),
            (event(many), true),
            (event(#""plans":"pro","seats":3"#), true),
            (event(#""pla":"pro","seats":3"#), true),
            (event(#""plan":"pro","seats":3,"country":"NL","plan":"x""#), true),
            (event(#""pl\u0061n":"pro""#), true),
            (event(#""plän":"pro""#), true),
            (event(#""plan":"sandbox-refuses-this-record""#), false),
            (event(#""plan""#), false),
            (event(#""plan":"#), false),
            (event(#""plan" "pro""#), false),
        ]
        for (second, vouched) in cases {
            let body = Array(#"{"events":[\#(first),\#(second),\#(first)]}"#.utf8)
            let full = Self.fullCheck(route, body)
            let scanned = Self.scan(route, body)
            #expect((full == 3) == vouched, "full check of \(second): \(String(describing: full))")
            if let scanned { #expect(scanned == full, "scanner said yes to \(second)") }
        }
        // What ferry sends, the scanner vouches for.
        let same = Array(#"{"events":[\#(first),\#(event(#""plan":"pro","seats":3,"country":"NL""#)),\#(event(many)),\#(event(many))]}"#.utf8)
        #expect(Self.scan(route, same) == 4)
    }

    /// Netcore's ISO-8601 times are checked by one parser the scanner keeps for every body:
    /// good times are a yes from both checks, bad ones a no from both.
    @Test func netcoreTimesAreCheckedLikeTheFullCheck() throws {
        let route = try Self.route("netcore.activities")
        func body(_ time: String) -> [UInt8] {
            let params = #""activity_source":"web","activity_params":{"plan":"free","seats":218}"#
            return Array(#"[{"activity_name":"signup","asset_id":"sdbsjdh623jhmsndbkfs","timestamp":"\#(time)","identity":"u1",\#(params)},"#.utf8)
                + Array(#"{"activity_name":"checkout","asset_id":"sdbsjdh623jhmsndbkfs","timestamp":"2023-11-14T22:13:32Z","identity":"u2",\#(params)}]"#.utf8)
        }
        for time in ["2023-11-14T22:13:26Z", "2023-11-14T22:13:26.123Z", "2024-02-29T00:00:00Z"] {
            #expect(Self.fullCheck(route, body(time)) == 2, "\(time)")
            #expect(Self.scan(route, body(time)) == 2, "\(time)")
        }
        for time in ["2023-13-14T22:13:26Z", "2023-02-30T00:00:00Z", "2023-11-14T25:00:00Z", "2023-11-14", "yesterday at noon"] {
            #expect(Self.fullCheck(route, body(time)) == nil, "\(time)")
            #expect(Self.scan(route, body(time)) == nil, "\(time)")
        }
    }

    /// Shipped bodies with one byte changed, dropped or added, thousands of ways: whenever the
    /// scanner says yes, the full check says the same.
    @Test(arguments: fixtures.map(\.folder))
    func mutatedBodiesNeverGetAWrongYes(folder: String) throws {
        let name = try #require(Self.fixtures.first { $0.folder == folder }).target
        let route = try Self.route(name)
        let body = try #require(try Self.fixtureBodies(folder).first)
        // Bytes that matter to JSON and to the checks, and a few that do not.
        let alphabet = Array(#"{}[]:,"\/0123456789-+.eEtrufalsn ü"#.utf8) + [0x00, 0x1F, 0xC3, 0xFF]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(body.count)
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var yes = 0
        for _ in 0..<1500 {
            var mutated = body
            let at = next(mutated.count)
            switch next(3) {
            case 0: mutated[at] = alphabet[next(alphabet.count)]
            case 1: mutated.remove(at: at)
            default: mutated.insert(alphabet[next(alphabet.count)], at: at)
            }
            guard let scanned = Self.scan(route, mutated) else { continue }
            yes += 1
            #expect(scanned == Self.fullCheck(route, mutated), "\(folder): a wrong yes at byte \(at)")
        }
        #expect(yes > 0)
    }

    /// Netcore: nested objects, arrays of items, at-least-one-of, nulls and empty arrays.
    @Test func netcoreRulesAgree() throws {
        let route = try Self.route("netcore.activities")
        let bodies = try Self.fixtureBodies("netcore.purchases")
        let body = try #require(bodies.first)
        let records = try RecordCheckerTests.records(body, envelope: route.target.envelope)
        let record = try #require(records.first)
        var writer = JSONWriter()
        writer.write(record)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        // Each mutation of a good record: the scanner agrees with the full check or leaves it.
        let mutations: [String] = [
            text,
            text.replacingOccurrences(of: #""identity":"#, with: #""identity_":"#),
            text.replacingOccurrences(of: #""identity":"#, with: #""annonid":"#),
            text.replacingOccurrences(of: #""items":["#, with: #""items":[],"x":["#),
            text.replacingOccurrences(of: #""activity_name":"#, with: #""activity_name":null,"y":"#),
            text.replacingOccurrences(of: #"""#, with: #" " "#),
            String(text.dropLast()),
        ]
        var agreed = 0
        for mutation in mutations {
            let wrapped = Array("[\(mutation)]".utf8)
            let full = Self.fullCheck(route, wrapped)
            if let scanned = Self.scan(route, wrapped) {
                #expect(scanned == full, "scanner said yes to \(mutation)")
                agreed += 1
            }
        }
        #expect(agreed >= 1)
    }
}

/// Nested rules are held unretained by `TypeRule` and kept by the field or array rule that
/// holds the type: a rule built and then held only by its root still reads its nested objects,
/// arrays of objects and enumerations, in the scanner and in the full check alike.
@Suite struct NestedRuleOwnershipTests {
    static let schema = RecordSchema(fields: [
        FieldSchema("id", .string(maxLength: nil), required: true),
        FieldSchema("kind", .enumeration(["a", "b"])),
        FieldSchema("props", .object(RecordSchema(fields: [FieldSchema("n", .integer, required: true)]))),
        FieldSchema("items", .array(.object(RecordSchema(fields: [
            FieldSchema("sku", .string(maxLength: 4), required: true),
            FieldSchema("tags", .array(.enumeration(["x", "y"]), maxItems: 2)),
        ])), maxItems: 3)),
    ])

    /// Only the root rule survives this call.
    static func rootOnly() -> ObjectRule { ObjectRule(schema) }

    static func scan(_ rule: ObjectRule, _ record: String) -> Bool {
        let bytes = Array(record.utf8)
        return bytes.withUnsafeBufferPointer {
            AcceptanceScanner.count($0, envelope: .single, rule: rule, emptyArrays: .allow) == 1
        }
    }

    @Test func nestedRulesOutliveEverythingButTheirRoot() throws {
        let rule = Self.rootOnly()
        let checker = RecordChecker(schema: Self.schema)
        let good = #"{"id":"1","kind":"b","props":{"n":3},"items":[{"sku":"ab","tags":["x","y"]},{"sku":"cd"}]}"#
        let bad = [
            #"{"id":"1","kind":"c"}"#,                                   // not one of the enumeration
            #"{"id":"1","props":{"n":"3"}}"#,                            // a nested field of the wrong type
            #"{"id":"1","items":[{"sku":"toolong"}]}"#,                  // an item's string too long
            #"{"id":"1","items":[{"sku":"a","tags":["z"]}]}"#,           // an enumeration inside an array inside an array
            #"{"id":"1","items":[{"sku":"a"},{"sku":"b"},{"sku":"c"},{"sku":"d"}]}"#,   // more items than allowed
        ]
        #expect(Self.scan(rule, good))
        #expect(checker.problems(in: try JSONParser.parse(Array(good.utf8))).isEmpty)
        for record in bad {
            #expect(!Self.scan(rule, record), "\(record)")
            #expect(!checker.problems(in: try JSONParser.parse(Array(record.utf8))).isEmpty, "\(record)")
        }
    }

    /// Objects whose rule lists no fields: free-form ones take any members, closed ones only
    /// none; the scan (which looks no key up there) and the full check agree on each.
    @Test func objectsWithoutFieldsAgreeWithTheFullCheck() throws {
        let schema = RecordSchema(fields: [
            FieldSchema("id", .string(maxLength: nil), required: true),
            FieldSchema("free", .object(.propertyBag)),
            FieldSchema("closed", .object(RecordSchema(fields: []))),
        ])
        let rule = ObjectRule(schema)
        let checker = RecordChecker(schema: schema)
        let records = [
            #"{"id":"1","free":{}}"#,
            #"{"id":"1","free":{"a":1,"b":"x","c":[1,{"d":null}],"id":true}}"#,
            #"{"id":"1","closed":{}}"#,
            #"{"id":"1","closed":{"a":1}}"#,
            #"{"id":"1","closed":{"id":"1"}}"#,
            #"{"id":"1","free":{"a":1,"a":2}}"#,                  // free-form: the parser keeps the last
            #"{"id":"1","free":{"a":}}"#,
            #"{"id":"1","free":{"a":1,}}"#,
            #"{"id":"1","free":{a:1}}"#,
            #"{"id":"1","free":[]}"#,
        ]
        var scanned: [Bool] = []
        for record in records {
            let full = (try? JSONParser.parse(Array(record.utf8))).map { checker.problems(in: $0).isEmpty } ?? false
            let scan = Self.scan(rule, record)
            // A yes from the scan is always the full check's; a no may only be "not sure".
            #expect(!scan || full, "\(record)")
            scanned.append(scan)
        }
        #expect(scanned == [true, true, true, false, false, true, false, false, false, false])
    }

    /// `ObjectRule.index(ofName:readable:)` against plain comparison: names of every length
    /// around the eight- and sixteen-byte words, each with every byte changed, read with room
    /// to spare (two whole words loaded) and with none (put together byte by byte).
    @Test func namesAreFoundByTheirBytesWhateverTheirLength() throws {
        var names: [String] = []
        for length in 1...20 {
            let base = String(repeating: "k", count: length)
            names.append(base)
            names.append(String(base.dropLast()) + "z")   // differs in its last byte only
        }
        names.append("user_agent_string_long")              // 22 bytes: beyond the second word
        names.append("user_agent_string_lonG")
        let rule = ObjectRule(RecordSchema(fields: names.map { FieldSchema($0, .integer) }, allowsOtherMembers: true))
        var probes = names.map { Array($0.utf8) }
        for name in names {
            let bytes = Array(name.utf8)
            for at in bytes.indices {
                for replacement: UInt8 in [UInt8(ascii: "k"), UInt8(ascii: "z"), 0x00, 0xFF] {
                    var changed = bytes
                    changed[at] = replacement
                    probes.append(changed)
                }
            }
            probes.append(Array(bytes.dropLast()))
            probes.append(bytes + [UInt8(ascii: "k")])
        }
        for probe in probes {
            let expected = names.firstIndex { Array($0.utf8) == probe }
            // Exactly the name's bytes readable: a word may not be loaded whole.
            let tight = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: probe.count)
            defer { tight.deallocate() }
            _ = tight.initialize(from: probe)
            #expect(rule.index(ofName: UnsafeBufferPointer(tight), readable: probe.count) == expected, "\(probe)")
            // Followed by other bytes, as inside a body: two words loaded and masked.
            let padded = probe + Array(#"":1,"other":[1,2,3]}"#.utf8)
            padded.withUnsafeBufferPointer { body in
                let name = UnsafeBufferPointer(rebasing: body[..<probe.count])
                #expect(rule.index(ofName: name, readable: body.count) == expected, "\(probe) in a body")
            }
        }
    }

    /// A key whose name ends within sixteen bytes of the body's end still matches.
    @Test func aKeyNearTheEndOfTheBody() throws {
        let schema = RecordSchema(fields: [FieldSchema("a", .integer, required: true), FieldSchema("sixteen_bytes_xx", .integer)])
        let rule = ObjectRule(schema)
        #expect(Self.scan(rule, #"{"sixteen_bytes_xx":2,"a":1}"#))
        #expect(Self.scan(rule, #"{"a":1,"sixteen_bytes_xx":2}"#))
        #expect(Self.scan(rule, #"{"a":1}"#))
        #expect(!Self.scan(rule, #"{"sixteen_bytes_xy":2,"a":1}"#))
        #expect(!Self.scan(rule, #"{"a":1,"sixteen_bytes_x":2}"#))
    }
}

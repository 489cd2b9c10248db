import Foundation
import Testing
import FerryCore
import FerryMapping
@testable import FerryVendors

/// The Pyze targets as the vendor document (vendor-docs/pyze-enterprise-api.txt) defines them
/// and as ferry resolves its gaps: catalog, endpoints, envelopes, limits, schemas, decisions,
/// answers, and the two record adjusters (profile splitting, event fields).
@Suite struct PyzeTargetTests {
    func profiles() throws -> Target {
        try #require(TargetCatalog.target(named: "pyze.user_profiles"), "pyze.user_profiles is not in the catalog")
    }

    func events() throws -> Target {
        try #require(TargetCatalog.target(named: "pyze.events"), "pyze.events is not in the catalog")
    }

    // MARK: Catalog, endpoints, auth

    @Test func catalogListsBothPyzeTargets() throws {
        #expect(TargetCatalog.names.filter { $0.hasPrefix("pyze.") } == ["pyze.user_profiles", "pyze.events"])
        #expect(Pyze.targets.map(\.name) == ["pyze.user_profiles", "pyze.events"])
        #expect(try profiles().vendor == .pyze)
        #expect(try events().vendor == .pyze)
        #expect(TargetCatalog.target(named: "pyze.user_profile") == nil)
        #expect(Set(TargetCatalog.names).count == TargetCatalog.names.count, "every name once")
    }

    @Test func profilesGoToTheHostTheAccountManagerGives() throws {
        let t = try profiles()
        #expect(t.endpoint.method == .post)
        #expect(t.endpoint.path == "/users/profile")
        #expect(t.endpoint.defaultBaseURL == nil, "--endpoint is required: the document's host is only an example")
        #expect(t.endpoint.regions.isEmpty)
        #expect(t.endpoint.pathParameters.isEmpty)
        #expect(t.endpoint.contentType == "application/json")
        #expect(t.auth.kind == .bearer)
        #expect(t.auth.environmentVariable == "PYZE_API_TOKEN")
        #expect(t.auth.headerExample == "Authorization: Bearer $PYZE_API_TOKEN")
        #expect(!t.destructive)
    }

    @Test func eventsGoToImportPyzeCom() throws {
        let t = try events()
        #expect(t.endpoint.method == .post)
        #expect(t.endpoint.defaultBaseURL == "https://import.pyze.com")
        #expect(t.endpoint.path == "/v1/events")
        #expect(t.endpoint.pathParameters.isEmpty)
        #expect(t.endpoint.contentType == "application/json")
        #expect(t.auth.kind == .pyzeAppKey)
        #expect(t.auth.environmentVariable == "PYZE_APP_KEY")
        #expect(!t.auth.headerExample.contains("Bearer"), "the events API documents no Authorization header")
        #expect(!t.destructive)
    }

    // MARK: Envelopes and limits

    @Test func profilesAreABatchOfAtMost50FieldsPerRequest() throws {
        let t = try profiles()
        #expect(t.envelope == .objectArray(key: "user_profiles"))
        #expect(t.limits.maxFields == 50)
        #expect(t.limits.maxRecords == 50, "each profile carries at least its userId")
        #expect(t.limits.maxBytes == 1 << 20)
        #expect(t.defaultTimestampFormat == .iso8601UTC)
        #expect(t.emptyArrays == .allow)
        #expect(t.adjuster is PyzeProfileAdjuster)
    }

    @Test func eventsAreOnePerRequest() throws {
        let t = try events()
        #expect(t.envelope == .single)
        #expect(t.limits.maxRecords == 1)
        #expect(t.limits.maxFields == nil)
        #expect(t.limits.maxBytes == 1 << 20)
        #expect(t.defaultTimestampFormat == .rfc3339)
        #expect(t.adjuster is PyzeEventAdjuster)
    }

    // MARK: Schemas

    @Test func profileSchemaNamesPyzeFieldsAndAllowsCustomAttributes() throws {
        let s = try profiles().schema
        #expect(s.allowsOtherMembers, "custom attributes")
        #expect(s.requiredFields.map(\.name) == ["userId"])
        #expect(s.fields.map(\.name) == ["userId", "pyze_id", "user_alias", "first_name", "last_name", "email_id",
                                         "date_of_birth", "gender", "date_of_first_use", "date_of_last_use"])
        #expect(s.atLeastOneOf.isEmpty)
        // null removes an attribute: every field but the identifiers accepts it.
        for field in s.fields {
            #expect(field.nullable == !["userId", "pyze_id"].contains(field.name), "\(field.name)")
        }
        for name in ["date_of_first_use", "date_of_last_use"] {
            let field = try #require(s.field(named: name))
            guard case .timestamp(let format) = field.type else {
                Issue.record("\(name) is \(field.type.displayName)")
                continue
            }
            #expect(format == .iso8601UTC)
        }
        let dob = try #require(s.field(named: "date_of_birth"))
        guard case .string = dob.type else {
            Issue.record("date_of_birth is \(dob.type.displayName)")
            return
        }
        let alias = try #require(s.field(named: "user_alias"))
        guard case .object(let nested) = alias.type else {
            Issue.record("user_alias is \(alias.type.displayName)")
            return
        }
        #expect(nested.fields.map(\.name) == ["alias_label", "alias_id"])
        #expect(!nested.allowsOtherMembers)
    }

    @Test func eventSchemaFollowsTheTable() throws {
        let s = try events().schema
        #expect(!s.allowsOtherMembers)
        #expect(s.fields.map(\.name) == ["type", "event", "userId", "eventTime", "context", "appKey", "messageId", "attributes"])
        // type and appKey are vendor-required but added by ferry; sentAt is added by load.
        #expect(s.requiredFields.map(\.name) == ["event", "userId", "eventTime"])
        #expect(s.field(named: "sentAt") == nil)
        #expect(s.fields.allSatisfy { !$0.nullable })
        let type = try #require(s.field(named: "type"))
        guard case .enumeration(let values) = type.type else {
            Issue.record("type is \(type.type.displayName)")
            return
        }
        #expect(values == ["event"])
        let time = try #require(s.field(named: "eventTime"))
        guard case .timestamp(let format) = time.type else {
            Issue.record("eventTime is \(time.type.displayName)")
            return
        }
        #expect(format == .rfc3339)
        let context = try #require(s.field(named: "context"))
        guard case .object(let nested) = context.type else {
            Issue.record("context is \(context.type.displayName)")
            return
        }
        #expect(nested.fields.map(\.name) == ["userAgent", "ip"])
        let attributes = try #require(s.field(named: "attributes"))
        guard case .object(let bag) = attributes.type else {
            Issue.record("attributes is \(attributes.type.displayName)")
            return
        }
        #expect(bag.fields.isEmpty && bag.allowsOtherMembers)
    }

    // MARK: Mappings against the schemas

    func compileErrors(_ yaml: String) -> [String] {
        do throws(MappingError) {
            let spec = try MappingFileParser.parse(yaml: yaml, file: "test.yaml")
            _ = try MappingLoader.load(spec: spec, path: "test.yaml", environment: [:])
            return []
        } catch {
            return error.diagnostics.filter { $0.severity == .error }.map(\.message)
        }
    }

    @Test func mappingsMayNullAttributesButNotIdentifiers() {
        #expect(compileErrors("""
        target: pyze.user_profiles
        fields:
          userId: id
          last_name: { column: last, on_null: "null" }
          custom-plan: { column: plan, on_null: "null" }
          custom-purchase:
            fields:
              inc: { column: n, type: int }
          custom-tags:
            fields:
              remove: { column: t, type: array, separator: "|" }
        """) == [])
        let errors = compileErrors("""
        target: pyze.user_profiles
        fields:
          userId: id
          pyze_id: { column: pid, on_null: "null" }
        """)
        #expect(errors.count == 1)
        #expect(errors.first?.contains("does not accept null for 'pyze_id'") == true)
        #expect(compileErrors("target: pyze.user_profiles\nfields:\n  first_name: f\n")
                .contains { $0.contains("requires 'userId'") })
    }

    @Test func eventMappingsNeedEventUserIdAndTimeAndCannotSetSentAt() {
        #expect(compileErrors("""
        target: pyze.events
        fields:
          event: name
          userId: user
          eventTime: { column: at, timestamp: iso8601 }
        """) == [])
        let missing = compileErrors("target: pyze.events\nfields:\n  event: name\n")
        #expect(missing.contains { $0.contains("requires 'userId'") })
        #expect(missing.contains { $0.contains("requires 'eventTime'") })
        let sentAt = compileErrors("""
        target: pyze.events
        fields:
          event: name
          userId: user
          eventTime: { column: at, timestamp: iso8601 }
          sentAt: { column: sent, timestamp: iso8601 }
        """)
        #expect(sentAt.contains { $0.contains("no field 'sentAt'") })
    }

    @Test func aTypeOtherThanEventIsNotAllowed() throws {
        let yaml = """
        target: pyze.events
        fields:
          type: { value: track }
          event: name
          userId: user
          eventTime: { column: at, timestamp: iso8601 }
        """
        let spec = try MappingFileParser.parse(yaml: yaml, file: "test.yaml")
        let mapper = RecordMapper(mapping: try MappingLoader.load(spec: spec, path: "test.yaml", environment: [:]).compiled)
        mapper.bindNDJSON()
        var writer = JSONWriter()
        let row = JSONObject([("name", .string("e")), ("user", .string("u")), ("at", .string("2024-01-01T00:00:00Z"))])
        guard case .invalid(let errors) = mapper.map(.ndjson(NDJSONRecord(recordNumber: 1, line: 1, object: row)), into: &writer) else {
            Issue.record("type: track was accepted")
            return
        }
        #expect(errors.map(\.kind) == [.notAllowed])
        #expect(errors.first?.field == "type")
    }

    /// One NDJSON line mapped with a Pyze mapping, then adjusted: what the pipeline sends.
    func mapAndAdjust(_ yaml: String, _ line: String, target: Target) throws -> [JSONObject] {
        let spec = try MappingFileParser.parse(yaml: yaml, file: "test.yaml")
        let loaded = try MappingLoader.load(spec: spec, path: "test.yaml", environment: [:])
        let mapper = RecordMapper(mapping: loaded.compiled)
        mapper.bindNDJSON()
        guard case .object(let object) = try Array(line.utf8).withUnsafeBufferPointer({ try JSONParser.parse($0) }) else {
            throw AdjustmentError(kind: "test", message: "not an object")
        }
        var writer = JSONWriter()
        let outcome = mapper.map(.ndjson(NDJSONRecord(recordNumber: 1, line: 1, object: object)), into: &writer)
        #expect(outcome == .valid)
        guard case .object(let mapped) = try writer.bytes.withUnsafeBufferPointer({ try JSONParser.parse($0) }) else {
            throw AdjustmentError(kind: "test", message: "mapped record is not an object")
        }
        let adjuster = try #require(target.adjuster)
        return try adjuster.adjust(mapped)
    }

    @Test func incAndRemoveOperationsPassThrough() throws {
        let yaml = """
        target: pyze.user_profiles
        fields:
          userId: id
          custom-purchase:
            fields:
              inc: { column: bought, type: int }
          custom-tags:
            fields:
              remove: { column: drop, type: array, separator: "|" }
          custom-ltv: { column: ltv, type: float }
          gone: { column: missing, on_null: "null" }
        """
        let out = try mapAndAdjust(yaml, #"{"id":"user123","bought":"30","drop":"whale|vip","ltv":"35.5"}"#, target: try profiles())
        #expect(out.count == 1)
        #expect(JSONWriter.serialize(.object(out[0])) as String
                == #"{"userId":"user123","custom-purchase":{"inc":30},"custom-tags":{"remove":["whale","vip"]},"custom-ltv":35.5,"gone":null}"#)
        // Empty sources: the operations are left out, not sent as {}.
        let empty = try mapAndAdjust(yaml, #"{"id":"user123"}"#, target: try profiles())
        #expect(JSONWriter.serialize(.object(empty[0])) as String == #"{"userId":"user123","gone":null}"#)
    }

    @Test func anEventGetsTypeAppKeyAndMessageId() throws {
        let yaml = """
        target: pyze.events
        fields:
          event: name
          userId: user.id
          eventTime: { column: at, timestamp: iso8601 }
          context:
            fields:
              ip: ip
          attributes:
            fields:
              key: key
        """
        let target = Pyze.eventsTarget(environment: ["PYZE_APP_KEY": "yz1Jn-0pSnekg58etEQO4A"])
        let out = try mapAndAdjust(yaml, #"{"name":"test-event","user":{"id":"Username"},"at":"2020-06-03T17:03:48-07:00","key":"value"}"#, target: target)
        #expect(out.count == 1)
        // The document's example, plus the derived messageId (checked against Python's hashlib).
        #expect(JSONWriter.serialize(.object(out[0])) as String
                == #"{"type":"event","event":"test-event","userId":"Username","eventTime":"2020-06-03T17:03:48-07:00","attributes":{"key":"value"},"appKey":"yz1Jn-0pSnekg58etEQO4A","messageId":"302cf144-b18a-8032-b0eb-72e7c9138a94"}"#)
    }

    // MARK: Profile adjuster

    static func object(_ pairs: [(String, JSONValue)]) -> JSONObject {
        JSONObject(pairs.map { (key: $0.0, value: $0.1) })
    }

    /// A profile with `userId` first and `count` custom attributes a000, a001, ...
    static func wideProfile(_ count: Int, extra: [(String, JSONValue)] = []) -> JSONObject {
        var members: [(String, JSONValue)] = [("userId", .string("u1"))]
        for i in 0..<count { members.append((String(format: "a%03d", i), .int(Int64(i)))) }
        return object(members + extra)
    }

    @Test func aProfileOf50FieldsOrFewerIsSentAsItIs() throws {
        let adjuster = PyzeProfileAdjuster()
        for size in [0, 1, 20, 49] {
            let profile = Self.wideProfile(size)
            #expect(try adjuster.adjust(profile) == [profile], "\(size + 1) fields")
        }
    }

    @Test func aProfileOf51FieldsBecomesTwo() throws {
        let pieces = try PyzeProfileAdjuster().adjust(Self.wideProfile(50))
        #expect(pieces.map(\.count) == [50, 2])
        #expect(pieces[1].keys == ["userId", "a049"])
    }

    @Test func aWideProfileIsSplitRepeatingUserIdAndKeepingFieldOrder() throws {
        let profile = Self.wideProfile(120)
        let pieces = try PyzeProfileAdjuster().adjust(profile)
        #expect(pieces.map(\.count) == [50, 50, 23])
        for piece in pieces {
            #expect(piece.members.first?.key == "userId")
            #expect(piece["userId"] == .string("u1"))
            #expect(piece.keys.filter { $0 == "userId" }.count == 1)
        }
        // The other fields, in order, once each.
        let others = pieces.flatMap { $0.members.dropFirst() }
        #expect(others.map(\.key) == Array(profile.keys.dropFirst()))
        #expect(others.map(\.value) == Array(profile.members.dropFirst().map(\.value)))
    }

    @Test func bothIdentifiersAreRepeatedWhereverTheyStand() throws {
        // pyze_id in the middle, userId not first: each piece keeps the record's order.
        var members: [(String, JSONValue)] = []
        for i in 0..<30 { members.append((String(format: "a%03d", i), .int(Int64(i)))) }
        members.append(("userId", .string("u1")))
        for i in 30..<60 { members.append((String(format: "a%03d", i), .int(Int64(i)))) }
        members.insert(("pyze_id", .string("ca1ab028")), at: 10)
        let profile = Self.object(members)
        #expect(profile.count == 62)
        let pieces = try PyzeProfileAdjuster().adjust(profile)
        #expect(pieces.map(\.count) == [50, 14], "48 other fields per piece beside the two identifiers")
        for piece in pieces {
            #expect(piece["userId"] == .string("u1"))
            #expect(piece["pyze_id"] == .string("ca1ab028"))
            // Every piece is an in-order subsequence of the profile.
            var position = profile.keys.startIndex
            for key in piece.keys {
                let found = try #require(profile.keys[position...].firstIndex(of: key), "\(key) out of order")
                position = found + 1
            }
        }
        #expect(pieces[0].keys.prefix(12) == ["a000", "a001", "a002", "a003", "a004", "a005", "a006", "a007", "a008", "a009", "pyze_id", "a010"])
        #expect(pieces[0].keys.contains("userId"))
        #expect(pieces[1].keys.first == "pyze_id")
        let others = pieces.flatMap { $0.members.filter { !["userId", "pyze_id"].contains($0.key) } }
        #expect(others.map(\.key) == profile.keys.filter { !["userId", "pyze_id"].contains($0) })
    }

    @Test func aSmallerFieldLimitSplitsTheSameWay() throws {
        let adjuster = PyzeProfileAdjuster(maxFields: 3)
        let profile = Self.object([("userId", .string("u")), ("a", .int(1)), ("b", .int(2)), ("c", .int(3)), ("pyze_id", .string("p")), ("d", .null)])
        let pieces = try adjuster.adjust(profile)
        #expect(pieces.map { JSONWriter.serialize(.object($0)) as String } == [
            #"{"userId":"u","a":1,"pyze_id":"p"}"#,
            #"{"userId":"u","b":2,"pyze_id":"p"}"#,
            #"{"userId":"u","c":3,"pyze_id":"p"}"#,
            #"{"userId":"u","pyze_id":"p","d":null}"#,
        ])
        #expect(throws: AdjustmentError.self) {
            try PyzeProfileAdjuster(maxFields: 2).adjust(profile)
        }
    }

    func adjustError(_ profile: JSONObject) -> AdjustmentError? {
        do throws(AdjustmentError) {
            _ = try PyzeProfileAdjuster().adjust(profile)
            return nil
        } catch {
            return error
        }
    }

    @Test func emptyObjectsAreLeftOutAndTheRestIsChecked() throws {
        let profile = Self.object([("userId", .string("u")), ("user_alias", .object(JSONObject())),
                                   ("custom-purchase", .object(JSONObject())), ("last_name", .null)])
        #expect(try PyzeProfileAdjuster().adjust(profile) == [Self.object([("userId", .string("u")), ("last_name", .null)])])
        // An alias needs both parts.
        let half = Self.object([("userId", .string("u")), ("user_alias", .object(Self.object([("alias_label", .string("facebook"))])))])
        let error = try #require(adjustError(half))
        #expect(error.kind == "invalid_alias")
        #expect(error.message.contains("alias_id is empty"))
        let whole = Self.object([("userId", .string("u")), ("user_alias", .object(Self.object([("alias_label", .string("facebook")), ("alias_id", .string("fb1"))])))])
        #expect(adjustError(whole) == nil)
        #expect(adjustError(Self.object([("userId", .string("u")), ("user_alias", .null)])) == nil, "null removes the alias")
    }

    @Test func operationsMustBeIncOrRemove() throws {
        for ok: JSONValue in [.object(Self.object([("inc", .int(30))])), .object(Self.object([("inc", .double(-1.5))])),
                              .object(Self.object([("remove", .array([.string("whale")]))])),
                              .array([.string("a")]), .bool(true), .string("Silver"), .int(30), .null] {
            #expect(adjustError(Self.object([("userId", .string("u")), ("custom-x", ok)])) == nil, "\(ok)")
        }
        for bad: JSONValue in [.object(Self.object([("inc", .string("30"))])), .object(Self.object([("remove", .string("whale"))])),
                               .object(Self.object([("add", .int(1))])), .object(Self.object([("inc", .int(1)), ("remove", .array([]))])),
                               .object(Self.object([("city", .string("Austin"))]))] {
            let error = adjustError(Self.object([("userId", .string("u")), ("custom-x", bad)]))
            #expect(error?.kind == "invalid_operation", "\(bad)")
            #expect(error?.message.contains("custom-x") == true)
        }
    }

    @Test func dateOfBirthIsACalendarDate() throws {
        func dob(_ text: String) throws -> JSONValue? {
            try PyzeProfileAdjuster().adjust(Self.object([("userId", .string("u")), ("date_of_birth", .string(text))]))[0]["date_of_birth"]
        }
        #expect(try dob("1994-07-06") == .string("1994-07-06"))
        #expect(try dob("2000-02-29") == .string("2000-02-29"))
        #expect(try dob("1994-07-06T00:00:00Z") == .string("1994-07-06"), "what a timestamp: leaf writes for a date")
        #expect(try dob("1994-07-06T00:00:00.000Z") == .string("1994-07-06"))
        for bad in ["1994-7-6", "1900-02-29", "1994-13-01", "1994-06-31", "06/07/1994", "1994-07-06T04:00:00Z",
                    "1994-07-06T00:00:00+02:00", "1994-07-06x", ""] {
            let error = adjustError(Self.object([("userId", .string("u")), ("date_of_birth", .string(bad))]))
            #expect(error?.kind == "invalid_date", "\(bad)")
        }
        #expect(adjustError(Self.object([("userId", .string("u")), ("date_of_birth", .null)])) == nil)
    }

    // MARK: Event adjuster

    static let event = object([("event", .string("test-event")), ("userId", .string("Username")),
                               ("eventTime", .string("2020-06-03T17:03:48-07:00")),
                               ("attributes", .object(object([("key", .string("value"))])))])

    /// The app key from a CRLF env file is the key without its "\r"; empty is unset.
    @Test func theAppKeyFromTheEnvironmentLosesItsLineEnd() throws {
        let out = try PyzeEventAdjuster(environment: ["PYZE_APP_KEY": "k-123\r"]).adjust(Self.event)
        #expect(out[0]["appKey"] == .string("k-123"))
        #expect(PyzeEventAdjuster(environment: ["PYZE_APP_KEY": ""]).appKey == nil)
        #expect(PyzeEventAdjuster(environment: [:]).preflight(mappedFields: [])?.kind == "missing_app_key")
    }

    @Test func typeFirstAppKeyAndMessageIdLast() throws {
        let out = try PyzeEventAdjuster(appKey: "k-123").adjust(Self.event)
        #expect(out.count == 1)
        #expect(out[0].keys == ["type", "event", "userId", "eventTime", "attributes", "appKey", "messageId"])
        #expect(out[0]["type"] == .string("event"))
        #expect(out[0]["appKey"] == .string("k-123"))
        guard case .string(let id)? = out[0]["messageId"] else {
            Issue.record("no messageId")
            return
        }
        #expect(id == "302cf144-b18a-8032-b0eb-72e7c9138a94")
        #expect(id.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil, "UUID version 8, RFC variant")
    }

    @Test func whatTheMappingGivesIsKept() throws {
        var given = Self.event
        given.members.insert(("type", .string("event")), at: 2)
        given.append("appKey", .string("from-mapping"))
        given.append("messageId", .string("m-1"))
        let out = try PyzeEventAdjuster(appKey: nil).adjust(given)
        #expect(out == [given], "a mapped appKey needs no PYZE_APP_KEY; a mapped messageId is not replaced")
        var wrong = Self.event
        wrong.append("type", .string("track"))
        #expect(throws: AdjustmentError.self) { try PyzeEventAdjuster(appKey: "k").adjust(wrong) }
    }

    @Test func messageIdIsStableForTheSameEventAndDiffersOtherwise() throws {
        let a = PyzeEventAdjuster.messageId(for: Self.event)
        #expect(PyzeEventAdjuster.messageId(for: Self.event) == a)
        // Member order, the app key and sentAt do not matter.
        let reordered = Self.object(Self.event.members.reversed().map { ($0.key, $0.value) })
        #expect(PyzeEventAdjuster.messageId(for: reordered) == a)
        var withKey = Self.event
        withKey.append("appKey", .string("other-app"))
        withKey.append("sentAt", .string("2024-01-01T00:00:00Z"))
        #expect(PyzeEventAdjuster.messageId(for: withKey) == a)
        // Through the adjuster, with different keys: the same id.
        let one = try PyzeEventAdjuster(appKey: "k1").adjust(Self.event)[0]["messageId"]
        let two = try PyzeEventAdjuster(appKey: "k2").adjust(reordered)[0]["messageId"]
        #expect(one == two)
        // Any difference in content: another id.
        var ids: Set<String> = [a]
        for (key, value) in [("userId", JSONValue.string("Username2")), ("eventTime", .string("2020-06-03T17:03:49-07:00")),
                             ("event", .string("Test-event")), ("attributes", .object(Self.object([("key", .string("value "))])))] {
            var changed = Self.event
            changed.members.removeAll { $0.key == key }
            changed.append(key, value)
            ids.insert(PyzeEventAdjuster.messageId(for: changed))
        }
        #expect(ids.count == 5)
        // Nested order does not matter either.
        let nestedA = Self.object([("e", .object(Self.object([("x", .int(1)), ("y", .int(2))])))])
        let nestedB = Self.object([("e", .object(Self.object([("y", .int(2)), ("x", .int(1))])))])
        #expect(PyzeEventAdjuster.messageId(for: nestedA) == PyzeEventAdjuster.messageId(for: nestedB))
    }

    @Test func canonicalJSONSortsByUTF8BytesAndKeepsTheLastOfARepeatedKey() {
        let inner = JSONValue.object(JSONObject([(key: "d", value: .int(1)), (key: "c", value: .int(2))]))
        let given = JSONObject([(key: "z", value: .int(1)), (key: "\u{E9}", value: .int(2)), (key: "B", value: .int(3)),
                                (key: "a", value: .array([inner])), (key: "z", value: .int(4))])
        // "B" (0x42) before "a" (0x61) before "z" (0x7A) before "é" (0xC3 0xA9); the second "z" wins.
        #expect(String(decoding: PyzeEventAdjuster.canonicalJSON(.object(given)), as: UTF8.self)
                == #"{"B":3,"a":[{"c":2,"d":1}],"z":4,"\#u{E9}":2}"#)
        let deduplicated = JSONObject(given.members.filter { !($0.key == "z" && $0.value == .int(1)) })
        #expect(PyzeEventAdjuster.messageId(for: given) == PyzeEventAdjuster.messageId(for: deduplicated))
        var other = deduplicated
        other.members.removeAll { $0.key == "z" }
        other.append("z", .int(1))
        #expect(PyzeEventAdjuster.messageId(for: given) != PyzeEventAdjuster.messageId(for: other))
    }

    /// The canonical order's comparison must be the UTF-8 byte order the ids were made with.
    @Test func keysCompareAsTheirUTF8Bytes() {
        let keys = ["", "a", "ab", "abc", "abd", "B", "z", "zz", "\u{E9}", "e\u{301}", "\u{1F600}", "a\u{0}b",
                    String(repeating: "k", count: 40), String(repeating: "k", count: 41), "key with spaces"]
        for x in keys {
            for y in keys {
                let expected = x.utf8.elementsEqual(y.utf8) ? 0 : (x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1)
                #expect(PyzeEventAdjuster.compareUTF8(x, y).signum() == expected, "\(x.debugDescription) vs \(y.debugDescription)")
            }
        }
    }

    @Test func withoutPYZE_APP_KEYAnEventCannotBeSent() throws {
        for adjuster in [PyzeEventAdjuster(appKey: nil), PyzeEventAdjuster(appKey: ""), PyzeEventAdjuster(environment: [:]),
                         PyzeEventAdjuster(environment: ["PYZE_APP_KEY": ""])] {
            #expect(adjuster.appKey == nil)
            do throws(AdjustmentError) {
                _ = try adjuster.adjust(Self.event)
                Issue.record("expected missing_app_key")
            } catch {
                #expect(error.kind == "missing_app_key")
                #expect(error.message.contains("PYZE_APP_KEY is not set"))
                #expect(error.message.contains("export PYZE_APP_KEY="))
            }
        }
        #expect(PyzeEventAdjuster(environment: ["PYZE_APP_KEY": "abc"]).appKey == "abc")
        let target = Pyze.eventsTarget(environment: ["PYZE_APP_KEY": "abc"])
        let out = try #require(target.adjuster).adjust(Self.event)
        #expect(out[0]["appKey"] == .string("abc"))
    }

    @Test func emptyContextAndAttributesAreLeftOut() throws {
        var event = Self.event
        event.members.removeAll { $0.key == "attributes" }
        event.append("context", .object(JSONObject()))
        event.append("attributes", .object(JSONObject()))
        let out = try PyzeEventAdjuster(appKey: "k").adjust(event)
        #expect(out[0].keys == ["type", "event", "userId", "eventTime", "appKey", "messageId"])
    }

    // MARK: SHA-256 (FIPS 180-4 test vectors)

    @Test func sha256Vectors() {
        #expect(SHA256.hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(SHA256.hash(Array("é€😀".utf8))) == "df9226927fd572c1ee66eec85de1bb139497614899f36e4e90474cb71f6ef9d0")
    }

    @Test func sha256OfAMillionAs() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))) == expected)
        // Fed in uneven pieces.
        var hasher = SHA256()
        var left = 1_000_000
        var piece = 1
        while left > 0 {
            let n = min(piece, left)
            hasher.update([UInt8](repeating: 0x61, count: n))
            left -= n
            piece = piece * 3 % 1001 + 1
        }
        #expect(SHA256.hex(hasher.finalize()) == expected)
    }

    /// Lengths around the padding boundaries (55, 56, 64 bytes ...), from Python's hashlib.
    @Test(arguments: [
        (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
        (119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
        (120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"),
    ])
    func sha256PaddingBoundaries(length: Int, hex: String) {
        #expect(SHA256.hex(SHA256.hash([UInt8](repeating: 0x61, count: length))) == hex)
        var split = SHA256()
        split.update([UInt8](repeating: 0x61, count: length / 2))
        split.update([UInt8](repeating: 0x61, count: length - length / 2))
        #expect(SHA256.hex(split.finalize()) == hex)
    }

    // MARK: Decisions, answers, description

    @Test func decisionsExplainEachChoice() throws {
        let p = try profiles().decisions.joined(separator: "\n")
        #expect(p.contains("{\"user_profiles\": [{...}, {...}]}") && p.contains("not JSON"))
        #expect(p.contains("https://import.pyze.com/users/profile") && p.contains("--endpoint"))
        #expect(p.contains("Authorization: Bearer $PYZE_API_TOKEN") && p.contains("assumption"))
        #expect(p.contains("userId is required") && p.contains("customer_id") && p.contains("pyze_id"))
        #expect(p.contains("50 profile fields") && p.contains("split"))
        #expect(p.contains("on_null: \"null\""))
        #expect(p.contains("ISO-8601 in UTC") && p.contains("1994-07-06"))
        #expect(p.contains("{\"inc\": number}") && p.contains("{\"remove\": [values]}"))
        #expect(p.contains("1 MiB"))
        let e = try events().decisions.joined(separator: "\n")
        #expect(e.contains("One event per request"))
        #expect(e.contains("type is always \"event\""))
        #expect(e.contains("$PYZE_APP_KEY") && e.contains("missing_app_key"))
        #expect(e.contains("SHA-256") && e.contains("version-8 UUID"))
        #expect(e.contains("sentAt") && e.contains("load adds it"))
        #expect(e.contains("-07:00") && e.contains("RFC 3339"))
        #expect(e.contains("\"strin\""))
        #expect(e.contains("202"))
    }

    func verdict(_ status: Int, _ body: String = "") throws -> ResponseVerdict {
        try events().response.verdict(status: status, body: Array(body.utf8), retryAfter: nil)
    }

    @Test func answersFollowTheDocumentsTable() throws {
        #expect(try profiles().response.displayName == ResponseRule.httpStatus.displayName)
        #expect(try verdict(202) == .accepted)
        #expect(try verdict(200, #"{"anything":"at all"}"#) == .accepted)
        guard case .rejected(let reason) = try verdict(400, #"{"message":"eventTime is not provided"}"#) else {
            Issue.record("400 is a rejection")
            return
        }
        #expect(reason.contains("eventTime is not provided"))
        for status in [401, 403] {
            guard case .authenticationFailed = try verdict(status) else {
                Issue.record("\(status) is an authentication failure")
                continue
            }
        }
        guard case .retry = try verdict(500, "Pyze internal server error") else {
            Issue.record("500 is retried")
            return
        }
    }

    @Test func fullDescriptionsShowEveryChoice() throws {
        let p = try profiles()
        let text = TargetDescription.full(p)
        #expect(text.contains("POST (your deployment's URL: --endpoint)/users/profile"))
        #expect(text.contains("Authorization: Bearer $PYZE_API_TOKEN"))
        #expect(text.contains("{\"user_profiles\": [record, ...]}"))
        #expect(text.contains("(other members allowed)"))
        for decision in p.decisions { #expect(text.contains(decision)) }
        let e = try events()
        let eventText = TargetDescription.full(e)
        #expect(eventText.contains("POST https://import.pyze.com/v1/events"))
        #expect(eventText.contains("$PYZE_APP_KEY"))
        #expect(eventText.contains("the record itself"))
        #expect(eventText.contains("1 record and 1048576 bytes"))
        for decision in e.decisions { #expect(eventText.contains(decision)) }
    }

    // MARK: Shipped mappings

    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: [("user_profiles.yaml", "pyze.user_profiles"), ("events.yaml", "pyze.events")])
    func shippedMappingLoads(_ file: String, _ target: String) throws {
        let path = Self.repoRoot.appendingPathComponent("mappings/pyze/\(file)").path
        do throws(MappingError) {
            let loaded = try MappingLoader.load(path: path, environment: [:])
            #expect(loaded.target.name == target)
        } catch {
            Issue.record("\(file) does not load:\n\(error)")
        }
    }
}

import Foundation
import Testing
import FerryCore
import FerryMapping
import FerryVendors
@testable import FerrySandbox

@Suite struct RecordCheckerTests {
    static let expected = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FerryCLITests/Fixtures/expected")

    /// The records of one request body, out of the target's envelope.
    static func records(_ body: [UInt8], envelope: Envelope) throws -> [JSONValue] {
        let value = try body.withUnsafeBufferPointer { try JSONParser.parse($0) }
        switch envelope {
        case .objectArray(let key):
            guard case .array(let items)? = value.value(atPath: key) else { return [] }
            return items
        case .array:
            guard case .array(let items) = value else { return [] }
            return items
        case .single:
            return [value]
        case .none, .multipartCSV:
            return []
        }
    }

    static var jsonTargets: [String] {
        TargetCatalog.all.filter {
            switch $0.envelope {
            case .none, .multipartCSV: return false
            default: return true
            }
        }.map(\.name)
    }

    /// Every hand-checked request body that convert writes for the shipped samples is what the
    /// vendor's schema accepts: the mapper and the checker agree.
    @Test(arguments: jsonTargets)
    func shippedBodiesPassTheirTargetsChecks(name: String) throws {
        let target = try #require(TargetCatalog.target(named: name))
        let checker = RecordChecker(target: target)
        let directory = Self.expected.appendingPathComponent(name)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("request-") }
        #expect(!files.isEmpty, "no fixtures for \(name)")
        var checked = 0
        for file in files {
            let body = Array(try Data(contentsOf: directory.appendingPathComponent(file)))
            for record in try Self.records(body, envelope: target.envelope) {
                #expect(checker.problems(in: record) == [], "\(name)/\(file)")
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    @Test func problemsAreNamedByPath() throws {
        let target = try #require(TargetCatalog.target(named: "netcore.activities"))
        let checker = RecordChecker(target: target)
        let record = try JSONParser.parse("""
        {"activity_name":"Login","asset_id":7,"timestamp":"yesterday","activity_source":"ios",
         "activity_params":{"tags":[],"nested":{"list":[]}},"extra":1}
        """)
        #expect(checker.problems(in: record) == [
            "asset_id: expected a string",
            "timestamp: expected RFC 3339 string with offset, e.g. 2024-01-31T15:00:00+05:30",
            "activity_source: expected one of web, app",
            "activity_params.tags: empty array",
            "activity_params.nested.list: empty array",
            "extra: unknown field",
            "record: needs at least one of identity, annonid",
        ])
    }

    @Test func requiredNullableAndTypes() throws {
        let schema = RecordSchema(fields: [
            FieldSchema("id", .string(maxLength: 3), required: true),
            FieldSchema("n", .integer),
            FieldSchema("x", .number),
            FieldSchema("b", .boolean),
            FieldSchema("at", .timestamp(.epochSeconds)),
            FieldSchema("utc", .timestamp(.iso8601UTC)),
            FieldSchema("gone", .string(), nullable: true),
            FieldSchema("kept", .string()),
            FieldSchema("items", .array(.object(RecordSchema(fields: [FieldSchema("sku", .string(), required: true)])), maxItems: 1)),
        ])
        let checker = RecordChecker(schema: schema)
        #expect(checker.problems(in: try JSONParser.parse(#"{"id":"abc","n":1,"x":1.5,"b":true,"at":1700000000,"utc":"2024-01-31T09:30:00Z","gone":null,"items":[{"sku":"A"}]}"#)) == [])
        #expect(checker.problems(in: try JSONParser.parse(#"{"id":"abcd","n":1.5,"x":"1","b":"yes","at":"2024","utc":"2024-01-31T09:30:00+01:00","kept":null,"items":[{},{"sku":"B"}]}"#)) == [
            "id: longer than 3 characters",
            "n: expected an integer",
            "x: expected a number",
            "b: expected true or false",
            "at: expected epoch seconds, integer",
            "utc: expected a UTC time ending in Z",
            "kept: null is not accepted",
            "items: more than 1 items",
            "items[0].sku: required",
        ])
        #expect(checker.problems(in: try JSONParser.parse("[1]")) == ["the record is not a JSON object"])
        #expect(checker.problems(in: try JSONParser.parse("{}")) == ["id: required"])
    }
}

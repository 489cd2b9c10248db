import Foundation
import Testing

/// `ferry convert` output for the shipped Pyze samples, read back and checked against the
/// input (ShippedMappingsTests compares the bytes with hand-checked fixtures). Profiles: times in UTC, birth
/// dates as YYYY-MM-DD, empty cells sent as null only where the mapping says on_null: "null",
/// inc/remove operations, attr_* custom attributes, and requests cut at 50 fields. Events: one
/// request each, type first, the app key from PYZE_APP_KEY, a messageId derived from the event
/// (or the export's own), times keeping their offset.
@Suite struct PyzeConvertTests {
    static let appKey = "test-app-key-0001"
    let directory: URL

    init() throws {
        directory = try makeTestDirectory("ferry-pyze-convert")
    }

    func requests(_ out: URL) throws -> [[String: Any]] {
        let listing = try String(contentsOf: out.appendingPathComponent("requests.ndjson"), encoding: .utf8)
        return try listing.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// The profiles sample read back: every request within 50 top-level fields, one profile per
    /// row, and the shape the document asks for.
    @Test func profileRequestsHoldAtMost50FieldsAndEveryRow() throws {
        let out = directory.appendingPathComponent("profiles")
        let result = try CLIRunner.run(["convert", "-m", "mappings/pyze/user_profiles.yaml", "samples/pyze/user_profiles.tsv", "-o", out.path])
        #expect(result.status == 0, "convert: \(result.stderr)")
        var userIds: [String] = []
        let listed = try requests(out)
        #expect(listed.count > 1, "the sample's fields do not fit one request")
        for request in listed {
            #expect(request["method"] as? String == "POST")
            #expect(request["path"] as? String == "/users/profile")
            let body = try Data(contentsOf: out.appendingPathComponent(try #require(request["file"] as? String)))
            let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            #expect(Array(json.keys) == ["user_profiles"])
            let profiles = try #require(json["user_profiles"] as? [[String: Any]])
            #expect(profiles.count == request["records"] as? Int)
            #expect(profiles.reduce(0) { $0 + $1.count } <= 50)
            for profile in profiles {
                userIds.append(try #require(profile["userId"] as? String))
                if let dob = profile["date_of_birth"] as? String { #expect(dob.count == 10, "\(dob) is a date") }
                for key in ["date_of_first_use", "date_of_last_use"] {
                    if let time = profile[key] as? String { #expect(time.hasSuffix("Z"), "\(key) \(time) is UTC") }
                }
            }
        }
        #expect(userIds == (123...130).map { "user\($0)" })
        let all = try String(contentsOf: out.appendingPathComponent("request-000001.json"), encoding: .utf8)
        #expect(all.contains(#""custom-purchase":{"inc":30}"#))
        #expect(all.contains(#""custom-wishlist":{"remove":["sneakers","socks"]}"#))
        #expect(all.contains(#""last_name":null"#))
        #expect(!all.contains("{}"), "empty operations and aliases are left out")
    }

    /// The events sample: one request per event; the resent row (the last line repeats the third)
    /// gets the same messageId; the export's own event_uuid is kept.
    @Test func eventsAreOnePerRequestWithStableIds() throws {
        let out = directory.appendingPathComponent("events")
        let result = try CLIRunner.run(["convert", "-m", "mappings/pyze/events.yaml", "samples/pyze/events.ndjson.gz", "-o", out.path],
                                       environment: ["PYZE_APP_KEY": Self.appKey])
        #expect(result.status == 0, "convert: \(result.stderr)")
        let listed = try requests(out)
        #expect(listed.count == 8)
        var events: [[String: Any]] = []
        for request in listed {
            #expect(request["records"] as? Int == 1)
            #expect(request["path"] as? String == "/v1/events")
            let body = try Data(contentsOf: out.appendingPathComponent(try #require(request["file"] as? String)))
            events.append(try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any], "a single event object"))
        }
        for event in events {
            #expect(event["type"] as? String == "event")
            #expect(event["appKey"] as? String == Self.appKey)
            #expect(event["sentAt"] == nil, "load adds sentAt when sending")
            #expect(event["messageId"] is String)
        }
        let ids = events.compactMap { $0["messageId"] as? String }
        #expect(ids[2] == ids[7], "the same row resent keeps its id")
        #expect(Set(ids).count == 7)
        #expect(ids[4] == "5b0f3c1e-9a7d-4c2e-8f61-3d2a9e4b7c10", "the export's event_uuid")
        #expect(events[0]["eventTime"] as? String == "2020-06-03T17:03:48-07:00")
        #expect(events[3]["userId"] as? String == "42")
    }
}

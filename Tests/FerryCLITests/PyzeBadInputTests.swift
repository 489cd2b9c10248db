import Foundation
import Testing

/// What the real CLI does with Pyze input the vendor would refuse, profiles too wide for one
/// request, and events without their app key.
@Suite struct PyzeBadInputTests {
    static let profilesMapping = "mappings/pyze/user_profiles.yaml"
    static let eventsMapping = "mappings/pyze/events.yaml"
    static let badProfiles = "Tests/FerryCLITests/Fixtures/pyze_bad_profiles.tsv"
    static let badEvents = "Tests/FerryCLITests/Fixtures/pyze_bad_events.ndjson"

    let directory: URL

    init() throws {
        directory = try makeTestDirectory("ferry-pyze-bad")
    }

    func validate(_ mapping: String, _ input: String, environment: [String: String?] = [:]) throws -> CLIValidation {
        try CLIValidation.run(mapping, input, in: directory, environment: environment)
    }

    func requests(_ out: URL) throws -> [[String: Any]] {
        let listing = try String(contentsOf: out.appendingPathComponent("requests.ndjson"), encoding: .utf8)
        return try listing.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    // MARK: Profiles

    @Test func badProfilesAreAccountedForRowByRow() throws {
        let v = try validate(Self.profilesMapping, Self.badProfiles)
        #expect(v.result.status == 1)
        #expect(v.report["totals"] as? [String: Int] == ["read": 6, "filtered": 0, "invalid": 4, "valid": 2])
        #expect(v.errorCounts == ["missing_required": 1, "vendor_rule": 1, "invalid_timestamp": 1, "invalid_type": 1])
        #expect(v.letters.keys.sorted() == [3, 4, 5, 6])
        #expect(v.report["exit_code"] as? Int == 1)
    }

    @Test func aProfileWithoutUserIdIsMissingRequired() throws {
        let v = try validate(Self.profilesMapping, Self.badProfiles)
        let meta = try #require(v.letters[3])
        #expect(meta["kind"] as? String == "missing_required")
        #expect(v.result.stderr.contains("\(Self.badProfiles):3 user_id=: required, but column user_id is empty or missing"))
    }

    @Test func anAliasWithoutItsIdAndAnImpossibleBirthDateAreInvalid() throws {
        let v = try validate(Self.profilesMapping, Self.badProfiles)
        let alias = try #require(v.letters[4])
        #expect(alias["kind"] as? String == "vendor_rule")
        #expect((alias["reason"] as? String)?.contains("invalid_alias: user_alias needs both alias_label and alias_id; alias_id is empty") == true)
        let dob = try #require(v.letters[5])
        #expect(dob["kind"] as? String == "invalid_timestamp")
        #expect(v.result.stderr.contains("\(Self.badProfiles):5 birth_date=2/30/1990: 1990-02-30 is not a date"))
        #expect(try #require(v.letters[6])["kind"] as? String == "invalid_type")
    }

    /// A TSV with user_id and 120 attr_* columns: two profiles of 20 fields, one of 121, one
    /// of 5. Requests hold at most 50 fields: [20+20], the wide profile split into 50, 50 and
    /// 23 fields (each repeating userId), and [23+5].
    @Test func profilesWhoseFieldsExceed50SplitIntoSeveralRequests() throws {
        let yaml = """
        target: pyze.user_profiles
        source: { format: tsv }
        columns: "attr_*"
        strip_prefix: "attr_"
        fields:
          userId: user_id

        """
        let mapping = directory.appendingPathComponent("wide.yaml")
        try Data(yaml.utf8).write(to: mapping)
        let names = (0..<120).map { String(format: "attr_%03d", $0) }
        var text = (["user_id"] + names).joined(separator: "\t") + "\n"
        func row(_ id: String, filled: Int) -> String {
            ([id] + (0..<120).map { $0 < filled ? "v\($0)" : "" }).joined(separator: "\t") + "\n"
        }
        text += row("a", filled: 19) + row("b", filled: 19) + row("wide", filled: 120) + row("d", filled: 4)
        let input = directory.appendingPathComponent("wide.tsv")
        try Data(text.utf8).write(to: input)
        let out = directory.appendingPathComponent("wide-out")
        let report = directory.appendingPathComponent("wide-report.json")
        let result = try CLIRunner.run(["convert", "-m", mapping.path, input.path, "-o", out.path, "--report", report.path])
        #expect(result.status == 0, "convert: \(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        #expect(json["totals"] as? [String: Int] == ["read": 4, "filtered": 0, "invalid": 0, "valid": 4])

        let listed = try requests(out)
        #expect(listed.compactMap { $0["records"] as? Int } == [2, 1, 1, 2])
        var bodies: [[[String: Any]]] = []
        var wideKeys: [String] = []
        for request in listed {
            let data = try Data(contentsOf: out.appendingPathComponent(try #require(request["file"] as? String)))
            #expect(request["bytes"] as? Int == data.count)
            let body = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let profiles = try #require(body["user_profiles"] as? [[String: Any]])
            bodies.append(profiles)
            #expect(profiles.reduce(0) { $0 + $1.count } <= 50, "at most 50 fields per request")
            // Field order, from the raw text (JSONSerialization does not keep it).
            let raw = String(decoding: data, as: UTF8.self)
            if raw.contains(#""userId":"wide""#) {
                // The wide profile's piece comes before any other profile of the request.
                let piece = raw.components(separatedBy: #"},{"userId":"#)[0]
                wideKeys += piece.matches(of: /"(\d{3})":"v\d+"/).map { String($0.1) }
            }
            #expect(!raw.contains("attr_"), "the prefix is stripped")
        }
        #expect(bodies.map { $0.map { $0.count } } == [[20, 20], [50], [50], [23, 5]])
        #expect(bodies.map { $0.compactMap { $0["userId"] as? String } } == [["a", "b"], ["wide"], ["wide"], ["wide", "d"]])
        #expect(wideKeys == (0..<120).map { String(format: "%03d", $0) }, "the wide profile's fields once each, in order")
        let second = try String(contentsOf: out.appendingPathComponent("request-000003.json"), encoding: .utf8)
        #expect(second.hasPrefix(#"{"user_profiles":[{"userId":"wide","049":"v49","#))
    }

    // MARK: Events

    @Test func eventsWithoutEventTimeOrUserAreInvalid() throws {
        let v = try validate(Self.eventsMapping, Self.badEvents, environment: ["PYZE_APP_KEY": "test-app-key-0001"])
        #expect(v.result.status == 1)
        #expect(v.report["totals"] as? [String: Int] == ["read": 5, "filtered": 0, "invalid": 3, "valid": 2])
        #expect(v.errorCounts == ["missing_required": 2, "invalid_timestamp": 1])
        #expect(try #require(v.letters[2])["kind"] as? String == "missing_required")
        #expect(v.result.stderr.contains("\(Self.badEvents):2 occurred_at=: required, but column occurred_at is empty or missing"))
        #expect(try #require(v.letters[3])["kind"] as? String == "invalid_timestamp")
        #expect(v.result.stderr.contains("\(Self.badEvents):3 occurred_at=yesterday: "))
        #expect(try #require(v.letters[4])["kind"] as? String == "missing_required")
        #expect(v.result.stderr.contains("\(Self.badEvents):4 user.id=: required"))
    }

    @Test func eventsConvertWritesOneRequestFilePerEvent() throws {
        let out = directory.appendingPathComponent("events-out")
        let result = try CLIRunner.run(["convert", "-m", Self.eventsMapping, Self.badEvents, "-o", out.path],
                                       environment: ["PYZE_APP_KEY": "test-app-key-0001"])
        #expect(result.status == 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(files == ["request-000001.json", "request-000002.json", "requests.ndjson"])
        let listed = try requests(out)
        #expect(listed.compactMap { $0["records"] as? Int } == [1, 1])
        let first = try String(contentsOf: out.appendingPathComponent("request-000001.json"), encoding: .utf8)
        #expect(first.hasPrefix(#"{"type":"event","event":"app_opened","userId":"u-1","eventTime":"2024-05-03T07:30:00+09:00","appKey":"test-app-key-0001","messageId":""#))
        let second = try String(contentsOf: out.appendingPathComponent("request-000002.json"), encoding: .utf8)
        #expect(second.contains(#""attributes":{"key":"v"}"#))
        // Converting again gives the same ids.
        let again = directory.appendingPathComponent("events-again")
        _ = try CLIRunner.run(["convert", "-m", Self.eventsMapping, Self.badEvents, "-o", again.path],
                              environment: ["PYZE_APP_KEY": "test-app-key-0001"])
        #expect(try String(contentsOf: again.appendingPathComponent("request-000001.json"), encoding: .utf8) == first)
    }

    /// Without PYZE_APP_KEY (and no appKey in the mapping) nothing is read: exit 2 up front,
    /// instead of every event failing one by one.
    @Test func withoutPYZE_APP_KEYTheRunStopsBeforeReading() throws {
        let result = try CLIRunner.run(["validate", "-m", Self.eventsMapping, "samples/pyze/events.ndjson.gz"],
                                       environment: ["PYZE_APP_KEY": nil])
        #expect(result.status == 2)
        #expect(result.stderr.contains("pyze.events: Pyze events need the app key: export PYZE_APP_KEY, or map appKey; nothing was read or sent"))
        // The same with the variable set: every event is valid.
        let ok = try validate(Self.eventsMapping, "samples/pyze/events.ndjson.gz", environment: ["PYZE_APP_KEY": "k"])
        #expect(ok.result.status == 0, "\(ok.result.stderr)")
    }

    @Test func theAppKeyNeverReachesReportsOrDeadLetters() throws {
        let report = directory.appendingPathComponent("secret-report.json")
        let dead = directory.appendingPathComponent("secret-dead.ndjson")
        let secret = "very-secret-app-key-42"
        let result = try CLIRunner.run(["validate", "-m", Self.eventsMapping, Self.badEvents, "--report", report.path,
                                        "--dead-letters", dead.path], environment: ["PYZE_APP_KEY": secret])
        #expect(result.status == 1)
        #expect(!result.stderr.contains(secret))
        #expect(try !String(contentsOf: report, encoding: .utf8).contains(secret))
        #expect(try !String(contentsOf: dead, encoding: .utf8).contains(secret))
    }
}

import Foundation
import Testing

/// What the real CLI does with Netcore input the vendor would refuse or silently drop.
@Suite struct NetcoreBadInputTests {
    static let mapping = "Tests/FerryCLITests/Fixtures/netcore_bad.yaml"
    static let input = "Tests/FerryCLITests/Fixtures/netcore_bad.csv"

    let directory: URL

    init() throws {
        directory = try makeTestDirectory("ferry-netcore-bad")
    }

    func validateBadSample() throws -> CLIValidation {
        try CLIValidation.run(Self.mapping, Self.input, in: directory)
    }

    @Test func theBadSampleIsAccountedForRowByRow() throws {
        let v = try validateBadSample()
        #expect(v.result.status == 1)
        #expect(v.result.stderr.contains("read 8, filtered 0, invalid 7, valid 1"))
        #expect(v.report["totals"] as? [String: Int] == ["read": 8, "filtered": 0, "invalid": 7, "valid": 1])
        let errors = try #require(v.report["errors"] as? [[String: Any]])
        let counts = Dictionary(uniqueKeysWithValues: errors.map { ($0["kind"] as? String ?? "", $0["count"] as? Int ?? 0) })
        #expect(counts == ["missing_one_of": 1, "not_allowed": 2, "empty_array": 3, "missing_required": 1])
        #expect(v.letters.keys.sorted() == [3, 4, 5, 6, 7, 8, 9])
        #expect(v.report["exit_code"] as? Int == 1)
    }

    @Test func neitherIdentityNorAnnonidIsMissingOneOf() throws {
        let v = try validateBadSample()
        let meta = try #require(v.letters[3])
        #expect(meta["kind"] as? String == "missing_one_of")
        #expect((meta["reason"] as? String)?.contains("at least one of identity, annonid") == true)
        let line = v.result.stderr.split(separator: "\n").first { $0.contains("\(Self.input):3") }
        #expect(line?.contains("the vendor needs at least one of identity, annonid") == true, "\(v.result.stderr)")
    }

    @Test func anActivitySourceOtherThanWebOrAppIsNotAllowed() throws {
        let v = try validateBadSample()
        let ios = try #require(v.letters[4])
        #expect(ios["kind"] as? String == "not_allowed")
        #expect(v.result.stderr.contains("\(Self.input):4 source=ios: not one of web, app\n"),
                "ios is not close to web or app: no suggestion")
        // A near miss gets a suggestion.
        let app = try #require(v.letters[5])
        #expect(app["kind"] as? String == "not_allowed")
        #expect(v.result.stderr.contains("\(Self.input):5 source=App: not one of web, app; did you mean app?"))
    }

    @Test func emptyArraysAreInvalidInsteadOfSilentlyDropped() throws {
        let v = try validateBadSample()
        // tags "|" splits into no items; extra is the JSON [] and an object holding an empty list.
        for line in [6, 7, 8] {
            let meta = try #require(v.letters[line], "line \(line) is not a dead letter")
            #expect(meta["kind"] as? String == "empty_array", "line \(line)")
        }
        #expect(v.result.stderr.contains("\(Self.input):6 tags="))
        #expect(v.result.stderr.contains("\(Self.input):7 extra=[]: holds an empty list"))
        #expect(v.result.stderr.contains("\(Self.input):8 extra={\"lists\":{\"recent\":[]}}: holds an empty list"))
    }

    /// activity_params is required: when every field of it is empty the activity is invalid
    /// rather than sent with `{}` (line 9).
    @Test func aRequiredObjectWithNothingInItIsMissing() throws {
        let v = try validateBadSample()
        let meta = try #require(v.letters[9])
        #expect(meta["kind"] as? String == "missing_required")
        #expect(v.result.stderr.contains("activity_params: required, but every field of this object is empty"))
    }

    @Test func validRowsAreSentAndAnEmptyCellIsLeftOutNotAnEmptyArray() throws {
        let out = directory.appendingPathComponent("out.ndjson")
        let result = try CLIRunner.run(["convert", "-m", Self.mapping, Self.input, "-o", out.path])
        #expect(result.status == 1)
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == [
            #"{"activity_name":"Login","asset_id":"web_1","timestamp":"2024-03-01T10:00:00+05:30","identity":"u1","activity_source":"web","activity_params":{"tags":["new","vip"],"extra":{"plan":"pro"}}}"#,
        ])
    }

    @Test func aMappingWithNeitherIdentityNorAnnonidIsRefusedWithItsLine() throws {
        let yaml = """
        # no identity, no annonid

        target: netcore.activities
        fields:
          activity_name: event
          asset_id: asset
          timestamp: { column: at, timestamp: iso8601 }
          activity_source: source
          activity_params:
            fields:
              tags: { column: tags, type: array, separator: "|" }

        """
        let path = directory.appendingPathComponent("noid.yaml")
        try Data(yaml.utf8).write(to: path)
        let check = try CLIRunner.run(["check", path.path])
        #expect(check.status == 2)
        #expect(check.stderr.contains("at least one of identity, annonid"))
        // The error points into the mapping: the line of its top level (target:) or of fields:.
        #expect(check.stderr.contains("noid.yaml:3:") || check.stderr.contains("noid.yaml:4:"), "\(check.stderr)")
        #expect(!check.stderr.contains("noid.yaml:1:"))

        // Nothing is read with such a mapping.
        let validate = try CLIRunner.run(["validate", "-m", path.path, Self.input])
        #expect(validate.status == 2)
        #expect(validate.stderr.contains("nothing was read or sent"))
    }

    /// 1001 valid activities make two requests, 1000 and 1, also when --batch-size asks for
    /// more than the vendor's "bulk (Max:1000)".
    @Test(arguments: [[], ["--batch-size", "5000"]])
    func a1001ActivityInputMakesTwoRequestsOf1000And1(extra: [String]) throws {
        var text = "event,asset,at,user_id,anon_id,source,tags,extra\n"
        for i in 0..<1001 {
            let who = i % 2 == 0 ? "u\(i)," : ",anon-\(i)"
            text += "Login,web_1,2024-03-01T10:\(String(format: "%02d", i % 60)):00+05:30,\(who),web,t\(i % 7),\n"
        }
        let input = directory.appendingPathComponent("netcore_1001.csv")
        try Data(text.utf8).write(to: input)
        let out = directory.appendingPathComponent("out")
        let result = try CLIRunner.run(["convert", "-m", Self.mapping, input.path, "-o", out.path] + extra)
        #expect(result.status == 0, "convert: \(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(files == ["request-000001.json", "request-000002.json", "requests.ndjson"])

        let listing = try String(contentsOf: out.appendingPathComponent("requests.ndjson"), encoding: .utf8)
        let requests = try listing.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(requests.compactMap { $0["records"] as? Int } == [1000, 1])
        #expect(requests.compactMap { $0["method"] as? String } == ["POST", "POST"])
        #expect(requests.compactMap { $0["path"] as? String } == ["/v1/activity/upload", "/v1/activity/upload"])
        for (index, request) in requests.enumerated() {
            let name = "request-00000\(index + 1).json"
            let body = try Data(contentsOf: out.appendingPathComponent(name))
            #expect(request["bytes"] as? Int == body.count)
            let array = try #require(try JSONSerialization.jsonObject(with: body) as? [[String: Any]], "\(name) is a JSON array")
            #expect(array.count == (index == 0 ? 1000 : 1))
        }
        let last = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("request-000002.json"))) as? [[String: Any]])
        #expect(last.first?["identity"] as? String == "u1000")
    }

    @Test func batchSizeOneSendsSingleActivities() throws {
        let out = directory.appendingPathComponent("single")
        let result = try CLIRunner.run(["convert", "-m", "mappings/netcore/activities.yaml",
                                        "samples/netcore/activities.ndjson", "-o", out.path, "--batch-size", "1"])
        #expect(result.status == 0, "convert: \(result.stderr)")
        let listing = try String(contentsOf: out.appendingPathComponent("requests.ndjson"), encoding: .utf8)
        let counts = listing.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["records"] as? Int
        }
        #expect(counts.count == 30)
        #expect(counts.allSatisfy { $0 == 1 })
        let body = try String(contentsOf: out.appendingPathComponent("request-000001.json"), encoding: .utf8)
        #expect(body.hasPrefix("[{") && body.hasSuffix("}]"), "a single activity is still a JSON array")
    }
}

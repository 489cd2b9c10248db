import Foundation
import Testing

/// Every shipped mapping with its sample: `mappings/<vendor>/<object>.yaml` reads
/// `samples/<vendor>/<object>.<csv|csv.gz|ndjson|...>`.
enum ShippedPairs {
    static func all() -> [(mapping: String, sample: String)] {
        let root = CLIRunner.repoRoot
        let fm = FileManager.default
        var pairs: [(String, String)] = []
        let vendors = (try? fm.contentsOfDirectory(atPath: root.appendingPathComponent("mappings").path)) ?? []
        for vendor in vendors.sorted() {
            let dir = root.appendingPathComponent("mappings/\(vendor)")
            let samples = (try? fm.contentsOfDirectory(atPath: root.appendingPathComponent("samples/\(vendor)").path)) ?? []
            for file in ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() where file.hasSuffix(".yaml") {
                let object = String(file.dropLast(5))
                if let sample = samples.first(where: { $0.hasPrefix(object + ".") }) {
                    pairs.append(("mappings/\(vendor)/\(file)", "samples/\(vendor)/\(sample)"))
                } else {
                    pairs.append(("mappings/\(vendor)/\(file)", "samples/\(vendor)/\(object).MISSING"))
                }
            }
        }
        return pairs
    }
}

@Suite struct ShippedMappingsTests {
    let directory: URL

    init() throws {
        directory = try makeTestDirectory("ferry-shipped")
    }

    @Test func everyTargetHasAShippedPair() {
        let pairs = ShippedPairs.all()
        #expect(pairs.count >= 4)
        for pair in pairs { #expect(!pair.sample.hasSuffix(".MISSING"), "no sample for \(pair.mapping)") }
    }

    @Test(arguments: ShippedPairs.all().map { "\($0.mapping) \($0.sample)" })
    func checkAndValidateWithNoInvalidRows(pair: String) throws {
        let parts = pair.split(separator: " ").map(String.init)
        let check = try CLIRunner.run(["check", parts[0]])
        #expect(check.status == 0, "check: \(check.stderr)")
        let report = directory.appendingPathComponent("report.json")
        // Pyze events carry the app key in the body: the shipped pair validates with one set.
        let result = try CLIRunner.run(["validate", "-m", parts[0], parts[1], "--report", report.path],
                                       environment: ["PYZE_APP_KEY": "test-app-key-0001"])
        #expect(result.status == 0, "validate: \(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let totals = try #require(json["totals"] as? [String: Int])
        #expect(totals["invalid"] == 0)
        #expect((totals["read"] ?? 0) > 0)
        #expect(totals["read"] == (totals["filtered"] ?? -1) + (totals["invalid"] ?? -1) + (totals["valid"] ?? -1))
        #expect(json["exit_code"] as? Int == 0)
    }

    /// `convert` output for every shipped pair, byte for byte, against request bodies that
    /// were checked by hand (Fixtures/expected/<vendor>.<object>/, with requests.ndjson).
    @Test(arguments: ShippedPairs.all().map { "\($0.mapping) \($0.sample)" })
    func convertMatchesHandCheckedBodies(pair: String) throws {
        let parts = pair.split(separator: " ").map(String.init)
        let components = parts[0].split(separator: "/")   // mappings/<vendor>/<object>.yaml
        let name = "\(components[1]).\(components[2].dropLast(5))"
        let out = directory.appendingPathComponent("out-\(name)")
        let result = try CLIRunner.run(["convert", "-m", parts[0], parts[1], "-o", out.path],
                                       environment: ["PYZE_APP_KEY": "test-app-key-0001"])
        #expect(result.status == 0, "convert: \(result.stderr)")
        let expectedDir = CLIRunner.repoRoot.appendingPathComponent("Tests/FerryCLITests/Fixtures/expected/\(name)")
        let expected = try FileManager.default.contentsOfDirectory(atPath: expectedDir.path).sorted()
        let produced = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(expected.contains("requests.ndjson"))
        #expect(produced == expected)
        for file in expected {
            let want = try Data(contentsOf: expectedDir.appendingPathComponent(file))
            let got = try Data(contentsOf: out.appendingPathComponent(file))
            #expect(got == want, "\(name)/\(file) differs")
        }
    }
}

@Suite struct BadSampleTests {
    @Test func validateReportsTheExactErrors() throws {
        let dir = try makeTestDirectory("ferry-bad")
        let report = dir.appendingPathComponent("report.json")
        let dead = dir.appendingPathComponent("dead.ndjson")
        let input = "Tests/FerryCLITests/Fixtures/user_events_bad.csv"
        let result = try CLIRunner.run(["validate", "-m", "mappings/toplyne/user_events.yaml", input,
                                        "--report", report.path, "--dead-letters", dead.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("read 9, filtered 1, invalid 5, valid 3"))
        #expect(result.stderr.contains("\(input):4 occurred_at=31/01/2024 09:30: "))
        #expect(result.stderr.contains("\(input):5 event=: required, but column event is empty or missing"))
        #expect(result.stderr.contains("\(input):6 seats=five: not an integer"))
        #expect(result.stderr.contains("\(input):7: expected 8 fields, found 9"))
        #expect(result.stderr.contains("\(input):8 occurred_at=2024-02-30T09:30:00Z: "))

        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        #expect(json["totals"] as? [String: Int] == ["read": 9, "filtered": 1, "invalid": 5, "valid": 3])
        let errors = try #require(json["errors"] as? [[String: Any]])
        let counts = Dictionary(uniqueKeysWithValues: errors.map { ($0["kind"] as? String ?? "", $0["count"] as? Int ?? 0) })
        #expect(counts == ["invalid_timestamp": 2, "missing_required": 1, "invalid_type": 1, "field_count": 1])

        // Every invalid row is in the dead letters, with its line and original fields, and the
        // dead letters read back as NDJSON input.
        let lines = try String(contentsOf: dead, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5)
        let letters = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let meta = letters.compactMap { $0["_ferry"] as? [String: Any] }
        #expect(meta.compactMap { $0["line"] as? Int } == [4, 5, 6, 7, 8])
        #expect(meta.compactMap { $0["stage"] as? String } == ["map", "map", "map", "read", "map"])
        #expect(letters[0]["user_id"] as? String == "u3")
        #expect(letters[0]["occurred_at"] as? String == "31/01/2024 09:30")
        #expect(meta[3]["raw"] as? String == "u6,login,2024-01-31T09:30:00Z,pro,5,us,too,many,fields")
        let reread = try CLIRunner.run(["inspect", dead.path, "--json"])
        #expect(reread.status == 0)
    }
}

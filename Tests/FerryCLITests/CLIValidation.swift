import Foundation
import FerryTestSupport
import Testing

/// A `ferry validate` run with its report and dead letters read back.
struct CLIValidation {
    var result: CLIRunner.Result
    var report: [String: Any]
    /// Each dead letter's `_ferry` metadata, by source line.
    var letters: [Int: [String: Any]]
    /// Report error counts by kind.
    var errorCounts: [String: Int]

    static func run(_ mapping: String, _ input: String, in directory: URL,
                    environment: [String: String?] = [:]) throws -> CLIValidation {
        let report = directory.appendingPathComponent("report-\(UUID().uuidString).json")
        let dead = directory.appendingPathComponent("dead-\(UUID().uuidString).ndjson")
        let result = try CLIRunner.run(["validate", "-m", mapping, input, "--report", report.path, "--dead-letters", dead.path],
                                       environment: environment)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        var letters: [Int: [String: Any]] = [:]
        for line in try String(contentsOf: dead, encoding: .utf8).split(separator: "\n") {
            let letter = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let meta = try #require(letter["_ferry"] as? [String: Any])
            letters[try #require(meta["line"] as? Int)] = meta
        }
        let errors = json["errors"] as? [[String: Any]] ?? []
        let counts = Dictionary(uniqueKeysWithValues: errors.map { ($0["kind"] as? String ?? "", $0["count"] as? Int ?? 0) })
        return CLIValidation(result: result, report: json, letters: letters, errorCounts: counts)
    }
}

/// A fresh temporary directory per test suite instance, removed when the tests end.
func makeTestDirectory(_ prefix: String) throws -> URL {
    try TemporaryDirectories.make(prefix)
}

import Foundation
import Testing
import FerryCore

@Suite struct InspectCommandTests {
    let directory: URL

    init() throws {
        directory = try makeTestDirectory("ferry-cli")
    }

    func write(_ text: String, _ name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func json(_ result: CLIRunner.Result) throws -> [[String: Any]] {
        let value = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(value as? [[String: Any]])
    }

    @Test func shippedSampleInspectsCleanly() throws {
        let result = try CLIRunner.run(["inspect", "samples/toplyne/user_events.csv.gz", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try #require(try json(result).first)
        #expect(report["compression"] as? String == "gzip")
        #expect(report["inflater"] as? String == Inflater.preferred.rawValue)
        #expect(report["format"] as? String == "csv")
        #expect(report["records"] as? Int == 200)
        #expect(report["row_errors"] as? Int == 0)
        let columns = try #require(report["columns"] as? [[String: Any]])
        let types = Dictionary(uniqueKeysWithValues: columns.map { ($0["name"] as? String ?? "", $0["type"] as? String ?? "") })
        #expect(types["occurred_at"] == "iso8601_timestamp")
        #expect(types["seats"] == "integer")
        #expect(types["event"] == "text")
    }

    @Test func gzipFromStandardInput() throws {
        let csv = "id;when;ok\n1;1700000000;true\n2;1700000100;false\n"
        let gz = try Data(contentsOf: URL(fileURLWithPath: try write(csv, "x.csv")))
        let zipped = try CLIRunner.runGzip(gz)
        let result = try CLIRunner.run(["inspect", "-", "--json"], stdin: zipped)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try #require(try json(result).first)
        #expect(report["file"] as? String == "<stdin>")
        #expect(report["compression"] as? String == "gzip")
        #expect(report["delimiter"] as? String == ";")
        #expect(report["records"] as? Int == 2)
        let columns = try #require(report["columns"] as? [[String: Any]])
        #expect(columns.map { $0["type"] as? String } == ["integer", "epoch_seconds", "boolean"])
    }

    @Test func rowErrorsExitOneWithLineNumbers() throws {
        let path = try write("a,b\n1,\"x\ny\"\n2\n3,4\n", "bad.csv")
        let result = try CLIRunner.run(["inspect", path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("records      2, row errors 1 (field_count 1)"))
        #expect(result.stdout.contains("\(path):4: record 2: expected 2 fields, found 1"))
    }

    @Test func damagedGzipExitsThreeAndCountsWhatWasRead() throws {
        var text = "id,v\n"
        for i in 1...40_000 { text += "\(i),value-\(i * 7919 % 10007)\n" }
        let zipped = try CLIRunner.runGzip(Data(text.utf8))
        let cut = directory.appendingPathComponent("cut.csv.gz")
        try zipped.prefix(zipped.count / 2).write(to: cut)
        let result = try CLIRunner.run(["inspect", cut.path, "--json"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("gzip data ends unexpectedly"))
        #expect(result.stderr.contains("(at byte \(zipped.count / 2))"))
        let report = try #require(try json(result).first)
        let records = try #require(report["records"] as? Int)
        #expect(records > 1000 && records < 40_000)
        let failure = try #require(report["failure"] as? [String: Any])
        #expect(failure["kind"] as? String == "gzip_truncated")
    }

    @Test func missingInputAndUsageErrors() throws {
        let missing = try CLIRunner.run(["inspect", "/nonexistent/file.csv"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("/nonexistent/file.csv: no such file or directory"))
        let usage = try CLIRunner.run(["inspect", "--format", "xml", "samples/toplyne/user_events.csv.gz"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("--format must be csv, tsv or ndjson"))
    }

    @Test func ndjsonNestedPaths() throws {
        let result = try CLIRunner.run(["inspect", "samples/toplyne/user_profiles.ndjson", "--json", "--head", "1"])
        #expect(result.status == 0)
        let report = try #require(try json(result).first)
        let names = (report["columns"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(names.contains("address.city"))
        #expect(names.contains("name.first"))
        #expect((report["head"] as? [Any])?.count == 1)
    }
}

extension CLIRunner {
    static func runGzip(_ data: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        Thread {
            input.fileHandleForWriting.write(data)
            try? input.fileHandleForWriting.close()
        }.start()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return result
    }
}

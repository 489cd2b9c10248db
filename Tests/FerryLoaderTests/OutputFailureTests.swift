import Foundation
import Testing
import FerryCore
import FerryMapping
import FerryVendors
@testable import FerryLoader

/// Outputs that cannot be written (/dev/full answers every write with ENOSPC) stop the run
/// with exit code 3 and say why; no row is left unaccounted for.
@Suite(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
final class OutputFailureTests {
    let directory: URL

    init() throws {
        directory = try makeTemporaryDirectory("ferry-outfail")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func write(_ name: String, _ text: String) throws -> String {
        let p = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    func run(_ inputs: [String], sink: BatchSink, deadLetters: DeadLetterWriter? = nil,
             options: PipelineOptions = PipelineOptions()) throws -> RunReport {
        let mappingPath = try write("mapping.yaml", userEventsMapping)
        let mapping = try MappingLoader.load(path: mappingPath, environment: [:])
        return ConversionPipeline(command: "convert", target: mapping.target, mapping: mapping.compiled,
                                  mappingPath: mapping.path, inputs: inputs.map(InputFile.init(path:)),
                                  sink: sink, deadLetters: deadLetters, options: options).run()
    }

    /// `rows` valid rows of about 120 bytes of record JSON each.
    func bigCSV(rows: Int) -> String {
        var text = "user_id,event,occurred_at,plan\n"
        let padding = String(repeating: "p", count: 60)
        for i in 0..<rows { text += "user-\(i),event-\(i % 7),2024-01-01T00:00:00Z,\(padding)\n" }
        return text
    }

    /// A name in the temporary directory that leads to /dev/full (so that `.gz` selects gzip).
    func full(_ name: String) throws -> String {
        let p = directory.appendingPathComponent(name).path
        try FileManager.default.createSymbolicLink(atPath: p, withDestinationPath: "/dev/full")
        return p
    }

    @Test(arguments: ["out.ndjson", "out.ndjson.gz"])
    func smallOutputFailsOnClose(_ name: String) throws {
        let out = try full(name)
        let input = try write("five.csv", fiveValidCSV)
        let report = try run([input], sink: try RecordLinesSink(path: out))
        #expect(report.exitCode == 3)
        #expect(report.failures.count == 1)
        #expect(report.failures.first?.contains(name) == true, "\(report.failures)")
        #expect(report.totals.balances)
        #expect(report.summary().contains("STOPPED"))
    }

    @Test(arguments: ["out.ndjson", "out.ndjson.gz"])
    func largeOutputFailsDuringTheRun(_ name: String) throws {
        let out = try full(name)
        let input = try write("big.csv", bigCSV(rows: 60_000))
        let report = try run([input], sink: try RecordLinesSink(path: out), options: PipelineOptions(batchSize: 100))
        #expect(report.exitCode == 3)
        #expect(!report.failures.isEmpty)
        #expect(report.failures.allSatisfy { $0.contains(name) }, "\(report.failures)")
        #expect(report.totals.balances)
        #expect(report.summary().contains("STOPPED"))
        if !name.hasSuffix(".gz") {
            // Megabytes of output fail long before the end: the run stops reading.
            #expect(report.totals.read < 60_000, "read \(report.totals.read) rows after the output failed")
        }
    }

    @Test(arguments: ["dead.ndjson", "dead.ndjson.gz"])
    func deadLettersThatCannotBeWrittenStopTheRun(_ name: String) throws {
        let input = try write("a.csv", mixedCSV)
        let writer = try DeadLetterWriter(path: try full(name))
        let report = try run([input], sink: CollectingSink(), deadLetters: writer)
        #expect(report.exitCode == 3)
        #expect(report.failures.contains { $0.contains(name) }, "\(report.failures)")
        #expect(report.totals.balances)
    }

    @Test func directorySinkInAnUnwritablePlaceFailsUpFront() {
        #expect(throws: OutputError.self) {
            _ = try DirectorySink(directory: "/dev/full/requests", target: Toplyne.userEvents)
        }
    }
}

import Foundation
import Testing
import FerryCore
import FerryMapping
import FerryVendors
@testable import FerryLoader

/// Keeps every batch it is given.
final class CollectingSink: BatchSink {
    var batches: [Batch] = []
    var finishCount = 0
    /// Set to be handed each record's rows, as load's sink is.
    var keepsRows = false
    /// What `keep` was handed: a record's serial and its rows' lines.
    var kept: [(serial: Int, lines: [Int])] = []
    /// Asked by the mapping threads before each block (load's senders running short).
    var batchesWanted: (@Sendable () -> Bool)?

    func keep(_ rows: [HeldRow], for serial: Int) { kept.append((serial, rows.map(\.line))) }

    func consume(_ batch: Batch) throws(OutputError) { batches.append(batch) }
    func finish() throws(OutputError) { finishCount += 1 }

    var records: [RecordRef] { batches.flatMap(\.records) }

    /// Each record's JSON, parsed, in body order.
    func recordObjects() throws -> [JSONValue] {
        try batches.flatMap { batch in
            try batch.recordRanges.map { try JSONParser.parse(Array(batch.body[$0])) }
        }
    }
}

/// A mapping for toplyne.user_events over `user_id,event,occurred_at,plan` CSV files.
let userEventsMapping = """
target: toplyne.user_events
source:
  format: csv
where:
  - { column: user_id, not_empty: true }
fields:
  userId: user_id
  eventName: event
  timestamp: { column: occurred_at, timestamp: iso8601 }
  eventProperties:
    fields:
      plan: plan

"""

/// 6 rows: 2 valid, 1 filtered, 2 invalid when mapped, 1 that cannot be read.
let mixedCSV = """
user_id,event,occurred_at,plan
u1,login,2024-01-01T00:00:00Z,pro
,login,2024-01-01T00:00:00Z,free
u2,login,yesterday,pro
u3,,2024-01-01T00:00:01Z,pro
u4,login,2024-01-01T00:00:02Z,pro,extra
u5,logout,2024-01-02T00:00:00Z,free

"""

/// 3 rows: 2 valid, 1 filtered.
let secondCSV = """
user_id,event,occurred_at,plan
u6,view,2024-03-01T12:00:00Z,team
u7,view,2024-03-01T12:00:01Z,team
,view,2024-03-01T12:00:02Z,team

"""

/// 5 valid rows.
let fiveValidCSV = """
user_id,event,occurred_at,plan
a1,e,2024-01-01T00:00:01Z,p
a2,e,2024-01-01T00:00:02Z,p
a3,e,2024-01-01T00:00:03Z,p
a4,e,2024-01-01T00:00:04Z,p
a5,e,2024-01-01T00:00:05Z,p

"""

@Suite final class PipelineTests {
    let directory: URL

    init() throws {
        directory = try makeTemporaryDirectory("ferry-pipeline")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let p = path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    func load(_ yaml: String = userEventsMapping) throws -> LoadedMapping {
        let p = try write("mapping-\(UUID().uuidString).yaml", yaml)
        return try MappingLoader.load(path: p, environment: [:])
    }

    func run(_ inputs: [String], sink: BatchSink, deadLetters: DeadLetterWriter? = nil,
             options: PipelineOptions = PipelineOptions(), command: String = "convert") throws -> RunReport {
        let mapping = try load()
        let pipeline = ConversionPipeline(command: command, target: mapping.target, mapping: mapping.compiled,
                                          mappingPath: mapping.path, inputs: inputs.map(InputFile.init(path:)),
                                          sink: sink, deadLetters: deadLetters, options: options)
        return pipeline.run()
    }

    func lines(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    func object(_ value: JSONValue?) throws -> JSONObject {
        guard case .object(let o)? = value else { throw Failure("not an object: \(String(describing: value))") }
        return o
    }

    func array(_ value: JSONValue?) throws -> [JSONValue] {
        guard case .array(let a)? = value else { throw Failure("not an array: \(String(describing: value))") }
        return a
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: Accounting

    /// read, filtered, invalid, valid
    static func rffiv(_ c: RunCounts) -> [Int] { [c.read, c.filtered, c.invalid, c.valid] }

    @Test func everyRowIsAccountedForPerFileAndInTotal() throws {
        let a = try write("a.csv", mixedCSV)
        let b = try write("b.csv", secondCSV)
        let sink = CollectingSink()
        let report = try run([a, b], sink: sink)

        try #require(report.files.count == 2)
        let fa = report.files[0].counts, fb = report.files[1].counts
        #expect(report.files[0].file == a)
        #expect(report.files[1].file == b)
        #expect(Self.rffiv(fa) == [6, 1, 3, 2])
        #expect(Self.rffiv(fb) == [3, 1, 0, 2])
        #expect(fa.balances && fb.balances)
        let t = report.totals
        #expect(Self.rffiv(t) == [9, 2, 3, 4])
        #expect(t.balances)
        #expect(report.files.allSatisfy { $0.failure == nil })
        #expect(report.files[0].format == "csv")

        #expect(report.errorCounts == ["invalid_timestamp": 1, "missing_required": 1, "field_count": 1])
        #expect(report.errorExamples["invalid_timestamp"]?.first?.line == 4)
        #expect(report.errorExamples["invalid_timestamp"]?.first?.value == "yesterday")
        #expect(report.errorExamples["missing_required"]?.first?.line == 5)
        #expect(report.errorExamples["field_count"]?.first?.line == 6)
        #expect(report.exitCode == 1, "invalid rows make exit code 1")
        #expect(!report.limitReached)

        // The valid records reached the sink, in input order, with their origin.
        #expect(sink.finishCount == 1)
        #expect(sink.batches.count == 1)
        #expect(report.batches == 1)
        #expect(report.bodyBytes == Int64(sink.batches.reduce(0) { $0 + $1.body.count }))
        #expect(sink.records == [
            RecordRef(fileIndex: 0, line: 2, recordNumber: 1, serial: 0),
            RecordRef(fileIndex: 0, line: 7, recordNumber: 6, serial: 1),
            RecordRef(fileIndex: 1, line: 2, recordNumber: 1, serial: 2),
            RecordRef(fileIndex: 1, line: 3, recordNumber: 2, serial: 3),
        ])
        let records = try sink.recordObjects()
        #expect(records.map { $0.value(atPath: "userId") } == ["u1", "u5", "u6", "u7"].map(JSONValue.string))
        let expectedFirst = try JSONParser.parse(#"{"userId":"u1","eventName":"login","timestamp":1704067200,"eventProperties":{"plan":"pro"}}"#)
        #expect(records.first == expectedFirst)
        let body = try JSONParser.parse(try #require(sink.batches.first).body)
        #expect(try array(body.value(atPath: "events")).count == 4)
    }

    @Test func allValidRowsExitZero() throws {
        let input = try write("five.csv", fiveValidCSV)
        let report = try run([input], sink: CollectingSink())
        #expect(report.exitCode == 0)
        #expect(report.totals.valid == 5)
        #expect(report.errorCounts.isEmpty)
    }

    // MARK: --limit

    @Test func limitStopsAfterNRows() throws {
        let a = try write("a.csv", mixedCSV)
        let b = try write("b.csv", secondCSV)
        let sink = CollectingSink()
        let report = try run([a, b], sink: sink, options: PipelineOptions(limit: 4))
        #expect(report.limitReached)
        #expect(report.totals.read == 4)
        #expect(report.totals.balances)
        #expect(report.files.map(\.counts.read).reduce(0, +) == 4)
        #expect(report.files.first?.counts.read == 4)
        // Rows 1-4 of a.csv: u1 valid, one filtered, two invalid.
        #expect(sink.records.map(\.line) == [2])
    }

    @Test func limitSpansFiles() throws {
        let a = try write("a.csv", mixedCSV)
        let b = try write("b.csv", secondCSV)
        let sink = CollectingSink()
        let report = try run([a, b], sink: sink, options: PipelineOptions(limit: 7))
        #expect(report.limitReached)
        #expect(report.totals.read == 7)
        #expect(report.files.map(\.counts.read) == [6, 1])
        #expect(sink.records.count == 3, "u1, u5 and u6")
    }

    @Test func limitAtTheExactInputSizeIsNotReached() throws {
        let input = try write("five.csv", fiveValidCSV)
        let report = try run([input], sink: CollectingSink(), options: PipelineOptions(limit: 5))
        #expect(report.totals.read == 5)
        #expect(!report.limitReached)
    }

    // MARK: Failing inputs

    @Test func missingFileIsFatalButOtherFilesAreStillRead() throws {
        let missing = path("missing.csv")
        let b = try write("b.csv", secondCSV)
        let sink = CollectingSink()
        let report = try run([missing, b], sink: sink)
        #expect(report.exitCode == 3)
        try #require(report.files.count == 2)
        #expect(report.files[0].file == missing)
        #expect(report.files[0].failure != nil)
        #expect(report.files[0].failureKind == "not_found")
        #expect(report.files[0].counts.read == 0)
        #expect(report.files[1].failure == nil)
        #expect(report.files[1].counts.read == 3)
        #expect(report.files[1].counts.valid == 2)
        #expect(report.totals.balances)
        #expect(sink.finishCount == 1)
    }

    /// The rows of the good file are counted valid; they must also be handed to the sink
    /// (otherwise `convert` writes fewer records than the report says were valid).
    @Test func validRowsAfterAMissingFileStillReachTheSink() throws {
        let b = try write("b.csv", secondCSV)
        let sink = CollectingSink()
        let report = try run([path("missing.csv"), b], sink: sink)
        #expect(report.totals.valid == 2)
        #expect(sink.records.count == report.totals.valid,
                "report says \(report.totals.valid) valid, the sink got \(sink.records.count)")
        #expect(report.batches == sink.batches.count)
    }

    @Test func validRowsBeforeAMissingFileStillReachTheSink() throws {
        let b = try write("b.csv", secondCSV)
        let sink = CollectingSink()
        let report = try run([b, path("missing.csv")], sink: sink)
        #expect(report.exitCode == 3)
        #expect(sink.records.count == report.totals.valid,
                "report says \(report.totals.valid) valid, the sink got \(sink.records.count)")
    }

    @Test func missingColumnIsAMappingMismatch() throws {
        let noPlan = try write("noplan.csv", "user_id,event,occurred_at\nu1,login,2024-01-01T00:00:00Z\n")
        let b = try write("b.csv", secondCSV)
        let sink = CollectingSink()
        let report = try run([noPlan, b], sink: sink)
        #expect(report.exitCode == 2)
        try #require(report.files.count == 2)
        #expect(report.files[0].failureKind == "mapping_mismatch")
        #expect(report.files[0].failure?.contains("'plan'") == true)
        #expect(report.files[0].counts.read == 0)
        #expect(report.files[1].counts.valid == 2)
        #expect(sink.records.count == 2)
    }

    @Test func recordTooLargeForOneRequestIsInvalid() throws {
        let huge = String(repeating: "x", count: Toplyne.maxBodyBytes)
        let input = try write("huge.csv", "user_id,event,occurred_at,plan\nu1,\(huge),2024-01-01T00:00:00Z,p\nu2,ok,2024-01-01T00:00:00Z,p\n")
        let sink = CollectingSink()
        let report = try run([input], sink: sink)
        #expect(report.errorCounts["record_too_large"] == 1)
        // The limit named is the byte cap less the envelope {"events":[ ... ]} (13 bytes).
        #expect(report.errorExamples["record_too_large"]?.first?.message.hasSuffix("one request may hold at most \(Toplyne.maxBodyBytes - 13)") == true)
        #expect(report.totals.invalid == 1)
        #expect(report.totals.valid == 1)
        #expect(report.totals.balances)
        #expect(sink.records.map(\.line) == [3])
        #expect(report.exitCode == 1)
    }

    // MARK: Batches

    @Test func batchSizeTwoOverFiveRows() throws {
        let input = try write("five.csv", fiveValidCSV)
        let sink = CollectingSink()
        let report = try run([input], sink: sink, options: PipelineOptions(batchSize: 2))
        #expect(sink.batches.map(\.records.count) == [2, 2, 1])
        #expect(sink.batches.map(\.index) == [0, 1, 2])
        #expect(report.batches == 3)
        #expect(sink.records.map(\.recordNumber) == [1, 2, 3, 4, 5])
        for batch in sink.batches {
            let body = try JSONParser.parse(batch.body)
            #expect(try array(body.value(atPath: "events")).count == batch.records.count)
        }
        // The same inputs and options form the same bodies.
        let again = CollectingSink()
        _ = try run([input], sink: again, options: PipelineOptions(batchSize: 2))
        #expect(again.batches.map(\.body) == sink.batches.map(\.body))
    }

    // MARK: Dead letters

    @Test func deadLettersAreJSONWithMetadataAndOriginalFields() throws {
        let a = try write("a.csv", mixedCSV)
        let dlPath = path("dead.ndjson")
        let writer = try DeadLetterWriter(path: dlPath)
        let report = try run([a], sink: CollectingSink(), deadLetters: writer)
        #expect(writer.count == 3)
        let rows = try lines(dlPath).map { try object(try JSONParser.parse($0)) }
        try #require(rows.count == report.totals.invalid)
        let meta = try rows.map { try object($0["_ferry"]) }
        #expect(rows.allSatisfy { $0.keys.first == "_ferry" })
        #expect(meta.map { $0["line"] } == [.int(4), .int(5), .int(6)])
        #expect(meta.map { $0["record"] } == [.int(3), .int(4), .int(5)])
        #expect(meta.map { $0["file"] } == Array(repeating: .string(a), count: 3))
        #expect(meta.map { $0["stage"] } == [.string("map"), .string("map"), .string("read")])
        #expect(meta.map { $0["kind"] } == [.string("invalid_timestamp"), .string("missing_required"), .string("field_count")])
        #expect(meta.allSatisfy { if case .string(let r)? = $0["reason"] { return !r.isEmpty } else { return false } })

        // A mapping rejection keeps the row's original fields, as strings.
        #expect(rows[0]["user_id"] == .string("u2"))
        #expect(rows[0]["event"] == .string("login"))
        #expect(rows[0]["occurred_at"] == .string("yesterday"))
        #expect(rows[0]["plan"] == .string("pro"))
        let errors = try array(meta[0]["errors"])
        let first = try object(errors.first)
        #expect(first["kind"] == .string("invalid_timestamp"))
        #expect(first["field"] == .string("timestamp"))
        #expect(first["column"] == .string("occurred_at"))
        #expect(first["value"] == .string("yesterday"))
        #expect(rows[1]["user_id"] == .string("u3"))

        // A read error keeps the raw text.
        guard case .string(let raw)? = meta[2]["raw"] else {
            Issue.record("no raw text for the read error")
            return
        }
        #expect(raw.hasPrefix("u4,login,2024-01-01T00:00:02Z,pro,extra"))
    }

    @Test func gzippedDeadLetters() throws {
        let a = try write("a.csv", mixedCSV)
        let dlPath = path("dead.ndjson.gz")
        let writer = try DeadLetterWriter(path: dlPath)
        _ = try run([a], sink: CollectingSink(), deadLetters: writer)
        let text = try gunzip(dlPath)
        let rows = text.split(separator: "\n")
        #expect(rows.count == 3)
        for row in rows { #expect((try? JSONParser.parse(String(row))) != nil, "not JSON: \(row)") }
    }

    // MARK: Sinks

    func gunzip(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", path]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "gzip -dc failed: \(String(decoding: errData, as: UTF8.self))")
        return String(decoding: data, as: UTF8.self)
    }

    @Test func recordLinesSinkWritesGzippedNDJSON() throws {
        let input = try write("five.csv", fiveValidCSV)
        let out = path("records.ndjson.gz")
        let sink = try RecordLinesSink(path: out)
        let report = try run([input], sink: sink, options: PipelineOptions(batchSize: 2))
        #expect(report.exitCode == 0)
        let raw = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(Array(raw.prefix(2)) == [0x1F, 0x8B], "the file is gzip")
        let text = try gunzip(out)
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 5)
        let ids = try lines.map { line -> JSONValue? in try JSONParser.parse(String(line)).value(atPath: "userId") }
        #expect(ids == ["a1", "a2", "a3", "a4", "a5"].map(JSONValue.string))
        #expect(lines.first == #"{"userId":"a1","eventName":"e","timestamp":1704067201,"eventProperties":{"plan":"p"}}"#)
    }

    @Test func recordLinesSinkWritesPlainNDJSON() throws {
        let input = try write("five.csv", fiveValidCSV)
        let out = path("records.ndjson")
        _ = try run([input], sink: try RecordLinesSink(path: out), options: PipelineOptions(batchSize: 3))
        let lines = try lines(out)
        #expect(lines.count == 5)
        #expect(lines.allSatisfy { $0.hasPrefix("{\"userId\":\"a") && $0.hasSuffix("}") })
    }

    @Test func directorySinkWritesRequestFilesAndIndex() throws {
        let input = try write("five.csv", fiveValidCSV)
        let outDir = path("requests")
        let report = try run([input], sink: try DirectorySink(directory: outDir, target: Toplyne.userEvents),
                             options: PipelineOptions(batchSize: 2))
        #expect(report.exitCode == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: outDir).sorted()
        #expect(names == ["request-000001.json", "request-000002.json", "request-000003.json", "requests.ndjson"])

        // The files are byte for byte the bodies the pipeline forms.
        let reference = CollectingSink()
        _ = try run([input], sink: reference, options: PipelineOptions(batchSize: 2))
        for (i, batch) in reference.batches.enumerated() {
            let file = try Data(contentsOf: URL(fileURLWithPath: "\(outDir)/request-00000\(i + 1).json"))
            #expect(Array(file) == batch.body)
        }

        let index = try lines("\(outDir)/requests.ndjson").map { try object(try JSONParser.parse($0)) }
        try #require(index.count == 3)
        for (i, entry) in index.enumerated() {
            #expect(entry["request"] == .int(Int64(i + 1)))
            #expect(entry["method"] == .string("POST"))
            #expect(entry["path"] == .string("/v1/upload/users/events"))
            #expect(entry["records"] == .int(i < 2 ? 2 : 1))
            #expect(entry["bytes"] == .int(Int64(reference.batches[i].body.count)))
            #expect(entry["file"] == .string("request-00000\(i + 1).json"))
        }
    }

    @Test func directorySinkRefusesADirectoryWithRequestFiles() throws {
        let outDir = path("requests")
        let first = try DirectorySink(directory: outDir, target: Toplyne.userEvents)
        try first.finish()
        #expect(throws: OutputError.self) { _ = try DirectorySink(directory: outDir, target: Toplyne.userEvents) }

        // A leftover request file alone is enough to refuse.
        let other = path("other")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try write("other/request-000007.json", "{}")
        #expect(throws: OutputError.self) { _ = try DirectorySink(directory: other, target: Toplyne.userEvents) }

        // Unrelated files are fine.
        let unrelated = path("unrelated")
        try FileManager.default.createDirectory(atPath: unrelated, withIntermediateDirectories: true)
        try write("unrelated/notes.txt", "hello")
        let sink = try DirectorySink(directory: unrelated, target: Toplyne.userEvents)
        try sink.finish()
    }

    // MARK: The report as JSON

    @Test func reportJSON() throws {
        let a = try write("a.csv", mixedCSV)
        let b = try write("b.csv", secondCSV)
        let report = try run([a, b], sink: CollectingSink())
        // Through text and back, as --report writes it.
        let text: String = JSONWriter.serialize(report.json(sending: false))
        let json = try object(try JSONParser.parse(text))

        #expect(json["command"] == .string("convert"))
        #expect(json["target"] == .string("toplyne.user_events"))
        let totals = try object(json["totals"])
        #expect(totals.keys == ["read", "filtered", "invalid", "valid"])
        #expect(totals["read"] == .int(9))
        #expect(totals["filtered"] == .int(2))
        #expect(totals["invalid"] == .int(3))
        #expect(totals["valid"] == .int(4))

        let files = try array(json["files"]).map { try object($0) }
        try #require(files.count == 2)
        #expect(files[0]["file"] == .string(a))
        #expect(files[0]["format"] == .string("csv"))
        let counts0 = try object(files[0]["counts"])
        #expect(counts0["read"] == .int(6))
        #expect(counts0["valid"] == .int(2))
        #expect(files[0]["failure"] == nil)

        let errors = try array(json["errors"]).map { try object($0) }
        #expect(Set(errors.compactMap { if case .string(let k)? = $0["kind"] { return k } else { return nil } })
                == ["invalid_timestamp", "missing_required", "field_count"])
        #expect(errors.allSatisfy { $0["count"] == .int(1) })
        let timestampError = try #require(errors.first { $0["kind"] == .string("invalid_timestamp") })
        let example = try object(try array(timestampError["examples"]).first)
        #expect(example["file"] == .string(a))
        #expect(example["line"] == .int(4))
        #expect(example["column"] == .string("occurred_at"))
        #expect(example["value"] == .string("yesterday"))
        #expect(example["message"] != nil)

        #expect(json["batches"] == .int(1))
        #expect(json["exit_code"] == .int(1))
        #expect(json["limit_reached"] == nil)

        // Sending adds the delivery counts.
        let sending = try object(report.json(sending: true))
        #expect(try object(sending["totals"]).keys == ["read", "filtered", "invalid", "valid", "delivered", "rejected", "pending"])
    }

    @Test func reportJSONForAFailedFileAndLimit() throws {
        let b = try write("b.csv", secondCSV)
        let report = try run([path("missing.csv"), b], sink: CollectingSink(), options: PipelineOptions(limit: 1))
        let json = try object(report.json(sending: false))
        let files = try array(json["files"]).map { try object($0) }
        let failure = try object(files.first?["failure"])
        #expect(failure["kind"] == .string("not_found"))
        guard case .string(let message)? = failure["message"] else {
            Issue.record("no failure message")
            return
        }
        #expect(message.contains("No such file") || message.contains("no such file"))
        #expect(files.first?["file"] == .string(path("missing.csv")))
        #expect(json["limit_reached"] == .bool(true))
        #expect(json["exit_code"] == .int(3))
    }
}

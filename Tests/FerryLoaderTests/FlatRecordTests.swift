import Foundation
import Testing
import FerryCore
import FerryMapping
import FerryVendors
@testable import FerryLoader

/// Flat records (every member a scalar written by the flat program) skip the parse-adjust-
/// rewrite round trip when the target's adjuster leaves them unchanged (Pyze profiles of at
/// most 50 fields without user_alias or date_of_birth), and still count their fields against
/// the 50 fields a Pyze request may hold; a record holding an object still meets the adjuster.
/// An adjusted record sent alone (a Pyze event) is batched straight from the writer.
@Suite final class FlatRecordTests {
    let directory: URL

    init() throws {
        directory = try makeTemporaryDirectory("ferry-flat")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// userId plus 16 attributes: 17 fields when all are present.
    static let mapping = """
    target: pyze.user_profiles
    source:
      format: ndjson
    fields:
      userId: id
      last_name: name.last
      seats: { column: seats, type: int }
      active: { column: active, type: bool }
      score: { column: score, type: float }
      date_of_last_use: { column: seen_ms, timestamp: epoch_ms }
    \((1...11).map { "  a\($0): a\($0)" }.joined(separator: "\n"))

    """

    static func line(_ id: String, omit: Set<String> = [], extra: String = "") -> String {
        var members = ["\"id\":\"\(id)\"", "\"name\":{\"last\":\"Rao\"}", "\"seats\":3", "\"active\":true",
                       "\"score\":94.25", "\"seen_ms\":1738594430196"]
        members += (1...11).filter { !omit.contains("a\($0)") }.map { "\"a\($0)\":\"v\($0)\"" }
        return "{" + members.joined(separator: ",") + extra + "}"
    }

    func run(_ ndjson: String) throws -> (RunReport, CollectingSink) {
        let mappingPath = directory.appendingPathComponent("m.yaml").path
        try Data(Self.mapping.utf8).write(to: URL(fileURLWithPath: mappingPath))
        let input = directory.appendingPathComponent("in.ndjson").path
        try Data(ndjson.utf8).write(to: URL(fileURLWithPath: input))
        let mapping = try MappingLoader.load(path: mappingPath, environment: [:])
        let sink = CollectingSink()
        let pipeline = ConversionPipeline(command: "convert", target: mapping.target, mapping: mapping.compiled,
                                          mappingPath: mappingPath, inputs: [InputFile(path: input)],
                                          sink: sink, deadLetters: nil, options: PipelineOptions())
        return (pipeline.run(), sink)
    }

    @Test func flatProfilesAreSentAsMappedAndCountTheirFields() throws {
        let rows = [Self.line("u1"), Self.line("u2"), Self.line("u3", omit: ["a1", "a2"]), Self.line("u4")]
        let (report, sink) = try run(rows.joined(separator: "\n") + "\n")
        #expect(report.totals.valid == 4)
        // 17 + 17 + 15 = 49 fields fit one request; the fourth profile's 17 would make 66.
        #expect(sink.batches.map(\.records.count) == [3, 1])
        let first = try #require(sink.batches.first)
        let text = String(decoding: first.body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"user_profiles":[{"userId":"u1","last_name":"Rao","seats":3,"active":true,"score":94.25,"date_of_last_use":"2025-02-03T14:53:50.196Z","a1":"v1""#))
        let profiles = try sink.recordObjects()
        guard case .object(let third) = profiles[2] else { throw CancellationError() }
        #expect(third.count == 15)
        #expect(third["a1"] == nil)
    }

    @Test func aProfileHoldingAnObjectStillMeetsTheAdjuster() throws {
        // a1 holds an object: not flat, so the adjuster checks it (an object must be an operation).
        let bad = Self.line("u2", omit: ["a1"], extra: #","a1":{"nested":1}"#)
        let op = Self.line("u3", omit: ["a1"], extra: #","a1":{"inc":2}"#)
        let (report, sink) = try run([Self.line("u1"), bad, op].joined(separator: "\n") + "\n")
        #expect(report.totals.valid == 2)
        #expect(report.totals.invalid == 1)
        #expect(report.errorKindsByCount.map(\.kind) == ["vendor_rule"])
        let message = report.errorExamples["vendor_rule"]?.first?.message ?? ""
        #expect(message.hasPrefix("invalid_operation: custom attribute a1 is an object"), "\(message)")
        let profiles = try sink.recordObjects()
        guard case .object(let third) = profiles[1] else { throw CancellationError() }
        #expect(third["a1"] == (try JSONParser.parse(#"{"inc":2}"#)))
    }

    static let pyzeEventsMapping = """
    target: pyze.events
    source:
      format: csv
    fields:
      event: event
      userId: user_id
      eventTime: { column: at, timestamp: iso8601 }
      attributes:
        fields:
          note: note

    """

    /// A record the adjuster changes and sends alone (a Pyze event, one per request) is batched
    /// straight from the writer: its body is the adjusted object written whole (type, appKey and
    /// the derived messageId included), and one larger than a request may be is refused.
    @Test func eachBodyIsTheAdjustedEventAndAnOversizedOneIsRefused() throws {
        let mappingPath = directory.appendingPathComponent("events.yaml").path
        try Data(Self.pyzeEventsMapping.utf8).write(to: URL(fileURLWithPath: mappingPath))
        let huge = String(repeating: "x", count: Pyze.maxBodyBytes)
        let input = directory.appendingPathComponent("in.csv").path
        try Data("event,user_id,at,note\nsignup,u1,2024-01-01T00:00:00Z,hello\nbig,u2,2024-01-01T00:00:01Z,\(huge)\nlogin,u3,2024-01-01T00:00:02Z,\"a \"\"quoted\"\" note\"\n".utf8)
            .write(to: URL(fileURLWithPath: input))
        let mapping = try MappingLoader.load(path: mappingPath, environment: ["PYZE_APP_KEY": "app-key-for-tests"])
        let sink = CollectingSink()
        let report = ConversionPipeline(command: "convert", target: mapping.target, mapping: mapping.compiled,
                                        mappingPath: mappingPath, inputs: [InputFile(path: input)],
                                        sink: sink, deadLetters: nil, options: PipelineOptions()).run()
        #expect(report.totals.valid == 2)
        #expect(report.totals.invalid == 1)
        #expect(report.errorCounts["record_too_large"] == 1)
        #expect(report.errorExamples["record_too_large"]?.first?.message.hasSuffix("at most \(Pyze.maxBodyBytes)") == true)
        #expect(sink.batches.map(\.records.count) == [1, 1])
        #expect(sink.records.map(\.line) == [2, 4])
        let adjuster = PyzeEventAdjuster(appKey: "app-key-for-tests")
        for (batch, (event, user, at, note)) in zip(sink.batches, [("signup", "u1", "2024-01-01T00:00:00Z", "hello"),
                                                                 ("login", "u3", "2024-01-01T00:00:02Z", #"a "quoted" note"#)]) {
            let mapped = JSONObject([(key: "event", value: .string(event)), (key: "userId", value: .string(user)),
                                     (key: "eventTime", value: .string(at)),
                                     (key: "attributes", value: .object(JSONObject([(key: "note", value: .string(note))])))])
            let expected = try #require(try adjuster.adjust(mapped).first)
            #expect(batch.body == JSONWriter.serialize(.object(expected)))
            #expect(batch.recordRanges == [0..<batch.body.count])
            #expect(expected["messageId"] != nil && expected["appKey"] == .string("app-key-for-tests"))
        }
    }
}

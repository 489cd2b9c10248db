import Foundation
import Testing
import FerryCore
import FerryMapping
import FerryVendors
@testable import FerryLoader

/// Orders of several lines grouped into one record each.
let ordersMapping = """
target: toplyne.user_events
group_by: [order_id]
where:
  - { column: sku, not_equals: SKIP }
fields:
  userId: customer
  eventName: { value: Purchase }
  timestamp: { column: at, timestamp: iso8601 }
  eventProperties:
    fields:
      order: order_id
      total_qty: { sum: qty }
      lines: { count: true }
      first_sku: { first: sku }
      last_sku: { last: sku }
      items:
        each_row:
          fields:
            sku: sku
            qty: { column: qty, type: int }

"""

@Suite final class GroupingTests {
    let directory: URL

    init() throws {
        directory = try makeTemporaryDirectory("ferry-grouping")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func run(_ yaml: String, _ inputs: [String], groupMemory: Int = 64 << 20, deadLetters: DeadLetterWriter? = nil)
        throws -> (RunReport, CollectingSink)
    {
        let mappingPath = try write("mapping-\(UUID().uuidString).yaml", yaml)
        let loaded = try MappingLoader.load(path: mappingPath, environment: [:])
        let sink = CollectingSink()
        let pipeline = ConversionPipeline(command: "convert", target: loaded.target, mapping: loaded.compiled,
                                          mappingPath: mappingPath, inputs: inputs.map(InputFile.init(path:)),
                                          sink: sink, deadLetters: deadLetters,
                                          options: options(groupMemory: groupMemory))
        return (pipeline.run(), sink)
    }

    /// Spills go to this test's own directory, so that a check for leftovers is not confused
    /// by other tests spilling at the same time.
    func options(groupMemory: Int) -> PipelineOptions {
        var options = PipelineOptions(groupMemory: groupMemory)
        options.spillDirectory = directory
        return options
    }

    func texts(_ sink: CollectingSink) throws -> [String] {
        try sink.recordObjects().map { JSONWriter.serialize($0) as String }
    }

    @Test func consecutiveRowsFormOneRecordWithItemsAndAggregates() throws {
        let input = try write("orders.csv", """
        order_id,customer,at,sku,qty
        A1,c1,2024-01-01T10:00:00Z,X,2
        A1,c1,2024-01-01T10:00:00Z,Y,1
        A1,c1,2024-01-01T10:00:00Z,SKIP,9
        B2,c2,2024-01-02T10:00:00Z,Z,5

        """)
        let (report, sink) = try run(ordersMapping, [input])
        #expect(try texts(sink) == [
            #"{"userId":"c1","eventName":"Purchase","timestamp":1704103200,"eventProperties":{"order":"A1","total_qty":3,"lines":2,"first_sku":"X","last_sku":"Y","items":[{"sku":"X","qty":2},{"sku":"Y","qty":1}]}}"#,
            #"{"userId":"c2","eventName":"Purchase","timestamp":1704189600,"eventProperties":{"order":"B2","total_qty":5,"lines":1,"first_sku":"Z","last_sku":"Z","items":[{"sku":"Z","qty":5}]}}"#,
        ])
        #expect(report.totals.read == 4 && report.totals.filtered == 1 && report.totals.valid == 3 && report.totals.invalid == 0)
        #expect(report.records == 2)
        #expect(sink.records.map(\.line) == [2, 5])   // a record points at its group's first row
    }

    @Test func aKeyThatComesBackIsReportedWithBothLines() throws {
        let input = try write("reopened.csv", """
        order_id,customer,at,sku,qty
        A1,c1,2024-01-01T10:00:00Z,X,2
        B2,c2,2024-01-02T10:00:00Z,Z,5
        A1,c1,2024-01-01T10:00:00Z,W,1
        A1,c1,2024-01-01T10:00:00Z,V,1

        """)
        let (report, sink) = try run(ordersMapping, [input])
        #expect(sink.records.count == 2)
        #expect(report.totals.invalid == 2)
        #expect(report.errorCounts["group_reopened"] == 2)
        let message = try #require(report.errorExamples["group_reopened"]?.first?.message)
        #expect(message == "order_id=A1 comes back at line 4 after its group ended at line 2; sort the input by the group key, or set group_order: any")
        #expect(report.totals.read == report.totals.filtered + report.totals.invalid + report.totals.valid)
    }

    @Test func anInvalidGroupMakesEveryRowInvalid() throws {
        let input = try write("bad.csv", """
        order_id,customer,at,sku,qty
        C3,c3,2024-01-03T10:00:00Z,Q,1
        C3,c3,2024-01-03T10:00:00Z,R,x
        D4,c4,2024-01-04T10:00:00Z,S,1

        """)
        let deadPath = directory.appendingPathComponent("dead.ndjson").path
        let dead = try DeadLetterWriter(path: deadPath)
        let (report, sink) = try run(ordersMapping, [input], deadLetters: dead)
        #expect(sink.records.count == 1)
        #expect(report.totals.invalid == 2 && report.totals.valid == 1)
        let lines = try String(contentsOfFile: deadPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.contains("\"kind\":\"invalid_type\"") })
    }

    @Test func groupsDoNotSpanFiles() throws {
        let first = try write("part1.csv", "order_id,customer,at,sku,qty\nA1,c1,2024-01-01T10:00:00Z,X,1\n")
        let second = try write("part2.csv", "order_id,customer,at,sku,qty\nA1,c1,2024-01-01T10:00:00Z,Y,1\n")
        let (report, _) = try run(ordersMapping, [first, second])
        #expect(report.errorCounts["group_reopened"] == 1)
        #expect(report.files.map(\.counts.valid) == [1, 0])
        #expect(report.files.map(\.counts.invalid) == [0, 1])
    }

    /// group_order: any across files whose columns are in different orders: each row is read
    /// with its own file's columns (first, last, sum, items and the record's own fields),
    /// also when the rows were spilled to disk.
    @Test(.serialized, arguments: [64 << 20, 200])
    func anyOrderReadsEachRowWithItsOwnFilesColumns(groupMemory: Int) throws {
        let a = try write("a.csv", "order_id,customer,at,sku,qty\nO1,c1,2024-01-01T10:00:00Z,S1,2\nO2,c2,2024-01-02T10:00:00Z,S9,1\n")
        let b = try write("b.csv", "qty,sku,at,customer,order_id\n5,S2,2024-01-01T11:00:00Z,c1,O1\n3,S3,2024-01-03T10:00:00Z,c3,O3\n")
        let yaml = ordersMapping.replacingOccurrences(of: "group_by: [order_id]", with: "group_by: [order_id]\ngroup_order: any")
        let (report, sink) = try run(yaml, [a, b], groupMemory: groupMemory)
        #expect(report.totals.invalid == 0)
        #expect(report.totals.valid == 4)
        let texts = try texts(sink).sorted()
        #expect(texts == [
            #"{"userId":"c1","eventName":"Purchase","timestamp":1704103200,"eventProperties":{"order":"O1","total_qty":7,"lines":2,"first_sku":"S1","last_sku":"S2","items":[{"sku":"S1","qty":2},{"sku":"S2","qty":5}]}}"#,
            #"{"userId":"c2","eventName":"Purchase","timestamp":1704189600,"eventProperties":{"order":"O2","total_qty":1,"lines":1,"first_sku":"S9","last_sku":"S9","items":[{"sku":"S9","qty":1}]}}"#,
            #"{"userId":"c3","eventName":"Purchase","timestamp":1704276000,"eventProperties":{"order":"O3","total_qty":3,"lines":1,"first_sku":"S3","last_sku":"S3","items":[{"sku":"S3","qty":3}]}}"#,
        ])
    }

    /// group_order: any gathers scattered rows; with a tiny memory budget it spills to
    /// temporary files and still produces the same records.
    @Test(.serialized, arguments: [64 << 20, 20_000])
    func anyOrderGathersScatteredRows(groupMemory: Int) throws {
        var rng = SystemRandomNumberGenerator()
        var lines: [String] = []
        var expected: [String: (qty: Int, count: Int)] = [:]
        for order in 0..<400 {
            for item in 0..<(order % 4 + 1) {
                let qty = (order + item) % 5 + 1
                lines.append("O\(order),c\(order % 7),2024-01-01T10:00:00Z,S\(item),\(qty)")
                expected["O\(order)", default: (0, 0)].qty += qty
                expected["O\(order)", default: (0, 0)].count += 1
            }
        }
        lines.shuffle(using: &rng)
        let input = try write("scattered.csv", "order_id,customer,at,sku,qty\n" + lines.joined(separator: "\n") + "\n")
        let yaml = ordersMapping.replacingOccurrences(of: "group_by: [order_id]", with: "group_by: [order_id]\ngroup_order: any")
        let (report, sink) = try run(yaml, [input], groupMemory: groupMemory)
        #expect(report.totals.valid == lines.count)
        #expect(report.records == 400)
        if groupMemory < 100_000 { #expect(report.spilledRows > 0) } else { #expect(report.spilledRows == 0) }
        var seen: [String: (qty: Int, count: Int)] = [:]
        for record in try sink.recordObjects() {
            guard case .object(let properties)? = record.value(atPath: "eventProperties"),
                  case .string(let order)? = properties["order"],
                  case .int(let qty)? = properties["total_qty"],
                  case .int(let count)? = properties["lines"],
                  case .array(let items)? = properties["items"] else {
                Issue.record("unexpected record \(record)")
                continue
            }
            #expect(seen[order] == nil, "order \(order) produced twice")
            #expect(items.count == Int(count))
            seen[order] = (Int(qty), Int(count))
        }
        #expect(seen.count == expected.count)
        for (order, value) in expected {
            #expect(seen[order]?.qty == value.qty && seen[order]?.count == value.count, "\(order)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("ferry-groups-") }
        #expect(leftovers.isEmpty, "spill files left behind: \(leftovers)")
    }
}

@Suite final class PathSafetyTests {
    /// "." and ".." would name another resource once the URL is normalised: refused.
    @Test func dotSegmentsAreRefused() throws {
        let directory = try makeTemporaryDirectory("ferry-dots")
        defer { try? FileManager.default.removeItem(at: directory) }
        let mappingPath = directory.appendingPathComponent("m.yaml").path
        try Data("target: talonone.customer_data_deletion\nfields:\n  integrationId: code\n".utf8).write(to: URL(fileURLWithPath: mappingPath))
        let input = directory.appendingPathComponent("ids.csv").path
        try Data("code\n.\n..\nok\n".utf8).write(to: URL(fileURLWithPath: input))
        let loaded = try MappingLoader.load(path: mappingPath, environment: [:])
        let sink = CollectingSink()
        let report = ConversionPipeline(command: "validate", target: loaded.target, mapping: loaded.compiled,
                                        mappingPath: mappingPath, inputs: [InputFile(path: input)], sink: sink,
                                        deadLetters: nil, options: PipelineOptions()).run()
        #expect(report.totals.invalid == 2 && report.totals.valid == 1)
        #expect(sink.batches.map(\.path) == ["/v1/customer_data/ok"])
    }
}

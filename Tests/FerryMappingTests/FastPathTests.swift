import Foundation
import Testing
import FerryCore
@testable import FerryMapping

/// The flat program's shortcuts give what the general path gives.
@Suite struct FastPathTests {
    @Test func shortDoublesParseAsCastsParseDouble() {
        let texts = ["0", "1", "-1", "+2", "12.99", ".5", "5.", "-0", "1e3", "1E-3", "2.5e+10", "007", "1.7976931348623157e308",
                     "1e999", "e5", "E", "-", "+", ".", "1..2", "1e", "12-3", "9007199254740993", "123456789012345", "0.1000000000000000055"]
        for text in texts {
            let viaBytes = Array(text.utf8).withUnsafeBufferPointer { RecordMapper.shortDouble($0) }
            if let viaBytes {
                #expect(viaBytes.bitPattern == Casts.parseDouble(text)?.bitPattern, "\(text)")
            } else if text.utf8.count <= 15 && text.utf8.allSatisfy({ ($0 &- 0x30) < 10 || "+-.eE".utf8.contains($0) })
                        && !text.hasPrefix("e") && !text.hasPrefix("E") {
                #expect(Casts.parseDouble(text) == nil, "\(text): refused by the shortcut, parsed by Casts")
            }
        }
    }

    /// Scanned NDJSON numbers are written as the parsed tree would write them (mapNDJSON maps
    /// every line both ways and fails if they differ): 12.0 stays a double in a number field.
    @Test func scannedNumbersKeepTheParsedTypes() throws {
        let yaml = """
        target: t
        source:
          format: ndjson
        fields:
          id: id
          score: n
          count: n
          at: { column: t, timestamp: epoch_s }
        """
        let lines = [#"{"id":"a","n":12,"t":1700000000}"#, #"{"id":"b","n":12.0,"t":1700000000.0}"#,
                     #"{"id":"c","n":-0,"t":-0}"#, #"{"id":"d","n":1e2,"t":17e8}"#, #"{"id":"e","n":-7,"t":0}"#]
        let rows = try mapNDJSON(yaml, lines.joined(separator: "\n") + "\n")
        #expect(rows.map(\.outcome) == Array(repeating: .valid, count: 5))
        #expect(rows[0].json == #"{"id":"a","score":12,"count":12,"at":1700000000}"#)
        #expect(rows[1].json == #"{"id":"b","score":12.0,"count":12,"at":1700000000}"#)
        #expect(rows[4].json == #"{"id":"e","score":-7,"count":-7,"at":0}"#)
    }

    /// Constant members are written once, when the program is built (`constantLeaf`): each
    /// kind gives what evaluating it for every row gives (`mapNDJSON` maps every line through
    /// the program and through the general path and fails if they differ), through
    /// transforms, `map:`, casts and times; a constant the member's type refuses is still an
    /// error on every row, and a null one is still omitted or written as null.
    @Test func constantMembersMatchTheGeneralPath() throws {
        let yaml = """
        target: t
        source:
          format: ndjson
        fields:
          id: id
          name: { value: "  Ferry ", transform: [trim, upper] }
          count: { value: "42", type: int }
          score: { value: 2.5 }
          active: { value: "yes", type: bool }
          at: { value: "2024-01-02T03:04:05+01:00", timestamp: iso8601 }
          tier: { value: g, map: { g: gold } }
          tags: { value: "a,b", type: array }
          removable: { value: "", transform: null_if_empty, on_null: "null" }
          props:
            fields:
              source: { value: "web \\"app\\"" }
              n: { value: 7 }
        """
        // Every constant but the null one is written when the program is built.
        let program = RecordMapper(mapping: try compile(yaml)).program
        #expect(program.steps.filter { $0.op == .constantLeaf }.count == 9)
        let lines = [#"{"id":"a"}"#, #"{"id":"b","x":1}"#]
        let rows = try mapNDJSON(yaml, lines.joined(separator: "\n") + "\n")
        #expect(rows.map(\.outcome) == [.valid, .valid])
        let expected = #"{"id":"a","name":"FERRY","count":42,"score":2.5,"active":true,"at":1704161045,"tier":"gold","#
            + #""tags":["a","b"],"removable":null,"props":{"source":"web \"app\"","n":7}}"#
        #expect(rows[0].json == expected)
        #expect(rows[1].json == expected.replacingOccurrences(of: #""id":"a""#, with: #""id":"b""#))
        // The same from CSV rows, whose program this is too.
        let csvYAML = yaml.replacingOccurrences(of: "source:\n  format: ndjson\n", with: "")
        let csv = try mapCSV(csvYAML, "id\na\n")
        #expect(csv.map(\.json) == [expected])
        // Refused by the member's type: an error for every row, as before.
        let tooLong = try mapCSV("target: t\nfields:\n  id: id\n  name: { value: \"far too long a name\" }\n", "id\na\nb\n")
        #expect(tooLong.count == 2)
        #expect(tooLong.allSatisfy { $0.errors.map(\.kind) == [.tooLong] })
    }

    /// Grouped items run the item plan's flat program; a price that is not a plain decimal
    /// falls back to the general cast and its error, exactly as before.
    @Test func groupedItemsMatchTheGeneralPath() throws {
        let yaml = """
        target: t
        group_by: [order]
        fields:
          id: order
          props:
            fields:
              items:
                each_row:
                  fields:
                    sku: sku
                    price: { column: price, type: float }
                    qty: { column: qty, type: int }
        """
        let results = try mapGroupsCSV(yaml, "order,sku,price,qty\no1,a,12.50,1\no1,b,3,2\no2,c,1e2,\no3,d,abc,1\n")
        #expect(results.count == 3)
        #expect(results[0].json == #"{"id":"o1","props":{"items":[{"sku":"a","price":12.5,"qty":1},{"sku":"b","price":3.0,"qty":2}]}}"#)
        #expect(results[1].json == #"{"id":"o2","props":{"items":[{"sku":"c","price":100.0}]}}"#)
        #expect(results[2].errors.map(\.kind) == [.invalidType])
    }

    /// An `each_row` array is held to its type's `maxItems`, whether its items are objects
    /// (written by the item's flat program) or leaves (by the general path).
    @Test func groupedItemsAreHeldToTheArraysMaxItems() throws {
        let schema = RecordSchema(fields: [
            FieldSchema("id", .string(), required: true),
            FieldSchema("lines", .array(.object(.propertyBag), maxItems: 2)),
            FieldSchema("skus", .array(.string(), maxItems: 2)),
        ])
        let yaml = """
        target: t
        group_by: [order]
        fields:
          id: order
          lines:
            each_row:
              fields:
                sku: sku
                qty: { column: qty, type: int }
          skus: { each_row: sku }
        """
        let results = try mapGroupsCSV(yaml, "order,sku,qty\no1,a,1\no1,b,2\no2,c,1\no2,d,1\no2,e,1\n", schema: schema)
        #expect(results.count == 2)
        #expect(results[0].json == #"{"id":"o1","lines":[{"sku":"a","qty":1},{"sku":"b","qty":2}],"skus":["a","b"]}"#)
        #expect(results[1].errors.map(\.kind) == [.tooLong, .tooLong])
        #expect(results[1].errors.map(\.field) == ["lines", "skus"])
        #expect(results[1].errors.allSatisfy { $0.reason == "the group gives 3 items; at most 2 are allowed" })
    }
}

/// Maps a CSV text's consecutive rows with the same first cell as one group each.
func mapGroupsCSV(_ yaml: String, _ csv: String, schema: RecordSchema = testSchema) throws -> [Mapped] {
    let mapping = try compile(yaml, schema: schema)
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-groups-\(UUID().uuidString).csv")
    try Data(csv.utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let reader = try CSVReader(input: try OpenedInput(InputFile(path: url.path)))
    let mapper = RecordMapper(mapping: mapping)
    try mapper.bind(csvColumns: reader.columns, file: url.path)
    var groups: [[OwnedCSVRow]] = []
    var lastKey: [UInt8]?
    while let event = try reader.next() {
        guard case .row(let row) = event else { continue }
        let key = Array(row[0])
        if key != lastKey { groups.append([]) }
        lastKey = key
        groups[groups.count - 1].append(OwnedCSVRow(row))
    }
    var writer = JSONWriter()
    return groups.map { group in
        let outcome = mapper.mapGroup(group.map { .csv($0.row) }, into: &writer)
        return Mapped(outcome: outcome, json: outcome == .valid ? String(decoding: writer.bytes, as: UTF8.self) : nil)
    }
}

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
}

/// Maps a CSV text's consecutive rows with the same first cell as one group each.
func mapGroupsCSV(_ yaml: String, _ csv: String) throws -> [Mapped] {
    let mapping = try compile(yaml)
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

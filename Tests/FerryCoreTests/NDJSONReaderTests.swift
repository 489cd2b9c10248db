import Foundation
import Testing
@testable import FerryCore

@Suite struct NDJSONReaderTests {
    let directory: URL

    init() throws { directory = try Fixtures.temporaryDirectory() }

    @Test func objectsBlankLinesCRLFAndErrors() throws {
        let text = "{\"id\":1,\"user\":{\"address\":{\"city\":\"Pune\"}}}\r\n\n   \n{\"id\":2}\n[1,2]\n{\"id\":3,}\n\"text\"\n{\"id\":4}"
        let path = try writeFile(text, name: "a.ndjson", in: directory)
        for chunkSize in [OpenedInput.defaultChunkSize, 1, 5] {
            let (records, errors, failure) = try readNDJSON(path, chunkSize: chunkSize)
            #expect(failure == nil)
            #expect(records.map(\.line) == [1, 4, 8])
            #expect(records.map(\.recordNumber) == [1, 2, 6])
            #expect(records.first?.value(atPath: "user.address.city") == .string("Pune"))
            #expect(records.first?.value(atPath: "user.address.zip") == nil)
            #expect(errors.map(\.kind) == [.notAnObject, .invalidJSON, .notAnObject])
            #expect(errors.map(\.line) == [5, 6, 7])
            #expect(errors.first?.message == "expected a JSON object, found an array")
            #expect(errors[1].rawText == "{\"id\":3,}")
        }
    }

    @Test func veryLongLinesAreAccepted() throws {
        let big = String(repeating: "x", count: 17 << 20)   // 17 MB string value
        let text = "{\"a\":1}\n{\"big\":\"\(big)\"}\n{\"a\":3}\n"
        let path = try writeFile(text, name: "big.ndjson", in: directory)
        let (records, errors, _) = try readNDJSON(path)
        #expect(errors.isEmpty)
        #expect(records.count == 3)
        if case .string(let s) = records[1].object["big"] { #expect(s.utf8.count == 17 << 20) } else {
            Issue.record("big value missing")
        }
    }

    @Test func linesOverTheLimitAreSkippedNotFatal() throws {
        let long = String(repeating: "y", count: 4000)
        let path = try writeFile("{\"a\":1}\n{\"long\":\"\(long)\"}\n{\"a\":3}\n", name: "l.ndjson", in: directory)
        let (records, errors, _) = try readNDJSON(path, chunkSize: 256, maxLineBytes: 1000)
        #expect(records.map(\.line) == [1, 3])
        #expect(errors.map(\.line) == [2])
    }

    @Test func dottedPathIndexesArrays() throws {
        let value = try JSONParser.parse("{\"items\":[{\"sku\":\"A\"},{\"sku\":\"B\"}]}")
        #expect(value.value(atPath: "items.1.sku") == .string("B"))
        #expect(value.value(atPath: "items.2.sku") == nil)
    }

    @Test func gzippedNDJSONIsDetectedByContent() throws {
        let lines = (1...3000).map { "{\"id\":\($0),\"tags\":[\"a\",\"b\"]}" }.joined(separator: "\n")
        let path = try writeFile(try gzip(Array(lines.utf8)), name: "events.jsonl.gz", in: directory)
        let (records, errors, failure) = try readNDJSON(path)
        #expect(failure == nil && errors.isEmpty)
        #expect(records.count == 3000)
        #expect(records.last?.object["id"] == .int(3000))
    }
}

import Foundation
import Testing
@testable import FerryCore

/// Property test: random rows, written as RFC 4180 CSV (quoting only where needed, with
/// every line ending style), read back with random chunk sizes, give the same rows and the
/// right line numbers.
@Suite struct CSVRoundTripTests {
    /// SplitMix64: a small seeded generator so every run tests the same cases.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let alphabet: [String] = ["a", "b", "Z", "0", " ", ",", ";", "\t", "|", "\"", "\n", "\r\n", "é", "€", "😀", "x"]

    static func field(_ rng: inout Generator) -> String {
        let length = Int(rng.next() % 7)
        return (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
    }

    static func encode(_ field: String, delimiter: Character) -> String {
        let needsQuotes = field.isEmpty ? false : field.contains { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        return needsQuotes ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }

    @Test(arguments: 0..<40)
    func randomTablesSurviveTheRoundTrip(seed: Int) throws {
        var rng = Generator(state: UInt64(seed) &* 7919 &+ 1)
        let delimiters: [(Character, UInt8)] = [(",", 0x2C), (";", 0x3B), ("\t", 0x09), ("|", 0x7C)]
        let (delimiter, delimiterByte) = delimiters[seed % delimiters.count]
        let lineEnd = ["\n", "\r\n"][seed % 2]
        let columns = Int(rng.next() % 5) + 1
        let header = (0..<columns).map { "c\($0)" }
        var rows: [[String]] = []
        for _ in 0..<Int(rng.next() % 60 + 1) {
            var row = (0..<columns).map { _ in Self.field(&rng) }
            // A row that is one empty field would be an empty line, which the reader skips.
            if columns == 1 && row[0].isEmpty { row[0] = "e" }
            rows.append(row)
        }
        var text = header.joined(separator: String(delimiter)) + lineEnd
        var expectedLines: [Int] = []
        var line = 2
        for row in rows {
            expectedLines.append(line)
            let encoded = row.map { Self.encode($0, delimiter: delimiter) }.joined(separator: String(delimiter))
            text += encoded + lineEnd
            line += 1 + encoded.filter { $0 == "\n" || $0 == "\r\n" }.count
        }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try writeFile(text, name: "t.csv", in: directory)
        for chunkSize in [1, 3, 16, 4096] {
            let result = try readCSV(path, options: CSVOptions(delimiter: delimiterByte), chunkSize: chunkSize)
            #expect(result.errors.isEmpty, "seed \(seed) chunk \(chunkSize): \(result.errors)")
            #expect(result.columns == header)
            #expect(result.rows == rows, "seed \(seed) chunk \(chunkSize)")
            #expect(result.lines == expectedLines, "seed \(seed) chunk \(chunkSize)")
        }
    }
}

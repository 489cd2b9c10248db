import Foundation
import Testing
@testable import FerryCore

@Suite struct CSVRowBlockTests {
    /// Rows copied into a block read back exactly as the reader gave them: fields, quoting,
    /// record numbers and lines, past several growths of both buffers and after emptying.
    @Test func rowsReadBackAsTheReaderGaveThem() throws {
        let directory = try Fixtures.temporaryDirectory()
        var text = "id,name,note\n"
        for i in 1...3000 {
            text += i % 5 == 0 ? "\(i),\"Ann \"\"\(i)\"\"\",\"two\nlines\"\n" : "\(i),,\(String(repeating: "x", count: i % 97))\n"
        }
        let path = try writeFile(text, name: "rows.csv", in: directory)
        let reader = try CSVReader(input: try OpenedInput(InputFile(path: path)))
        let block = CSVRowBlock(byteCapacity: 64)
        var expected: [(fields: [String], quoted: [Bool], record: Int, line: Int)] = []
        while case .row(let row)? = try reader.next() {
            block.append(row)
            expected.append((row.strings, (0..<row.count).map(row.isQuoted), row.recordNumber, row.line))
        }
        #expect(block.count == 3000)
        for (index, want) in expected.enumerated() {
            let row = block.row(index)
            #expect(row.strings == want.fields && row.recordNumber == want.record && row.line == want.line)
            #expect((0..<row.count).map(row.isQuoted) == want.quoted)
        }
        #expect(block.row(4).strings == ["5", "Ann \"5\"", "two\nlines"])
        #expect(block.row(5).line == 8)
        block.removeAll()
        #expect(block.count == 0 && block.byteCount == 0)
    }
}

import Foundation
import Testing
@testable import FerryCore

@Suite struct CSVReaderTests {
    let directory: URL

    init() throws { directory = try Fixtures.temporaryDirectory() }

    @Test(arguments: [(",", UInt8(ascii: ",")), (";", UInt8(ascii: ";")), ("\t", 0x09), ("|", UInt8(ascii: "|"))])
    func delimiters(symbol: String, byte: UInt8) throws {
        let text = "id\(symbol)name\n1\(symbol)\"a\(symbol)b\"\n2\(symbol)plain\n"
        let path = try writeFile(text, name: "d.csv", in: directory)
        let result = try readCSV(path, options: CSVOptions(delimiter: byte))
        #expect(result.columns == ["id", "name"])
        #expect(result.rows == [["1", "a\(symbol)b"], ["2", "plain"]])
        #expect(result.errors.isEmpty)
    }

    @Test func quoteCharacterAndNoQuoting() throws {
        let path = try writeFile("a,b\n'x,y','it''s'\n\"q\",z\n", name: "q.csv", in: directory)
        let single = try readCSV(path, options: CSVOptions(quote: UInt8(ascii: "'")))
        #expect(single.rows == [["x,y", "it's"], ["\"q\"", "z"]])
        let none = try readCSV(try writeFile("a,b\n\"x\",\"y\"\"\n", name: "n.csv", in: directory),
                               options: CSVOptions(quote: nil))
        #expect(none.rows == [["\"x\"", "\"y\"\""]])
    }

    @Test func givenColumnsWithAndWithoutHeader() throws {
        let path = try writeFile("1,2\n3,4\n", name: "h.csv", in: directory)
        let noHeader = try readCSV(path, options: CSVOptions(hasHeader: false, columns: ["x", "y"]))
        #expect(noHeader.columns == ["x", "y"])
        #expect(noHeader.rows == [["1", "2"], ["3", "4"]])
        let replaced = try readCSV(path, options: CSVOptions(hasHeader: true, columns: ["x", "y"]))
        #expect(replaced.rows == [["3", "4"]])
        #expect(replaced.lines == [2])
    }

    @Test func byteOrderMarkIsStripped() throws {
        let path = try writeFile([0xEF, 0xBB, 0xBF] + Array("id,name\n1,x\n".utf8), name: "bom.csv", in: directory)
        let result = try readCSV(path)
        #expect(result.columns == ["id", "name"])
        #expect(result.rows == [["1", "x"]])
    }

    @Test func quotedEmptyIsMarkedQuoted() throws {
        let path = try writeFile("a,b\n\"\",\n", name: "e.csv", in: directory)
        let input = try OpenedInput(InputFile(path: path))
        let reader = try CSVReader(input: input)
        guard case .row(let row) = try #require(try reader.next()) else {
            Issue.record("expected a row")
            return
        }
        #expect(row.isQuoted(0))
        #expect(!row.isQuoted(1))
        #expect(row[0].isEmpty && row[1].isEmpty)
    }

    @Test func rowErrorsCarryLineNumbersAfterQuotedNewlines() throws {
        let text = """
        id,note,n
        1,"two
        lines",10
        2,short
        3,"three
        line
        note",30
        4,x,40,extra
        5,ok,50

        """
        let path = try writeFile(text, name: "e.csv", in: directory)
        let result = try readCSV(path)
        #expect(result.rows == [["1", "two\nlines", "10"], ["3", "three\nline\nnote", "30"], ["5", "ok", "50"]])
        #expect(result.lines == [2, 5, 9])
        #expect(result.errors.map(\.kind) == [.fieldCount, .fieldCount])
        #expect(result.errors.map(\.line) == [4, 8])
        #expect(result.errors.map(\.recordNumber) == [2, 4])
        #expect(result.errors[0].message == "expected 3 fields, found 2")
        #expect(result.errors[0].rawText == "2,short")
        #expect(result.errors[0].file == path)
        #expect(result.errors[1].description == "\(path):8: record 4: expected 3 fields, found 4")
    }

    @Test func crlfLineNumbersAndBlankLines() throws {
        let path = try writeFile("a,b\r\n\r\n1,\"x\r\ny\"\r\n\r\n2,z\r\n", name: "c.csv", in: directory)
        let result = try readCSV(path)
        #expect(result.rows == [["1", "x\r\ny"], ["2", "z"]])
        #expect(result.lines == [3, 6])
    }

    @Test func loneCarriageReturnEndsRecords() throws {
        let path = try writeFile("a,b\r1,2\r3,4", name: "cr.csv", in: directory)
        let result = try readCSV(path)
        #expect(result.rows == [["1", "2"], ["3", "4"]])
        #expect(result.lines == [2, 3])
    }

    @Test func unterminatedQuoteIsReportedAndReadingResumes() throws {
        let text = "id,note\n1,ok\n2,\"never closed\n3,after\n4,also after\n"
        let path = try writeFile(text, name: "u.csv", in: directory)
        for chunkSize in [OpenedInput.defaultChunkSize, 3] {
            let result = try readCSV(path, chunkSize: chunkSize)
            #expect(result.errors.map(\.kind) == [.unterminatedQuote])
            #expect(result.errors.first?.line == 3)
            #expect(result.errors.first?.rawText == "2,\"never closed")
            #expect(result.rows == [["1", "ok"], ["3", "after"], ["4", "also after"]])
            #expect(result.lines == [2, 4, 5])
        }
    }

    @Test func oversizedRecordIsSkippedWithBoundedMemory() throws {
        let long = String(repeating: "x", count: 5000)
        let text = "id,note\n1,\"\(long)\n2,fine\n3,\"still open \(long)"
        let path = try writeFile(text, name: "o.csv", in: directory)
        let result = try readCSV(path, chunkSize: 512, maxRecordBytes: 1024)
        #expect(result.errors.first?.kind == .unterminatedQuote)
        #expect(result.errors.first?.line == 2)
        #expect(result.rows.first == ["2", "fine"])
    }

    @Test func invalidUTF8NamesTheColumn() throws {
        let bytes = Array("id,name,city\n1,ok,Paris\n2,".utf8) + [0x4D, 0xFC, 0x6E] + Array(",Berlin\n3,fine,Rome\n".utf8)
        let path = try writeFile(bytes, name: "latin1.csv", in: directory)
        let result = try readCSV(path)
        #expect(result.rows == [["1", "ok", "Paris"], ["3", "fine", "Rome"]])
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.kind == .invalidUTF8)
        #expect(result.errors.first?.column == "name")
        #expect(result.errors.first?.line == 3)
    }

    @Test func charactersAfterClosingQuoteAreARowError() throws {
        let path = try writeFile("a,b\n\"x\"y,1\n2,3\n", name: "bq.csv", in: directory)
        let result = try readCSV(path)
        #expect(result.errors.map(\.kind) == [.badQuoting])
        #expect(result.errors.first?.line == 2)
        #expect(result.rows == [["2", "3"]])
    }

    @Test func strayQuoteInsideUnquotedFieldIsLiteral() throws {
        let path = try writeFile("a,b\n5\" screen,x\n", name: "sq.csv", in: directory)
        #expect(try readCSV(path).rows == [["5\" screen", "x"]])
    }

    @Test func trailingDelimiterMeansEmptyLastField() throws {
        let path = try writeFile("a,b,c\n1,2,\n3,4,", name: "t.csv", in: directory)
        #expect(try readCSV(path).rows == [["1", "2", ""], ["3", "4", ""]])
    }

    @Test func duplicateAndEmptyHeaderNamesAreRejected() throws {
        let path = try writeFile("id,name,,name\n1,2,3,4\n", name: "dup.csv", in: directory)
        let result = try readCSV(path)
        let failure = try #require(result.failure)
        #expect(failure.kind == .badHeader)
        #expect(failure.message.contains("column 3 has an empty name"))
        #expect(failure.message.contains("column 4 repeats the name \"name\" of column 2"))
    }

    @Test func emptyFileHasNoColumnsAndNoRows() throws {
        let path = try writeFile("", name: "empty.csv", in: directory)
        let result = try readCSV(path)
        #expect(result.failure == nil)
        #expect(result.columns.isEmpty)
        #expect(result.rows.isEmpty)
    }

    @Test func manyFieldsGrowTheSpanTable() throws {
        let header = (0..<300).map { "c\($0)" }.joined(separator: ",")
        let row = (0..<300).map { "\($0)" }.joined(separator: ",")
        let path = try writeFile(header + "\n" + row + "\n", name: "wide.csv", in: directory)
        let result = try readCSV(path)
        #expect(result.rows.first?.count == 300)
        #expect(result.rows.first?.last == "299")
    }

    @Test func delimiterSniffing() {
        func sniff(_ text: String) -> UInt8 {
            Array(text.utf8).withUnsafeBufferPointer { InputFormat.sniffDelimiter($0) }
        }
        #expect(sniff("a;b;c\n1;2,5;3\n") == UInt8(ascii: ";"))
        #expect(sniff("a\tb\n1\t2\n") == 0x09)
        #expect(sniff("a|b|c\n1|2|3\n") == UInt8(ascii: "|"))
        #expect(sniff("a,b\n\"1;2;3\",4\n") == UInt8(ascii: ","))
        #expect(sniff("single\nvalue\n") == UInt8(ascii: ","))
    }
}

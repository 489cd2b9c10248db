import Foundation
import Testing
@testable import FerryCore

@Suite struct GzipInputTests {
    let directory: URL

    init() throws { directory = try Fixtures.temporaryDirectory() }

    /// A CSV large enough to span many chunks.
    static func sampleCSV(rows: Int) -> [UInt8] {
        var text = "id,name,note\n"
        for i in 1...rows { text += "\(i),name \(i),\"note, with comma \(i)\"\n" }
        return Array(text.utf8)
    }

    @Test(arguments: Inflater.available) func singleMember(inflater: Inflater) throws {
        let plain = Self.sampleCSV(rows: 5000)
        let path = try writeFile(try gzip(plain), name: "one.csv.gz", in: directory)
        let (bytes, compression) = try readAllBytes(path, inflater: inflater)
        #expect(compression == .gzip)
        #expect(bytes == plain)
        let result = try readCSV(path, inflater: inflater)
        #expect(result.rows.count == 5000)
        #expect(result.failure == nil)
    }

    @Test(arguments: Inflater.available) func multiMemberIsReadWhole(inflater: Inflater) throws {
        let a = Array("id,x\n1,a\n2,b\n".utf8)
        let b = Array("3,c\n4,d\n".utf8)
        let c = Self.sampleCSV(rows: 3000).dropFirst(13)   // without its header
        let path = try writeFile(try gzip(a) + gzip(b) + gzip(Array(c)), name: "multi.csv.gz", in: directory)
        let (bytes, _) = try readAllBytes(path, chunkSize: 4096, inflater: inflater)
        #expect(bytes == a + b + Array(c))
    }

    @Test(arguments: Inflater.available) func emptyInputs(inflater: Inflater) throws {
        let zeroBytes = try writeFile([], name: "zero.csv.gz", in: directory)
        let (plain, plainCompression) = try readAllBytes(zeroBytes, inflater: inflater)
        #expect(plainCompression == .none)
        #expect(plain.isEmpty)

        let emptyMember = try writeFile(try gzip([]), name: "empty.csv.gz", in: directory)
        let (inflated, compression) = try readAllBytes(emptyMember, inflater: inflater)
        #expect(compression == .gzip)
        #expect(inflated.isEmpty)
        let result = try readCSV(emptyMember, inflater: inflater)
        #expect(result.failure == nil && result.rows.isEmpty && result.errors.isEmpty)
    }

    @Test(arguments: Inflater.available) func truncatedStopsWithOffsetAndKeepsEarlierRecords(inflater: Inflater) throws {
        let compressed = try gzip(Self.sampleCSV(rows: 50_000))
        let cut = compressed.count / 2
        let path = try writeFile(Array(compressed.prefix(cut)), name: "cut.csv.gz", in: directory)
        let result = try readCSV(path, inflater: inflater)
        let failure = try #require(result.failure)
        #expect(failure.kind == .gzipTruncated)
        #expect(failure.offset == Int64(cut))
        #expect(failure.file == path)
        #expect(failure.description.contains("(at byte \(cut))"))
        // Records before the damage are all there, numbered in order.
        #expect(result.rows.count > 1000)
        for (index, row) in result.rows.enumerated() { #expect(row[0] == "\(index + 1)") }
        // The record cut in half is reported, not passed on.
        #expect(result.errors.map(\.kind) == [.incompleteRecord])
    }

    @Test(arguments: Inflater.available) func corruptCRCIsDetected(inflater: Inflater) throws {
        let plain = Self.sampleCSV(rows: 2000)
        var compressed = try gzip(plain)
        compressed[compressed.count - 8] ^= 0xFF   // first byte of the CRC-32 trailer
        let path = try writeFile(compressed, name: "crc.csv.gz", in: directory)
        let result = try readCSV(path, inflater: inflater)
        let failure = try #require(result.failure)
        #expect(failure.kind == .gzipCorrupt)
        #expect(failure.message.contains("incorrect data check"))
        #expect(result.rows.count == 2000)   // the data itself inflated before the trailer check
    }

    @Test(arguments: Inflater.available) func corruptDataIsDetected(inflater: Inflater) throws {
        var compressed = try gzip(Self.sampleCSV(rows: 20_000))
        for i in 200..<260 { compressed[i] ^= 0x5A }
        let path = try writeFile(compressed, name: "bad.csv.gz", in: directory)
        let result = try readCSV(path, inflater: inflater)
        let failure = try #require(result.failure)
        #expect(failure.kind == .gzipCorrupt)
        #expect((failure.offset ?? 0) > 0)
    }

    @Test func notGzipDespiteTheName() throws {
        let path = try writeFile("id,x\n1,a\n", name: "plain.csv.gz", in: directory)
        let (bytes, compression) = try readAllBytes(path)
        #expect(compression == .none)
        #expect(bytes == Array("id,x\n1,a\n".utf8))
    }

    @Test(arguments: Inflater.available) func trailingZerosAreIgnoredButOtherTrailingDataIsAnError(inflater: Inflater) throws {
        let member = try gzip(Array("id\n1\n".utf8))
        let padded = try writeFile(member + [UInt8](repeating: 0, count: 512), name: "pad.gz", in: directory)
        #expect(try readAllBytes(padded, inflater: inflater).bytes == Array("id\n1\n".utf8))

        let garbage = try writeFile(member + Array("junk".utf8), name: "junk.gz", in: directory)
        #expect(throws: InputError.self) { _ = try readAllBytes(garbage, inflater: inflater) }
        let result = try readCSV(garbage, inflater: inflater)
        #expect(result.failure?.kind == .gzipTrailingData)
        #expect(result.failure?.offset == Int64(member.count))
        #expect(result.rows == [["1"]])
    }

    @Test func missingFileIsNotFound() throws {
        #expect(throws: InputError.self) { _ = try OpenedInput(InputFile(path: directory.appendingPathComponent("nope.csv").path)) }
        let failure = try readCSV(directory.appendingPathComponent("nope.csv").path).failure
        #expect(failure?.kind == .notFound)
    }

    @Test func directoriesExpandSortedAndRecursive() throws {
        let root = directory.appendingPathComponent("exports")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("dt=2"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("dt=1"), withIntermediateDirectories: true)
        _ = try writeFile("b", name: "dt=2/part-0.csv", in: root)
        _ = try writeFile("a", name: "dt=1/part-1.csv", in: root)
        _ = try writeFile("a", name: "dt=1/part-0.csv", in: root)
        _ = try writeFile("x", name: ".hidden.csv", in: root)
        let files = try InputFile.resolve([root.path])
        #expect(files.map { String($0.path.dropFirst(root.path.count)) } == ["/dt=1/part-0.csv", "/dt=1/part-1.csv", "/dt=2/part-0.csv"])
        #expect(throws: InputError.self) { _ = try InputFile.resolve(["-", "-"]) }
    }
}

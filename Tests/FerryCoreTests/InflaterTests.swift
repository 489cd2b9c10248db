import Foundation
import Testing
@testable import FerryCore

/// ISA-L and zlib must give the same bytes and the same verdicts on damage. The damage cases
/// (truncation, bad CRC, corrupt data, trailing data) run for each inflater in GzipInputTests.
@Suite struct InflaterTests {
    let directory: URL

    init() throws { directory = try Fixtures.temporaryDirectory() }

    /// Text with long repeats, short matches and stretches of noise that deflate stores or
    /// codes with fixed Huffman tables, so every kind of block appears.
    static func mixedBytes(count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        while bytes.count < count {
            switch next() % 3 {
            case 0: bytes += Array("\(next() % 100_000),user-\(next() % 5000),\"Zürich, CH\",2024-05-0\(next() % 9 + 1)\n".utf8)
            case 1: for _ in 0..<(next() % 2000) { bytes.append(UInt8(truncatingIfNeeded: next())) }
            default: bytes += [UInt8](repeating: UInt8(next() % 26 + 97), count: Int(next() % 300))
            }
        }
        return Array(bytes.prefix(count))
    }

    @Test func bothInflatersGiveTheSameBytes() throws {
        let plain = Self.mixedBytes(count: 3 << 20)
        let members = try gzip(Array(plain[..<100_000]), level: 1) + gzip(Array(plain[100_000...]), level: 9)
        let files = [
            try writeFile(try gzip(plain, level: 1), name: "fast.gz", in: directory),
            try writeFile(try gzip(plain, level: 9), name: "best.gz", in: directory),
            try writeFile(members, name: "members.gz", in: directory),
        ]
        for file in files {
            for inflater in Inflater.available {
                for chunkSize in [1000, 65_536, OpenedInput.defaultChunkSize] {
                    let (bytes, compression) = try readAllBytes(file, chunkSize: chunkSize, inflater: inflater)
                    #expect(compression == .gzip)
                    #expect(bytes == plain, "\(inflater) with chunks of \(chunkSize) bytes on \(file)")
                }
            }
        }
    }

    /// A member with every optional header field: extra, name, comment and a header CRC.
    @Test(arguments: Inflater.available) func optionalHeaderFieldsAreSkipped(inflater: Inflater) throws {
        let plain = Array("id,name\n1,Ann\n2,Bo\n".utf8)
        let plainMember = try gzip(plain)
        var header: [UInt8] = [0x1F, 0x8B, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3]
        header += [4, 0, 0x41, 0x42, 0, 0]         // FEXTRA: 4 bytes of subfield
        header += Array("export.csv".utf8) + [0]  // FNAME
        header += Array("nightly".utf8) + [0]     // FCOMMENT
        let crc = Self.crc32(header)
        header += [UInt8(crc & 0xFF), UInt8((crc >> 8) & 0xFF)]   // FHCRC: low 16 bits of the CRC-32
        // gzip -c from a pipe writes a bare 10-byte header; the deflate data and trailer follow it.
        let member = header + plainMember.dropFirst(10)
        let path = try writeFile(member + member, name: "fields.gz", in: directory)
        #expect(try readAllBytes(path, inflater: inflater).bytes == plain + plain)
    }

    @Test(arguments: Inflater.available) func wrongLengthInTheTrailerIsDetected(inflater: Inflater) throws {
        var compressed = try gzip(GzipInputTests.sampleCSV(rows: 500))
        compressed[compressed.count - 4] ^= 0x01   // ISIZE, the uncompressed length mod 2^32
        let path = try writeFile(compressed, name: "size.gz", in: directory)
        let result = try readCSV(path, inflater: inflater)
        #expect(result.failure?.kind == .gzipCorrupt)
        #expect(result.rows.count == 500)
    }

    @Test func isalIsPreferredWhereItLoads() {
        let forcedZlib = ProcessInfo.processInfo.environment["FERRY_INFLATE"] == "zlib"
        #expect(Inflater.preferred == (Inflater.isalAvailable && !forcedZlib ? .isal : .zlib))
        #expect(Inflater.available.contains(.zlib))
        // CI installs libisal-dev and sets FERRY_REQUIRE_ISAL, so the ISA-L path is the one tested there.
        if ProcessInfo.processInfo.environment["FERRY_REQUIRE_ISAL"] == "1" {
            #expect(Inflater.isalAvailable, "libisal-dev is installed but ISA-L did not load")
        }
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

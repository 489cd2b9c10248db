import Foundation
import FerryCore

/// Rows of `group_order: any` written to temporary partition files when they no longer fit
/// in memory. Rows are partitioned by a hash of their group key, so every group lies in one
/// partition; each partition is read back and grouped on its own, and one that is still too
/// large is partitioned again with another hash.
final class GroupSpill {
    let directory: URL
    let seed: Int
    private var files: [OutputFile]
    private var paths: [String]
    private var scratch: [UInt8] = []

    static let partitions = 16

    init(seed: Int, parent: URL? = nil) throws(OutputError) {
        let base = parent ?? FileManager.default.temporaryDirectory
        let directory = base.appendingPathComponent("ferry-groups-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: directory.path, message: "cannot create a spill directory: \(error.localizedDescription)")
        }
        self.directory = directory
        self.seed = seed
        paths = (0..<Self.partitions).map { directory.appendingPathComponent("part-\($0)").path }
        files = []
        for path in paths { files.append(try OutputFile(path: path, background: false)) }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    private func partition(of key: String) -> Int {
        var hasher = Hasher()
        hasher.combine(seed)
        hasher.combine(key)
        return Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.partitions))
    }

    func write(_ row: HeldRow, key: String) throws(OutputError) {
        scratch.removeAll(keepingCapacity: true)
        Self.encode(row, key: key, into: &scratch)
        try files[partition(of: key)].write(scratch)
    }

    /// Closes the partitions and hands each one to `body` as a reader of its rows (in input
    /// order) with the partition's size in bytes.
    func drain(columns: [Int: [String]], _ body: (SpillReader, Int) throws(OutputError) -> Void) throws(OutputError) {
        for file in files { try file.close() }
        for path in paths {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw OutputError(path: path, message: "cannot read back a spill file")
            }
            defer {
                try? handle.close()
                try? FileManager.default.removeItem(atPath: path)
            }
            try body(SpillReader(handle: handle, path: path, columns: columns), size)
        }
    }

    // MARK: Encoding

    static func encode(_ row: HeldRow, key: String, into out: inout [UInt8]) {
        func int(_ value: Int) { withUnsafeBytes(of: Int64(value).littleEndian) { out.append(contentsOf: $0) } }
        func bytes(_ data: some Collection<UInt8>) { int(data.count); out.append(contentsOf: data) }
        switch row.storage {
        case .csv(let owned):
            out.append(0)
            int(row.fileIndex); int(owned.line); int(owned.recordNumber)
            bytes(key.utf8)
            let view = owned.row
            int(view.count)
            for index in 0..<view.count { bytes(view[index]) }
        case .ndjson(let record):
            out.append(1)
            int(row.fileIndex); int(record.line); int(record.recordNumber)
            bytes(key.utf8)
            bytes(JSONWriter.serialize(.object(record.object)) as [UInt8])
        }
    }

}

/// Reads spilled rows back one at a time, with a small buffer.
final class SpillReader {
    private let handle: FileHandle
    private let path: String
    private let columns: [Int: [String]]
    private var buffer: [UInt8] = []
    private var at = 0
    private var finished = false

    init(handle: FileHandle, path: String, columns: [Int: [String]]) {
        self.handle = handle
        self.path = path
        self.columns = columns
    }

    private var damaged: OutputError { OutputError(path: path, message: "a spill file is damaged") }

    /// Makes `count` bytes available at `at`; false at a clean end of the file.
    private func ensure(_ count: Int) throws(OutputError) -> Bool {
        while buffer.count - at < count {
            if finished { return false }
            if at > 0 {
                buffer.removeFirst(at)
                at = 0
            }
            let chunk = (try? handle.read(upToCount: max(1 << 20, count))) ?? nil
            guard let chunk, !chunk.isEmpty else {
                finished = true
                continue
            }
            buffer.append(contentsOf: chunk)
        }
        return true
    }

    private func int() throws(OutputError) -> Int {
        guard try ensure(8) else { throw damaged }
        var value: Int64 = 0
        for i in 0..<8 { value |= Int64(buffer[at + i]) << (8 * i) }
        at += 8
        return Int(value)
    }

    private func bytes() throws(OutputError) -> [UInt8] {
        let count = try int()
        guard count >= 0, try ensure(count) else { throw damaged }
        defer { at += count }
        return Array(buffer[at..<(at + count)])
    }

    /// The next row and its group key, or nil at the end.
    func next() throws(OutputError) -> (key: String, row: HeldRow)? {
        guard try ensure(1) else { return nil }
        let kind = buffer[at]
        at += 1
        let fileIndex = try int(), line = try int(), recordNumber = try int()
        let key = String(decoding: try bytes(), as: UTF8.self)
        let fileColumns = columns[fileIndex] ?? []
        if kind == 0 {
            let count = try int()
            var fields: [[UInt8]] = []
            fields.reserveCapacity(count)
            for _ in 0..<count { fields.append(try bytes()) }
            let owned = OwnedCSVRow(fields: fields, recordNumber: recordNumber, line: line)
            return (key, HeldRow(storage: .csv(owned), fileIndex: fileIndex, columns: fileColumns))
        }
        guard case .object(let object)? = try? JSONParser.parse(try bytes()) else { throw damaged }
        let record = NDJSONRecord(recordNumber: recordNumber, line: line, object: object)
        return (key, HeldRow(storage: .ndjson(record), fileIndex: fileIndex, columns: fileColumns))
    }
}

import Foundation
import FerryCore
import FerryVendors

/// `convert -o DIR/`: one file per request body (`request-000001.json`), byte for byte what
/// `load` sends, plus `requests.ndjson` listing method, path, record count and size of each.
public final class DirectorySink: BatchSink {
    public let directory: String
    private let index: OutputFile
    private let method: String
    private let path: String

    public init(directory: String, target: Target) throws(OutputError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: directory, message: "cannot create directory: \(error.localizedDescription)")
        }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if existing.contains(where: { $0.hasPrefix("request-") || $0 == "requests.ndjson" }) {
            throw OutputError(path: directory, message: "already holds request files from an earlier run; choose an empty directory")
        }
        method = target.endpoint.method.rawValue
        path = target.endpoint.path
        index = try OutputFile(path: (directory as NSString).appendingPathComponent("requests.ndjson"))
    }

    public static func fileName(for batch: Batch) -> String {
        let number = String(batch.index + 1)
        return "request-" + String(repeating: "0", count: max(0, 6 - number.count)) + number + ".json"
    }

    public func consume(_ batch: Batch) throws(OutputError) {
        let name = Self.fileName(for: batch)
        try OutputFile.writeWhole(path: (directory as NSString).appendingPathComponent(name), bytes: batch.body)
        var line = JSONWriter(capacity: 160)
        line.beginObject()
        line.writeKey("request"); line.writeInt(Int64(batch.index + 1))
        line.writeKey("method"); line.writeString(method)
        line.writeKey("path"); line.writeString(batch.path ?? path)
        line.writeKey("records"); line.writeInt(Int64(batch.records.count))
        line.writeKey("bytes"); line.writeInt(Int64(batch.body.count))
        line.writeKey("file"); line.writeString(name)
        line.endObject()
        try index.write(line.bytes)
        try index.write("\n")
    }

    public func finish() throws(OutputError) {
        try index.close()
    }
}

/// `convert -o FILE.ndjson[.gz]` (or `-`): one record per line, without the envelope.
public final class RecordLinesSink: BatchSink {
    private let output: OutputFile

    public init(path: String) throws(OutputError) {
        output = try OutputFile(path: path, gzip: path.hasSuffix(".gz"))
    }

    private var lines: [UInt8] = []

    /// The records sit in the body separated by single commas; copying that stretch once and
    /// turning each separator into a line feed gives the lines.
    public func consume(_ batch: Batch) throws(OutputError) {
        guard let first = batch.recordRanges.first, let last = batch.recordRanges.last else { return }
        lines.removeAll(keepingCapacity: true)
        lines.append(contentsOf: batch.body[first.lowerBound..<last.upperBound])
        for range in batch.recordRanges.dropLast() {
            lines[range.upperBound - first.lowerBound] = 0x0A
        }
        lines.append(0x0A)
        try output.write(lines)
    }

    public func finish() throws(OutputError) {
        try output.close()
    }
}

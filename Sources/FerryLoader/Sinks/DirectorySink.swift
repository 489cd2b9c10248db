import Foundation
import FerryCore
import FerryVendors

/// `convert -o DIR/`: one file per request body, byte for byte what `load` sends
/// (`request-000001.json`; `.multipart` for file uploads; no file for requests without a
/// body), plus `requests.ndjson` listing method, path, record count, size and file of each.
public final class DirectorySink: BatchSink {
    public let directory: String
    private let index: OutputFile
    private let method: String
    private let path: String
    /// File extension of request bodies; nil when requests have no body.
    private let fileExtension: String?

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
        switch target.envelope {
        case .none: fileExtension = nil
        case .multipartCSV: fileExtension = "multipart"
        default: fileExtension = "json"
        }
        index = try OutputFile(path: (directory as NSString).appendingPathComponent("requests.ndjson"))
    }

    public static func fileName(for batch: Batch, extension fileExtension: String = "json") -> String {
        let number = String(batch.index + 1)
        return "request-" + String(repeating: "0", count: max(0, 6 - number.count)) + number + "." + fileExtension
    }

    public func consume(_ batch: Batch) throws(OutputError) {
        var name: String?
        if let fileExtension {
            let file = Self.fileName(for: batch, extension: fileExtension)
            try OutputFile.writeWhole(path: (directory as NSString).appendingPathComponent(file), bytes: batch.body)
            name = file
        }
        var line = JSONWriter(capacity: 160)
        line.beginObject()
        line.writeKey("request"); line.writeInt(Int64(batch.index + 1))
        line.writeKey("method"); line.writeString(method)
        line.writeKey("path"); line.writeString(batch.path ?? path)
        line.writeKey("records"); line.writeInt(Int64(batch.records.count))
        line.writeKey("bytes"); line.writeInt(Int64(batch.body.count))
        line.writeKey("file")
        if let name { line.writeString(name) } else { line.writeNull() }
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

    /// The records sit in the body separated by single commas; copying that stretch (with the
    /// byte after it) into the output's buffer and turning each separator there into a line
    /// feed gives the lines.
    public func consume(_ batch: Batch) throws(OutputError) {
        guard let first = batch.recordRanges.first, let last = batch.recordRanges.last else { return }
        let ranges = batch.recordRanges
        let end = last.upperBound
        try batch.body.withUnsafeBufferPointer { (body) throws(OutputError) in
            if end < body.count {
                // The body's byte after the last record (its closing bracket) becomes the last line feed.
                try output.write(UnsafeBufferPointer(rebasing: body[first.lowerBound...end])) { copy in
                    for range in ranges { copy[range.upperBound - first.lowerBound] = 0x0A }
                }
            } else {
                try output.write(UnsafeBufferPointer(rebasing: body[first.lowerBound..<end])) { copy in
                    for range in ranges.dropLast() { copy[range.upperBound - first.lowerBound] = 0x0A }
                }
                try output.write([0x0A])
            }
        }
    }

    public func finish() throws(OutputError) {
        try output.close()
    }
}

import FerryCore
import FerryMapping
import NIOConcurrencyHelpers

/// `--dead-letters FILE`: every row not delivered, one JSON object per line, readable back
/// as NDJSON input. The row's original fields stay at the top level (CSV values as strings,
/// NDJSON members as they were); what happened is under the reserved key `_ferry`:
/// `{"_ferry": {"file", "line", "record", "stage", "kind", "reason", "errors": [...], "raw"}, ...fields}`.
/// Secrets never reach it: it holds input data and ferry's own messages only. Safe to use
/// from several threads (the pipeline writes rows it refuses, the senders rows the vendor refuses).
public final class DeadLetterWriter: @unchecked Sendable {
    public static let metadataKey = "_ferry"

    public enum Stage: String, Sendable {
        /// The reader could not make a record of it (field count, quoting, UTF-8, JSON).
        case read
        /// The mapping or the target's schema refused it.
        case map
        /// The vendor refused it.
        case deliver
    }

    private let output: OutputFile
    private var writer = JSONWriter(capacity: 1024)
    private let lock = NIOLock()
    public private(set) var count = 0

    /// `append` adds to an existing file (a resumed load), a new gzip member for `.gz`.
    public init(path: String, append: Bool = false) throws(OutputError) {
        output = try OutputFile(path: path, gzip: path.hasSuffix(".gz"), append: append)
    }

    /// A row the reader rejected: only its raw text is known.
    public func write(_ error: RowError) throws(OutputError) {
        lock.lock()
        defer { lock.unlock() }
        writer.reset()
        writer.beginObject()
        writeMetadata(file: error.file, line: error.line, record: error.recordNumber, stage: .read,
                      kind: error.kind.rawValue, reason: error.message, errors: [], raw: error.rawText)
        writer.endObject()
        try emit()
    }

    /// A row the mapping or schema refused, with its original fields.
    public func write(row: SourceRow, columns: [String], file: String, stage: Stage, kind: String, reason: String,
                      errors: [FieldError]) throws(OutputError) {
        lock.lock()
        defer { lock.unlock() }
        writer.reset()
        writer.beginObject()
        writeMetadata(file: file, line: row.line, record: row.recordNumber, stage: stage, kind: kind, reason: reason,
                      errors: errors, raw: nil)
        switch row.materialized {
        case .csv(let csv):
            for index in 0..<min(columns.count, csv.count) where columns[index] != Self.metadataKey {
                writer.writeKey(columns[index])
                writer.writeString(bytes: csv[index])
            }
        case .ndjson(let record):
            for member in record.object.members where member.key != Self.metadataKey {
                writer.writeKey(member.key)
                writer.write(member.value)
            }
        case .ndjsonLine:
            break   // materialized above
        }
        writer.endObject()
        try emit()
    }

    private func writeMetadata(file: String, line: Int, record: Int, stage: Stage, kind: String, reason: String,
                               errors: [FieldError], raw: String?) {
        writer.writeKey(Self.metadataKey)
        writer.beginObject()
        writer.writeKey("file"); writer.writeString(file)
        writer.writeKey("line"); writer.writeInt(Int64(line))
        writer.writeKey("record"); writer.writeInt(Int64(record))
        writer.writeKey("stage"); writer.writeString(stage.rawValue)
        writer.writeKey("kind"); writer.writeString(kind)
        writer.writeKey("reason"); writer.writeString(reason)
        if !errors.isEmpty {
            writer.writeKey("errors")
            writer.beginArray()
            for error in errors {
                writer.beginObject()
                writer.writeKey("kind"); writer.writeString(error.kind.rawValue)
                writer.writeKey("field"); writer.writeString(error.field)
                if let column = error.column { writer.writeKey("column"); writer.writeString(column) }
                if let value = error.value { writer.writeKey("value"); writer.writeString(value) }
                writer.writeKey("reason"); writer.writeString(error.reason)
                writer.endObject()
            }
            writer.endArray()
        }
        if let raw { writer.writeKey("raw"); writer.writeString(raw) }
        writer.endObject()
    }

    private func emit() throws(OutputError) {
        writer.appendByte(0x0A)
        try output.write(writer.bytes)
        count += 1
    }

    public func close() throws(OutputError) {
        lock.lock()
        defer { lock.unlock() }
        try output.close()
    }
}

import FerryCore

/// The row being mapped: a CSV record (borrowed from the reader), an NDJSON object, or an
/// NDJSON line scanned for the mapping's paths (borrowed from the reader).
public enum SourceRow {
    case csv(CSVRow)
    case ndjson(NDJSONRecord)
    case ndjsonLine(NDJSONLine)

    public var line: Int {
        switch self {
        case .csv(let row): return row.line
        case .ndjson(let record): return record.line
        case .ndjsonLine(let scanned): return scanned.line
        }
    }

    public var recordNumber: Int {
        switch self {
        case .csv(let row): return row.recordNumber
        case .ndjson(let record): return record.recordNumber
        case .ndjsonLine(let scanned): return scanned.recordNumber
        }
    }

    /// The row with an NDJSON line parsed whole, so that it can be kept or written out.
    public var materialized: SourceRow {
        if case .ndjsonLine(let scanned) = self { return .ndjson(scanned.record()) }
        return self
    }
}

/// Why a mapping cannot read a given input file.
public struct MappingBindError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let message: String

    public var description: String { "\(file): \(message)" }
}

import FerryCore

/// The row being mapped: a CSV record (borrowed from the reader) or an NDJSON object.
public enum SourceRow {
    case csv(CSVRow)
    case ndjson(NDJSONRecord)

    public var line: Int {
        switch self {
        case .csv(let row): return row.line
        case .ndjson(let record): return record.line
        }
    }

    public var recordNumber: Int {
        switch self {
        case .csv(let row): return row.recordNumber
        case .ndjson(let record): return record.recordNumber
        }
    }
}

/// Why a mapping cannot read a given input file.
public struct MappingBindError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let message: String

    public var description: String { "\(file): \(message)" }
}

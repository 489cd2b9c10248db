import FerryCore
import FerryMapping

/// A row kept beyond the reader's next call: while its group is collected, or while its
/// record is in flight to a vendor (for its dead letter).
public struct HeldRow: Sendable {
    enum Storage {
        case csv(OwnedCSVRow)
        case ndjson(NDJSONRecord)
    }

    let fileIndex: Int
    let storage: Storage
    /// The file's CSV columns, for dead letters (shared, not copied per row).
    let columns: [String]

    init(storage: Storage, fileIndex: Int, columns: [String]) {
        self.storage = storage
        self.fileIndex = fileIndex
        self.columns = columns
    }

    init(_ row: SourceRow, fileIndex: Int, columns: [String]) {
        self.fileIndex = fileIndex
        self.columns = columns
        switch row {
        case .csv(let csv): storage = .csv(OwnedCSVRow(csv))
        case .ndjson(let record): storage = .ndjson(record)
        case .ndjsonLine(let scanned): storage = .ndjson(scanned.record())
        }
    }

    /// A view of the row; for CSV valid while this value (and so its storage) lives.
    var source: SourceRow {
        switch storage {
        case .csv(let owned): return .csv(owned.row)
        case .ndjson(let record): return .ndjson(record)
        }
    }

    var line: Int {
        switch storage {
        case .csv(let owned): return owned.line
        case .ndjson(let record): return record.line
        }
    }

    /// Approximate memory held, for the grouping limit.
    var byteCount: Int {
        switch storage {
        case .csv(let owned): return owned.byteCount + 64
        case .ndjson: return 512
        }
    }
}

/// The rows of one group, in input order.
struct RowGroup {
    let key: String
    var rows: [HeldRow] = []
    var bytes = 0
    /// Input index of each row not kept because the group outgrew the limit.
    var overflowFiles: [Int] = []

    init(key: String) { self.key = key }

    var firstLine: Int { rows.first?.line ?? 0 }
    var lastLine: Int { rows.last?.line ?? 0 }
}

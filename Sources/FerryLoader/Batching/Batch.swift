/// Where a record came from, kept with it through batching and sending.
public struct RecordRef: Sendable, Equatable {
    /// Index into the run's input list.
    public var fileIndex: Int
    public var line: Int
    public var recordNumber: Int
    /// The record's number in the run (0-based, in input order). The pieces of a record the
    /// target splits over several requests share it.
    public var serial: Int
    /// Source rows the record was made of (a group's rows; 1 otherwise).
    public var rows: Int
    /// Requests the record is split over (Pyze profiles over 50 fields, Talon.One reservations
    /// of over 1,000 IDs); it counts as delivered when every piece is.
    public var pieces: Int

    public init(fileIndex: Int, line: Int, recordNumber: Int, serial: Int = 0, rows: Int = 1, pieces: Int = 1) {
        self.fileIndex = fileIndex
        self.line = line
        self.recordNumber = recordNumber
        self.serial = serial
        self.rows = rows
        self.pieces = pieces
    }
}

/// One request's worth of records, with its body exactly as it will be sent.
public struct Batch: Sendable {
    /// 0-based, in input order: batch boundaries are deterministic for the same inputs and options.
    public var index: Int
    /// The complete request body (envelope included).
    public var body: [UInt8]
    /// The records in body order.
    public var records: [RecordRef]
    /// Byte ranges of each record's JSON inside `body`, in the same order (for splitting).
    public var recordRanges: [Range<Int>]
    /// The request path with its parameters filled in, for targets whose path names the
    /// record (`/v2/customer_profiles/u123`); nil when the target's path is fixed.
    public var path: String? = nil
}

/// What `ferry inspect` learns about one input.
public struct InspectReport: Sendable {
    public struct Column: Sendable {
        public let name: String
        /// Records in which the column (NDJSON: the key) is absent.
        public var missing: Int = 0
        /// Records in which the value is empty (CSV: an empty field; NDJSON: null or "").
        public var empty: Int = 0
        public var type: ValueType = .empty
        /// A remark on the guess (for example, integers that look like epoch seconds).
        public var note: String?
        /// The first non-empty value seen, as text.
        public var example: String?
        var candidates: ValueType.Candidates = .all
        var sampled = 0

        public init(name: String) { self.name = name }
    }

    public let file: String
    public var compression: Compression = .none
    /// The library that inflated a gzip input.
    public var inflater: Inflater?
    public var format: InputFormat = .csv
    /// CSV and TSV only.
    public var delimiter: UInt8?
    public var hasHeader = true
    public var columns: [Column] = []
    public var records = 0
    public var rowErrors = 0
    public var errorsByKind: [RowError.Kind: Int] = [:]
    /// The first few row errors, in order.
    public var firstErrors: [RowError] = []
    /// The first few records, as JSON objects.
    public var head: [JSONValue] = []
    /// Records the type guess looked at.
    public var sampledRecords = 0
    public var storedBytes: Int64 = 0
    public var decodedBytes: Int64 = 0
    /// Set when the file could not be read to its end; counts cover what was read.
    public var failure: InputError?

    public init(file: String) { self.file = file }

    public func share(_ count: Int) -> Double {
        records == 0 ? 0 : Double(count) / Double(records)
    }
}

import FerryCore
import FerryVendors

/// Packs record JSON into request bodies within a target's record and byte limits.
/// Boundaries depend only on the records and limits, so a rerun forms the same batches.
public struct Batcher {
    public let envelope: Envelope
    /// `envelope == .none`, decided once: comparing the enum (it has payloads) on every
    /// record was a few percent of a run.
    private let hasNoBody: Bool
    public let maxRecords: Int
    public let maxBytes: Int
    /// Most fields (record weights) per request, when the target counts them.
    public let maxFields: Int?
    private var fields = 0
    private let prefix: [UInt8]
    private let suffix: [UInt8]
    /// Between two records: `,` in JSON arrays, a line feed in CSV uploads.
    private let separator: UInt8
    private var body: [UInt8] = []
    private var records: [RecordRef] = []
    private var ranges: [Range<Int>] = []
    /// The resolved request path of each record, for targets with path parameters (one record per request).
    private var paths: [String] = []
    private var nextIndex = 0
    /// Set by `add(_:ref:fields:path:)` for the record being added.
    private var pendingPath: String?

    /// Adds a record whose request goes to its own path (path parameters filled in).
    public mutating func add(_ record: UnsafeBufferPointer<UInt8>, ref: RecordRef, fields weight: Int = 0, path: String?) -> AddResult {
        pendingPath = path
        return add(record, ref: ref, fields: weight)
    }

    /// A batch handed back by `recycle`, whose arrays the next batch is built in: large
    /// bodies are not allocated (and page-faulted in) anew for every request, nor the record
    /// lists for every batch (two allocations and two frees a batch, where `convert` makes
    /// one batch for every one to three records for some targets).
    private var spare: Batch?
    /// Whole batches handed back by the consumer on another thread (`load`'s senders): the
    /// next batch is built in one of them, when there is one, before `spare` or new arrays.
    var spares: SpareBatches?
    /// The largest body taken so far: a new body reserves about that much, not the byte
    /// limit (1 MiB per single-event Pyze request was an mmap, page faults and an munmap
    /// per request once the sender kept every batch).
    private var largestBody = 0

    public enum AddResult {
        /// Added; no batch is complete yet.
        case added
        /// Added, and the batch that was full before it is ready.
        case completed(Batch)
        /// The record alone is larger than a request may be.
        case tooLarge(limit: Int)
    }

    /// `batchSize` lowers the target's record limit (it can never raise it).
    public init(envelope: Envelope, limits: RequestLimits, batchSize: Int? = nil) {
        self.envelope = envelope
        hasNoBody = envelope == .none
        let singleRecord = envelope == .single || envelope == .none
        maxRecords = singleRecord ? 1 : max(1, min(batchSize ?? limits.maxRecords, limits.maxRecords))
        maxBytes = limits.maxBytes
        maxFields = limits.maxFields
        switch envelope {
        case .objectArray(let key):
            var keyWriter = JSONWriter(capacity: 32)
            keyWriter.writeString(key)
            prefix = [UInt8]("{".utf8) + keyWriter.bytes + [UInt8](":[".utf8)
            suffix = Array("]}".utf8)
        case .array:
            prefix = Array("[".utf8)
            suffix = Array("]".utf8)
        case .single, .none:
            prefix = []
            suffix = []
        case .multipartCSV(let field, let fileName, let columns, let boundary):
            let header = columns.map(CSVRecordEncoder.escape).joined(separator: ",")
            prefix = Array(("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(fileName)\"\r\n"
                + "Content-Type: text/csv\r\n\r\n" + header + "\n").utf8)
            suffix = Array("\n\r\n--\(boundary)--\r\n".utf8)
        }
        if case .multipartCSV = envelope { separator = 0x0A } else { separator = UInt8(ascii: ",") }
        body.reserveCapacity(reservation)
    }

    /// What a new body reserves: room for the largest body so far and an eighth more (at least
    /// 4 KiB for bodies of many records; a one-record body is about its record's size, and
    /// the load queue holds hundreds of them).
    private var reservation: Int {
        min(maxBytes, 1 << 20, max(maxRecords == 1 ? 64 : 4096, largestBody + largestBody / 8))
    }

    /// The largest record JSON one request can hold (the byte limit less the envelope).
    public var largestRecord: Int { maxBytes - prefix.count - suffix.count }

    /// Bytes a body of the current records plus one of `count` bytes would take.
    private func sizeWith(_ count: Int) -> Int {
        if records.isEmpty { return prefix.count + count + suffix.count }
        return body.count + 1 + count + suffix.count
    }

    /// Adds one record's JSON. `fields` is its weight against `maxFields` (its top-level
    /// member count) and is ignored when the target does not count fields.
    public mutating func add(_ record: UnsafeBufferPointer<UInt8>, ref: RecordRef, fields weight: Int = 0) -> AddResult {
        if hasNoBody {
            // No body (DELETE with the identifier in the path): one request per record.
            var completed: Batch?
            if !records.isEmpty { completed = takeBatch() }
            records.append(ref)
            ranges.append(0..<0)
            if let path = pendingPath { paths.append(path) }
            pendingPath = nil
            return completed.map(AddResult.completed) ?? .added
        }
        let alone = prefix.count + record.count + suffix.count
        if alone > maxBytes { return .tooLarge(limit: maxBytes - prefix.count - suffix.count) }
        var completed: Batch?
        let overFields = maxFields.map { fields + weight > $0 } ?? false
        // Records of one request share its path: a record for another path starts a new request.
        let otherPath = pendingPath != nil && paths.last != nil && paths.last != pendingPath
        if !records.isEmpty && (records.count >= maxRecords || sizeWith(record.count) > maxBytes || overFields || otherPath) {
            completed = takeBatch()
        }
        fields += weight
        if records.isEmpty {
            body.append(contentsOf: prefix)
        } else {
            body.append(separator)
        }
        let start = body.count
        body.append(contentsOf: record)
        ranges.append(start..<body.count)
        records.append(ref)
        if let path = pendingPath { paths.append(path) }
        pendingPath = nil
        if let completed { return .completed(completed) }
        return .added
    }

    public mutating func add(_ record: [UInt8], ref: RecordRef, fields weight: Int = 0) -> AddResult {
        record.withUnsafeBufferPointer { add($0, ref: ref, fields: weight) }
    }

    /// The last, partly filled batch, if any.
    public mutating func finish() -> Batch? {
        records.isEmpty ? nil : takeBatch()
    }

    /// Gives a finished batch's storage back once its sink is done with it. Safe even if the
    /// sink kept the batch: its arrays are then shared and simply not reused in place.
    public mutating func recycle(_ batch: consuming Batch) {
        // With `spares`, the consumer hands the batch back itself once it is done with it.
        guard spares == nil else { return }
        spare = batch
    }

    private mutating func takeBatch() -> Batch {
        if !hasNoBody { body.append(contentsOf: suffix) }
        largestBody = max(largestBody, body.count)
        let batch = Batch(index: nextIndex, body: body, records: records, recordRanges: ranges,
                          path: paths.first)
        nextIndex += 1
        if var storage = spares?.take() ?? spare.take() {
            // The batch just made holds the arrays being filled: continue in a spare's. Swapped,
            // not assigned, so that the spare's arrays have no second owner when they are
            // emptied (an assignment left `storage` holding them, and emptying then copied).
            swap(&body, &storage.body)
            swap(&records, &storage.records)
            swap(&ranges, &storage.recordRanges)
            body.removeAll(keepingCapacity: true)
        } else {
            body = []
            body.reserveCapacity(reservation)
        }
        records.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
        paths.removeAll(keepingCapacity: true)
        fields = 0
        return batch
    }
}

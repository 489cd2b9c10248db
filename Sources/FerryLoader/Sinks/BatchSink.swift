import FerryCore

/// Where finished batches go: nowhere (validate), files (convert), or the vendor (load).
public protocol BatchSink: AnyObject {
    func consume(_ batch: Batch) throws(OutputError)
    /// Called once after the last batch; flushes and closes.
    func finish() throws(OutputError)
    /// Whether the sink wants each record's source rows (`keep(_:for:)`) to write dead
    /// letters for records the vendor refuses.
    var keepsRows: Bool { get }
    /// The source rows of the record with this serial, before its batch is consumed.
    func keep(_ rows: [HeldRow], for serial: Int)
    /// Checked after each batch: true stops reading (interrupted, or the vendor cannot go on).
    var stopRequested: Bool { get }
    /// Whether the sink is running short of batches, asked by the mapping threads before each
    /// block they take: nil when it takes them as fast as they come (files, validate).
    var batchesWanted: (@Sendable () -> Bool)? { get }
}

extension BatchSink {
    public var keepsRows: Bool { false }
    public func keep(_ rows: [HeldRow], for serial: Int) {}
    public var stopRequested: Bool { false }
    public var batchesWanted: (@Sendable () -> Bool)? { nil }
}

/// Discards batches (validate counts them; nothing is written or sent).
public final class NullSink: BatchSink {
    public init() {}
    public func consume(_ batch: Batch) throws(OutputError) {}
    public func finish() throws(OutputError) {}
}

/// Prints the first N request bodies to standard output, exactly as they would be sent,
/// then passes every batch on.
public final class PreviewSink: BatchSink {
    private let next: BatchSink
    private var remaining: Int
    private let output: OutputFile

    public init(count: Int, then next: BatchSink) throws(OutputError) {
        remaining = count
        self.next = next
        output = try OutputFile(path: "-")
    }

    public func consume(_ batch: Batch) throws(OutputError) {
        if remaining > 0 {
            remaining -= 1
            try output.write(batch.body)
            try output.write("\n")
        }
        try next.consume(batch)
    }

    public func finish() throws(OutputError) {
        try output.close()
        try next.finish()
    }
}

import FerryCore

/// Why a mapped record cannot be turned into what a vendor accepts.
public struct AdjustmentError: Error, Sendable, Equatable {
    /// An error kind for the report (`too_many_fields`, ...).
    public let kind: String
    public let message: String

    public init(kind: String, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// A vendor's last touches to a mapped record before it is batched: fields the vendor
/// wants that no mapping should have to spell out (Pyze's `type` and `appKey`), identifiers
/// derived from the record (a stable `messageId`), or splitting a record that is too wide
/// for one request into several. Runs once per valid record.
public protocol RecordAdjuster: Sendable {
    /// The record(s) to send for one mapped record, in order.
    func adjust(_ record: JSONObject) throws(AdjustmentError) -> [JSONObject]

    /// A problem that would make every record fail, found before any row is read (a missing
    /// environment variable the mapping does not make up for). `mappedFields` are the
    /// top-level fields the mapping writes.
    func preflight(mappedFields: Set<String>) -> AdjustmentError?

    /// Whether `adjust` returns every flat record (top-level members that are all scalars or
    /// null) whose members are among `fields` as the one record it was given, so the mapped
    /// bytes can be sent without parsing them back. False unless an adjuster knows better.
    func leavesUnchanged(flatRecordsWithFields fields: [String]) -> Bool

    /// `adjust` done on the mapped record's compact JSON bytes, when the adjuster can do so
    /// exactly: it appends to `out` the bytes `JSONWriter` would write for the one record
    /// `adjust` returns, and returns that record's top-level member count. Nil, with `out`
    /// untouched, when the caller must parse the record and call `adjust` (always, unless an
    /// adjuster knows better).
    func adjust(bytes record: UnsafeBufferPointer<UInt8>, into out: inout JSONWriter) -> Int?
}

extension RecordAdjuster {
    public func preflight(mappedFields: Set<String>) -> AdjustmentError? { nil }
    public func leavesUnchanged(flatRecordsWithFields fields: [String]) -> Bool { false }
    public func adjust(bytes record: UnsafeBufferPointer<UInt8>, into out: inout JSONWriter) -> Int? { nil }
}

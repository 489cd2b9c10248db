import Foundation
import FerryCore
import FerryVendors

/// Everything the sandbox accepted, in order, per target.
///
/// A ledger entry is one accepted record with the sequence number of the request it came in
/// (requests are numbered 1, 2, ... in arrival order over all vendors) and the fault injected
/// into that request, if any (`lost`: applied, but the client got no answer; `slow`: applied,
/// answered late). The record is:
/// - for batch envelopes (`{"events": [...]}`, `[...]`): each element, as sent;
/// - for a single-record body with no path parameters (Talon.One events and referrals, Pyze
///   events): the body, as sent;
/// - for endpoints with path parameters: `{"path": P, "parameters": {NAME: VALUE}, "body": B}`,
///   where P is the request path after the vendor prefix, as sent (percent-encoded), the
///   parameters are decoded, and B is the body (left out for DELETE customer_data); for the
///   coupons CSV import, B is one CSV row as an object of its non-empty cells (`usageLimit` a
///   number, `attributes` the parsed JSON object).
///
/// A ledger made with `keepsRecords: false` only counts (per target, and lost records), so
/// that `ferry load --sandbox` of any size runs in constant memory.
///
/// With a file, each accepted record is also appended to it as one NDJSON line:
/// `{"target": NAME, "sequence": N, "fault": "lost"?, "record": RECORD}`.
public actor SandboxLedger {
    public struct Entry: Sendable, Equatable {
        public let target: String
        public let sequence: UInt64
        public let record: JSONValue
        /// `lost` or `slow` when the request that carried the record had that fault.
        public let fault: FaultPlan.Kind?

        public init(target: String, sequence: UInt64, record: JSONValue, fault: FaultPlan.Kind?) {
            self.target = target
            self.sequence = sequence
            self.record = record
            self.fault = fault
        }

        /// Applied although the client never got the answer.
        public var responseLost: Bool { fault == .lost }
    }

    /// A record accepted more than once (identical canonical JSON: members sorted by key).
    public struct Duplicate: Sendable, Equatable {
        public let record: JSONValue
        /// The requests that carried it, in order.
        public let sequences: [UInt64]
    }

    private var entriesByTarget: [String: [Entry]] = [:]
    private let file: FileHandle?
    /// False: only counts are kept (`entries`, `records` and `duplicates` are empty).
    public let keepsRecords: Bool
    /// Neither records nor a file are kept: an accepted request's record count is all it needs.
    public nonisolated let onlyCounts: Bool
    private var countsByTarget: [String: Int] = [:]
    private var lostByTarget: [String: Int] = [:]

    /// A ledger in memory, also appended to the NDJSON file at `path` when given (created
    /// when missing, never truncated).
    public init(appendingTo path: String? = nil, keepsRecords: Bool = true) throws {
        self.keepsRecords = keepsRecords
        self.onlyCounts = !keepsRecords && path == nil
        if let path {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw SandboxError("cannot create the ledger file \(path)")
                }
            }
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw SandboxError("cannot open the ledger file \(path) for writing")
            }
            handle.seekToEndOfFile()
            file = handle
        } else {
            file = nil
        }
    }

    /// Records one accepted request's records.
    public func append(target: String, sequence: UInt64, records: [JSONValue], fault: FaultPlan.Kind?) {
        append(target: target, sequence: sequence, records: records, count: records.count, fault: fault)
    }

    /// Records an accepted request: its records, or, when the ledger only counts
    /// (``onlyCounts``), maybe only their number.
    func append(target: String, sequence: UInt64, accepted: VendorRoute.Accepted, fault: FaultPlan.Kind?) {
        append(target: target, sequence: sequence, records: accepted.records, count: accepted.count, fault: fault)
    }

    private func append(target: String, sequence: UInt64, records: [JSONValue], count: Int, fault: FaultPlan.Kind?) {
        precondition(records.count == count || onlyCounts, "SandboxLedger: records left out of a ledger that keeps them")
        countsByTarget[target, default: 0] += count
        if fault == .lost { lostByTarget[target, default: 0] += count }
        if keepsRecords {
            // Appended in place: taking the list out of the dictionary would copy it every time.
            entriesByTarget[target, default: []].append(contentsOf: records.map {
                Entry(target: target, sequence: sequence, record: $0, fault: fault)
            })
        }
        guard let file else { return }
        var lines = JSONWriter(capacity: 256 * records.count)
        for record in records {
            Self.writeLine(target: target, sequence: sequence, record: record, fault: fault, into: &lines)
        }
        if !lines.bytes.isEmpty { file.write(Data(lines.bytes)) }
    }

    private static func writeLine(target: String, sequence: UInt64, record: JSONValue, fault: FaultPlan.Kind?,
                                  into writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeKey("target"); writer.writeString(target)
        writer.writeKey("sequence"); writer.writeInt(Int64(sequence))
        if let fault { writer.writeKey("fault"); writer.writeString(fault.rawValue) }
        writer.writeKey("record"); writer.write(record)
        writer.endObject()
        writer.appendByte(UInt8(ascii: "\n"))
    }

    public func entries(for target: String) -> [Entry] {
        entriesByTarget[target] ?? []
    }

    /// The accepted records of `target`, in order.
    public func records(for target: String) -> [JSONValue] {
        entries(for: target).map(\.record)
    }

    /// Accepted records per target (targets with none are left out).
    public var counts: [String: Int] {
        countsByTarget.filter { $0.value > 0 }
    }

    /// Records of requests whose answer was lost, per target.
    public var lostCounts: [String: Int] {
        lostByTarget.filter { $0.value > 0 }
    }

    /// Records of `target` accepted more than once, in order of their first acceptance.
    public func duplicates(for target: String) -> [Duplicate] {
        var order: [[UInt8]] = []
        var seen: [[UInt8]: (record: JSONValue, sequences: [UInt64])] = [:]
        for entry in entries(for: target) {
            let key = PyzeEventAdjuster.canonicalJSON(entry.record)
            if seen[key] == nil { order.append(key); seen[key] = (entry.record, []) }
            seen[key]?.sequences.append(entry.sequence)
        }
        return order.compactMap { key in
            guard let found = seen[key], found.sequences.count > 1 else { return nil }
            return Duplicate(record: found.record, sequences: found.sequences)
        }
    }

    /// Targets that have accepted records.
    public var targets: [String] { counts.keys.sorted() }

    /// Forgets every entry (the file, if any, is kept as it is).
    public func reset() {
        entriesByTarget = [:]
        countsByTarget = [:]
        lostByTarget = [:]
    }
}

/// A sandbox failure that is not a vendor answer (a ledger file that cannot be opened, ...).
public struct SandboxError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

import FerryCore
import NIOConcurrencyHelpers

/// Accounts for every record the pipeline handed to the senders: how many of its pieces are
/// settled, whether the vendor refused any, and at the end how many rows of each input were
/// delivered or rejected. Holds each in-flight record's source rows (when dead letters are
/// written) and writes the dead letter of a record the vendor refuses.
final class DeliveryTracker: Sendable {
    private struct Open {
        var settledPieces = 0
        var refusal: String?
        var rows: [HeldRow]?
    }

    private struct State {
        var open: [Int: Open] = [:]
        var delivered: [Int]
        var rejected: [Int]
        var deadLetterFailure: OutputError?
        var rejectionCount = 0
        var rejectionExamples: [ErrorExample] = []
    }

    private let state: NIOLockedValueBox<State>
    private let deadLetters: DeadLetterWriter?
    private let fileNames: [String]

    init(fileNames: [String], deadLetters: DeadLetterWriter?) {
        self.fileNames = fileNames
        self.deadLetters = deadLetters
        state = NIOLockedValueBox(State(delivered: Array(repeating: 0, count: fileNames.count),
                                        rejected: Array(repeating: 0, count: fileNames.count)))
    }

    var keepsRows: Bool { deadLetters != nil }

    func keep(_ rows: [HeldRow], for serial: Int) {
        state.withLockedValue { $0.open[serial, default: Open()].rows = rows }
    }

    /// Pieces of records are settled: each delivered, or refused with its `refusal`. When a
    /// record's last piece is settled its rows count as delivered, or as rejected (with a dead
    /// letter) when any piece was refused. One lock for the whole answer, not one per record.
    /// `fromCheckpoint`: settled by an earlier run, whose dead letters already hold them.
    func settle(_ pieces: [(ref: RecordRef, refusal: String?)], fromCheckpoint: Bool = false) {
        let refused: [Open] = state.withLockedValue { state in
            var refused: [Open] = []
            for (ref, refusal) in pieces { Self.settle(ref, refusal: refusal, in: &state, refused: &refused, fileNames: fileNames) }
            return refused
        }
        guard !fromCheckpoint else { return }
        for entry in refused { write(entry.rows, kind: "vendor_rejected", reason: entry.refusal ?? "refused") }
    }

    /// `settle` for pieces the vendor accepted, all of them: `refs`, or those at `positions`.
    /// The answer to almost every request, settled without a list of (piece, refusal) pairs
    /// made and freed for it (1,000 for each Netcore request).
    func settleAccepted(_ refs: [RecordRef], at positions: [Int]? = nil) {
        let refused: [Open] = state.withLockedValue { state in
            var refused: [Open] = []
            if let positions {
                for k in positions { Self.settle(refs[k], refusal: nil, in: &state, refused: &refused, fileNames: fileNames) }
            } else {
                for ref in refs { Self.settle(ref, refusal: nil, in: &state, refused: &refused, fileNames: fileNames) }
            }
            return refused
        }
        // A record split over requests, an earlier piece of which was refused.
        for entry in refused { write(entry.rows, kind: "vendor_rejected", reason: entry.refusal ?? "refused") }
    }

    /// One piece of `ref` settled (refused with `refusal`, or delivered): the counts, and in
    /// `refused` the record's entry when this was its last piece and some piece was refused.
    @inline(__always)
    private static func settle(_ ref: RecordRef, refusal: String?, in state: inout State, refused: inout [Open],
                               fileNames: [String]) {
        // A whole record with no rows kept needs no entry: count it and go on.
        if ref.pieces == 1, refusal == nil, state.open[ref.serial] == nil {
            state.delivered[ref.fileIndex] += ref.rows
            return
        }
        var entry = state.open.removeValue(forKey: ref.serial) ?? Open()
        entry.settledPieces += 1
        if let refusal, entry.refusal == nil {
            entry.refusal = ref.pieces > 1 ? "\(refusal) (one of the \(ref.pieces) requests this record was split into; the others may have been applied)" : refusal
        }
        guard entry.settledPieces >= ref.pieces else {
            state.open[ref.serial] = entry
            return
        }
        guard let reason = entry.refusal else {
            state.delivered[ref.fileIndex] += ref.rows
            return
        }
        state.rejected[ref.fileIndex] += ref.rows
        state.rejectionCount += ref.rows
        if state.rejectionExamples.count < RunReport.examplesPerKind {
            state.rejectionExamples.append(ErrorExample(file: fileNames[ref.fileIndex], line: ref.line, field: nil,
                                                        column: nil, value: nil, message: reason))
        }
        refused.append(entry)
    }

    /// Rows never settled (the run stopped before they were sent): written as dead letters
    /// with `reason` when there is no checkpoint to send them from, so that none is lost.
    func writePending(reason: String) {
        let open = state.withLockedValue { state -> [Open] in
            let open = state.open.sorted { $0.key < $1.key }.map(\.value)
            return open
        }
        for entry in open { write(entry.rows, kind: "not_sent", reason: reason) }
    }

    private func write(_ rows: [HeldRow]?, kind: String, reason: String) {
        guard let deadLetters, let rows else { return }
        for row in rows {
            do throws(OutputError) {
                try deadLetters.write(row: row.source, columns: row.columns, file: fileNames[row.fileIndex],
                                      stage: .deliver, kind: kind, reason: reason, errors: [])
            } catch {
                state.withLockedValue { if $0.deadLetterFailure == nil { $0.deadLetterFailure = error } }
            }
        }
    }

    /// Rows the vendor refused, with the first few, for the report's `vendor_rejected` kind.
    var rejections: (count: Int, examples: [ErrorExample]) {
        state.withLockedValue { ($0.rejectionCount, $0.rejectionExamples) }
    }

    /// Rows delivered and rejected per input, and a dead-letter failure if one happened.
    var totals: (delivered: [Int], rejected: [Int], failure: OutputError?) {
        state.withLockedValue { ($0.delivered, $0.rejected, $0.deadLetterFailure) }
    }
}

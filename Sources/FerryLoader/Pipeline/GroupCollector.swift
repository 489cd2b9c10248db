import Foundation
import FerryCore
import FerryMapping

/// Forms groups from filtered rows, as `group_by` and `group_order` say.
///
/// - `consecutive` (default): rows with the same key in a row form one group, so memory holds
///   one group at a time. A key that comes back after its group ended is reported with both
///   line numbers (its rows are invalid, `group_reopened`); the keys of ended groups are
///   remembered as 64-bit hashes with their last line (a hash-table entry each), so that check
///   costs memory per group.
/// - `any`: groups may be spread over the input. They are collected in memory, in order of
///   first appearance, up to `memoryLimit` bytes of rows; past that every row goes to
///   temporary partition files by a hash of its key (`GroupSpill`), which are then grouped one
///   at a time (a partition still too large is partitioned again, up to three levels). The
///   cost: each spilled row is written and read once more, and groups come out in order of
///   first appearance within each partition rather than in input order.
struct GroupCollector {
    let order: GroupOrder
    /// Largest group kept (bytes of row data); a larger group's rows are invalid.
    let groupLimit: Int
    /// Total bytes of rows held by `any`.
    let memoryLimit: Int

    private var current: RowGroup?
    /// Hash of each ended group's key -> the line where it ended.
    private var ended = EndedGroups()
    private var open: [String: Int] = [:]
    private var pending: [RowGroup] = []
    private var held = 0
    private var spill: GroupSpill?
    /// Rows written to temporary files (each once, however deep the partitioning).
    private(set) var spilledRows = 0
    private var columnsByFile: [Int: [String]] = [:]
    /// Rows written to temporary files, per input index (what `abandon` gives back).
    private var spilledByFile: [Int: Int] = [:]

    /// Where spill directories are made; nil for the system's temporary directory.
    private let spillDirectory: URL?

    init(order: GroupOrder, groupLimit: Int = 16 << 20, memoryLimit: Int = 64 << 20, spillDirectory: URL? = nil) {
        self.order = order
        self.groupLimit = groupLimit
        self.memoryLimit = memoryLimit
        self.spillDirectory = spillDirectory
    }

    struct Outcome {
        /// Groups complete and ready to map.
        var completed: [RowGroup] = []
        /// Set when the row's key came back after its group ended at this line; the row is not held.
        var reopenedAfterLine: Int?
    }

    mutating func add(_ row: HeldRow, key: String) throws(OutputError) -> Outcome {
        var outcome = Outcome()
        switch order {
        case .consecutive:
            if var group = current, group.key == key {
                current = nil   // so that appending does not copy the rows
                append(row, to: &group)
                current = group
                return outcome
            }
            if let finished = current {
                ended.note(keyHash: finished.key.hashValue, line: finished.lastLine)
                outcome.completed = [finished]
                current = nil
            }
            if let line = ended.line(ofKeyHash: key.hashValue) {
                outcome.reopenedAfterLine = line
                return outcome
            }
            var group = RowGroup(key: key)
            append(row, to: &group)
            current = group
        case .any:
            if columnsByFile[row.fileIndex] == nil { columnsByFile[row.fileIndex] = row.columns }
            if let spill {
                try spill.write(row, key: key)
                spilledRows += 1
                spilledByFile[row.fileIndex, default: 0] += 1
                return outcome
            }
            if let index = open[key] {
                pending[index].rows.append(row)
            } else {
                open[key] = pending.count
                var group = RowGroup(key: key)
                group.rows.append(row)
                pending.append(group)
            }
            held += row.byteCount
            if held > memoryLimit {
                let spill = try GroupSpill(seed: 0, parent: spillDirectory)
                for group in pending {
                    for row in group.rows {
                        try spill.write(row, key: group.key)
                        spilledByFile[row.fileIndex, default: 0] += 1
                    }
                    spilledRows += group.rows.count
                }
                pending = []
                open = [:]
                held = 0
                self.spill = spill
            }
        }
        return outcome
    }

    private func append(_ row: HeldRow, to group: inout RowGroup) {
        if group.bytes + row.byteCount > groupLimit || !group.overflowFiles.isEmpty {
            group.overflowFiles.append(row.fileIndex)
            return
        }
        group.bytes += row.byteCount
        group.rows.append(row)
    }

    /// The line where the group of the key with this hash (`String.hashValue`) ended, if one
    /// did: for groups formed outside the collector (mapped in blocks), which must still meet
    /// the collector's check that a key does not come back.
    func endedLine(ofKeyHash hash: Int) -> Int? { ended.line(ofKeyHash: hash) }

    /// See `EndedGroups.warm`: before looking up a block's keys one by one.
    func warmEnded(_ keyHashes: some Sequence<Int>) -> Int { ended.warm(keyHashes) }

    /// Records that a group formed outside the collector ended at `line`.
    mutating func noteEnded(keyHash: Int, line: Int) { ended.note(keyHash: keyHash, line: line) }

    /// Drops every row held, unmapped, when the run stops early: how many rows of each input
    /// (by index) it dropped, so that they can be taken out of the rows counted as read.
    mutating func abandon() -> [Int: Int] {
        var dropped = spilledByFile
        var groups = pending
        if let current { groups.append(current) }
        for group in groups {
            for row in group.rows { dropped[row.fileIndex, default: 0] += 1 }
            for fileIndex in group.overflowFiles { dropped[fileIndex, default: 0] += 1 }
        }
        current = nil
        pending = []
        open = [:]
        held = 0
        spill = nil
        spilledByFile = [:]
        return dropped
    }

    /// At the end of an input: a consecutive group does not continue into the next file.
    mutating func endOfFile() -> [RowGroup] {
        guard order == .consecutive, let finished = current else { return [] }
        ended.note(keyHash: finished.key.hashValue, line: finished.lastLine)
        current = nil
        return [finished]
    }

    /// Hands every group still held to `handle` (for `any`, after reading back what was spilled).
    mutating func finish(_ handle: (RowGroup) -> Void) throws(OutputError) {
        for group in endOfFile() { handle(group) }
        let groups = pending
        pending = []
        open = [:]
        held = 0
        for group in groups { handle(limited(group)) }
        if let spill {
            self.spill = nil
            try drain(spill, depth: 0, handle)
        }
    }

    private func drain(_ spill: GroupSpill, depth: Int, _ handle: (RowGroup) -> Void) throws(OutputError) {
        try spill.drain(columns: columnsByFile) { reader, size throws(OutputError) in
            if size > memoryLimit && depth < 3 {
                let deeper = try GroupSpill(seed: depth + 1, parent: spill.directory)
                while let (key, row) = try reader.next() { try deeper.write(row, key: key) }
                try drain(deeper, depth: depth + 1, handle)
                return
            }
            var index: [String: Int] = [:]
            var groups: [RowGroup] = []
            while let (key, row) = try reader.next() {
                if let at = index[key] {
                    groups[at].rows.append(row)
                } else {
                    index[key] = groups.count
                    var group = RowGroup(key: key)
                    group.rows.append(row)
                    groups.append(group)
                }
            }
            for group in groups { handle(limited(group)) }
        }
    }

    /// Applies the per-group limit to a group collected whole.
    private func limited(_ group: RowGroup) -> RowGroup {
        var result = RowGroup(key: group.key)
        for row in group.rows { append(row, to: &result) }
        return result
    }
}

import FerryMapping

/// Forms groups from filtered rows, as `group_by` and `group_order` say.
///
/// - `consecutive` (default): rows with the same key in a row form one group, so memory holds
///   one group at a time. A key that comes back after its group ended is reported with both
///   line numbers (its rows are invalid, `group_reopened`); the keys of ended groups are
///   remembered as 64-bit hashes (16 bytes each), so that check costs memory per group.
/// - `any`: groups may be spread over the input. They are collected in memory, in order of
///   first appearance, up to `memoryLimit` bytes of rows; past that the run stops with
///   `group_memory_exceeded` rather than grow without bound (sort the input by the key).
struct GroupCollector {
    let order: GroupOrder
    /// Largest group kept (bytes of row data); a larger group's rows are invalid.
    let groupLimit: Int
    /// Total bytes of rows held by `any`.
    let memoryLimit: Int

    private var current: RowGroup?
    /// Hash of each ended group's key -> the line where it ended.
    private var ended: [Int: Int] = [:]
    private var open: [String: Int] = [:]
    private var pending: [RowGroup] = []
    private var held = 0

    init(order: GroupOrder, groupLimit: Int = 16 << 20, memoryLimit: Int = 256 << 20) {
        self.order = order
        self.groupLimit = groupLimit
        self.memoryLimit = memoryLimit
    }

    struct Outcome {
        /// Groups complete and ready to map.
        var completed: [RowGroup] = []
        /// Set when the row's key came back after its group ended at this line; the row is not held.
        var reopenedAfterLine: Int?
        /// `any` ran out of its memory budget.
        var memoryExceeded = false
    }

    mutating func add(_ row: HeldRow, key: String) -> Outcome {
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
                ended[finished.key.hashValue] = finished.lastLine
                outcome.completed = [finished]
                current = nil
            }
            if let line = ended[key.hashValue] {
                outcome.reopenedAfterLine = line
                return outcome
            }
            var group = RowGroup(key: key)
            append(row, to: &group)
            current = group
        case .any:
            if let index = open[key] {
                append(row, to: &pending[index])
            } else {
                open[key] = pending.count
                var group = RowGroup(key: key)
                append(row, to: &group)
                pending.append(group)
            }
            held += row.byteCount
            outcome.memoryExceeded = held > memoryLimit
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

    /// At the end of an input: a consecutive group does not continue into the next file.
    mutating func endOfFile() -> [RowGroup] {
        guard order == .consecutive, let finished = current else { return [] }
        ended[finished.key.hashValue] = finished.lastLine
        current = nil
        return [finished]
    }

    /// Everything still held.
    mutating func finish() -> [RowGroup] {
        var done = endOfFile()
        done += pending
        pending = []
        open = [:]
        held = 0
        return done
    }
}

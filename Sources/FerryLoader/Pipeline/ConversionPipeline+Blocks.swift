import FerryCore
import FerryMapping

/// Reading in blocks that other threads map (`--threads`), and accounting for the mapped
/// blocks in reading order exactly as the row-by-row path in `ConversionPipeline.run` would.
extension ConversionPipeline {
    /// Reads a file in blocks that the mapping threads map while the next ones are read, and
    /// accounts for each mapped block in reading order, just as rows mapped here would be.
    /// On a read failure the rows read before it are still accounted for. Blocks of a grouped
    /// mapping end where a group does; true unless one group grew too large for a block, in
    /// which case the caller groups the rest of the file row by row.
    func readInBlocks(_ stream: RecordStream, pool: MappingPool, fileIndex: Int, columns: [String]) throws(InputError) -> Bool {
        let source: MappedBlock.Source
        // The reader is taken out of its enum once, not for every row, and called unretained
        // (the stream keeps it alive): a strong reference was retained and released around
        // every row's `next()`.
        let csvReader: Unmanaged<CSVReader>?
        let ndjsonReader: Unmanaged<NDJSONReader>?
        switch stream.reader {
        case .csv(let reader):
            source = .csv(columns: columns)
            blockDecoder = nil
            (csvReader, ndjsonReader) = (.passUnretained(reader), nil)
        case .ndjson(let reader):
            let fileName = stream.input.file.displayName
            source = .ndjson(fileName: fileName, paths: reader.paths)
            blockDecoder = NDJSONLineDecoder(fileName: fileName, paths: reader.paths)
            (csvReader, ndjsonReader) = (nil, .passUnretained(reader))
        }
        let grouped = mapping.isGrouped
        let limit = options.limit
        let groupBlockLimit = collector.groupLimit / 2
        // The current block, and its storage held here so that each row does not retain and release it.
        var block = pool.block(fileIndex: fileIndex, source: source, grouped: grouped)
        var rows = block.rows
        var lines = block.lines
        defer {
            if !block.entries.isEmpty { pool.submit(block) }
            accountMapped(pool, untilFewerThan: 1)
        }
        // Grouped: once a block is full, the key of the group it must still take in whole.
        var seekingGroupEnd = false
        var lastKey: String?
        // The bytes the current block holds (rows or lines, whichever the file has).
        var bytes = 0
        while true {
            if let limit, rowsTaken >= limit {
                // As the row-by-row loop does: the limit is reached only if another row follows.
                if try !moreRows(stream) { break }
                report.limitReached = true
                break
            }
            if outputFailure != nil || stopped { break }
            if let csvReader {
                let next = csvReader._withUnsafeGuaranteedRef { reader in
                    Result { () throws(InputError) -> CSVEvent? in try reader.next() }
                }
                switch try next.get() {
                case .row(let row)?:
                    if seekingGroupEnd, mapper.passes(.csv(row)) {
                        let key = mapper.groupKey(.csv(row))
                        if let lastKey, key != lastKey {
                            // This row starts the next group, and so the next block.
                            (block, rows, lines) = nextBlock(after: block, pool: pool, fileIndex: fileIndex, source: source, grouped: grouped)
                            bytes = 0
                            seekingGroupEnd = false
                        }
                        lastKey = seekingGroupEnd ? key : nil
                    }
                    block.entries.append(.row(Int32(rows.count)))
                    bytes = rows.append(row)
                case .error(let rowError)?:
                    block.appendReadError(rowError)
                case nil:
                    return true
                }
            } else if let ndjsonReader {
                let next = ndjsonReader._withUnsafeGuaranteedRef { reader in
                    Result { () throws(InputError) -> NDJSONText? in try reader.nextText() }
                }
                switch try next.get() {
                case .line(let text, let line, let recordNumber)?:
                    block.entries.append(.row(Int32(lines.count)))
                    bytes = lines.append(text, line: line, recordNumber: recordNumber)
                case .error(let rowError)?:
                    block.appendReadError(rowError)
                case nil:
                    return true
                }
            }
            rowsTaken += 1
            // Blocks of long rows are handed on sooner, so that memory stays bounded.
            let full = block.entries.count >= pool.rowsPerBlock || bytes >= 1 << 22
            if grouped {
                if full { seekingGroupEnd = true }
                // No group held whole in a block may outgrow the limit a group has row by row.
                if bytes + 64 * rows.count > groupBlockLimit {
                    groupRowByRow(block, pool: pool)
                    return false
                }
                continue
            }
            if full {
                (block, rows, lines) = nextBlock(after: block, pool: pool, fileIndex: fileIndex, source: source, grouped: grouped)
                bytes = 0
            }
        }
        return true
    }

    /// Hands a filled block to the pool and starts the next, accounting for the mapped blocks
    /// once as many are in flight as keep the threads busy.
    private func nextBlock(after block: MappedBlock, pool: MappingPool, fileIndex: Int, source: MappedBlock.Source,
                           grouped: Bool) -> (MappedBlock, CSVRowBlock, NDJSONLineBlock) {
        pool.submit(block)
        let next = pool.block(fileIndex: fileIndex, source: source, grouped: grouped)
        accountMapped(pool, untilFewerThan: pool.depth)
        return (next, next.rows, next.lines)
    }

    /// A block whose group grew too large: the blocks before it are accounted for, then its
    /// rows go through the row-by-row grouping (the collector is empty between blocks), which
    /// the rest of the file then takes.
    private func groupRowByRow(_ block: MappedBlock, pool: MappingPool) {
        accountMapped(pool, untilFewerThan: 1)
        let fileIndex = block.fileIndex
        let columns = block.columns
        for entry in block.entries {
            if outputFailure != nil || stopped { break }
            rowsRead += 1
            report.files[fileIndex].counts.read += 1
            if let index = entry.rowIndex {
                collect(.csv(block.rows.row(index)), fileIndex: fileIndex, columns: columns)
            } else {
                unreadable(block.readError(entry), fileIndex: fileIndex)
            }
        }
        block.entries.removeAll()
        pool.recycle(block)
    }

    /// Whether the stream has another row or row error, which it then hands out no more.
    private func moreRows(_ stream: RecordStream) throws(InputError) -> Bool {
        switch stream.reader {
        case .csv(let reader): return try reader.next() != nil
        case .ndjson(let reader): return try reader.nextText() != nil
        }
    }

    /// Accounts for the mapped blocks at the head of the queue, in order, until fewer than
    /// `limit` blocks are in flight; mapping blocks here rather than waiting for the threads.
    private func accountMapped(_ pool: MappingPool, untilFewerThan limit: Int) {
        while true {
            if let mapped = pool.takeOldest(wait: false) {
                account(mapped)
                continue
            }
            guard pool.inFlightCount >= limit else { return }
            if !pool.mapWaiting(with: mapper, decoder: blockDecoder), let mapped = pool.takeOldest(wait: true) {
                account(mapped)
            }
        }
    }

    /// Accounts for a mapped block's rows in order, then gives the block back.
    private func account(_ block: MappedBlock) {
        defer { pool?.recycle(block) }
        if block.grouped { return accountGroups(block) }
        let fileIndex = block.fileIndex
        let columns = block.columns
        // Held here, so that each row does not retain and release them.
        let outcomes = block.outcomes
        let rows = block.rows
        let lines = block.lines
        let isCSV = if case .csv = block.source { true } else { false }
        block.output.withBytes { output in
            for entry in block.entries {
                if outputFailure != nil || stopped { return }
                rowsRead += 1
                report.files[fileIndex].counts.read += 1
                guard let i = entry.rowIndex else {
                    unreadable(block.readError(entry), fileIndex: fileIndex)
                    continue
                }
                let mapped = outcomes[i]
                let outcome: MapOutcome
                switch mapped.kind {
                case .filtered: outcome = .filtered
                case .invalid: outcome = .invalid(block.errorLists[Int(mapped.errors)])
                case .valid: outcome = .valid
                case .unreadable:
                    unreadable(block.rowErrors[Int(mapped.errors)], fileIndex: fileIndex)
                    continue
                }
                let start = i == 0 ? 0 : outcomes[i - 1].end
                let record = UnsafeBufferPointer(rebasing: output[start..<mapped.end])
                if isCSV {
                    let row = rows.row(i)
                    account({ .csv(row) }, line: row.line, recordNumber: row.recordNumber, outcome, record: record,
                            flat: mapped.flat, fields: mapped.fields, fileIndex: fileIndex, columns: columns)
                } else {
                    // The line is decoded again here only when its row is kept or rejected.
                    let text = lines.line(i)
                    account({ decodedRow(text) }, line: text.line, recordNumber: text.recordNumber, outcome,
                            record: record, flat: mapped.flat, fields: mapped.fields, fileIndex: fileIndex, columns: columns)
                }
            }
        }
    }

    /// Accounts for a grouped block's rows in order, as the row-by-row grouping would: a
    /// group is accounted for where the row after it (or the block's end) would complete it,
    /// and a key that comes back after its group ended makes each of its rows invalid.
    private func accountGroups(_ block: MappedBlock) {
        let fileIndex = block.fileIndex
        let columns = block.columns
        let rows = block.rows
        let rowGroups = block.rowGroups
        let groups = block.groups
        cacheWarmth &+= collector.warmEnded(groups.lazy.map(\.keyHash))
        block.output.withBytes { output in
            var open = -1
            var openRows = groupRowScratch
            openRows.removeAll(keepingCapacity: true)
            defer { groupRowScratch = openRows }
            /// Set while `open` is a key that came back: the line where its group ended.
            var reopenedAfter: Int?
            func closeOpen() {
                defer { open = -1 }
                guard open >= 0, reopenedAfter == nil, let last = openRows.last else { return }
                let group = groups[open]
                collector.noteEnded(keyHash: group.keyHash, line: rows.row(last).line)
                switch group.kind {
                case .filtered, .unreadable:
                    return
                case .invalid:
                    rejectBlockRows(openRows, of: block, errors: block.errorLists[Int(group.errors)])
                case .valid:
                    let first = rows.row(openRows[0])
                    let ref = RecordRef(fileIndex: fileIndex, line: first.line, recordNumber: first.recordNumber,
                                        serial: nextSerial, rows: openRows.count)
                    if let errors = deliver(ref, record: block.groupRecord(open, in: output), flat: group.flat, fields: group.fields) {
                        rejectBlockRows(openRows, of: block, errors: errors)
                    } else {
                        if keepsRows {
                            sink.keep(openRows.map { HeldRow(.csv(rows.row($0)), fileIndex: fileIndex, columns: columns) },
                                      for: ref.serial)
                        }
                        report.files[fileIndex].counts.valid += openRows.count
                    }
                }
            }
            for entry in block.entries {
                if outputFailure != nil || stopped { break }
                guard let i = entry.rowIndex else {
                    rowsRead += 1
                    report.files[fileIndex].counts.read += 1
                    unreadable(block.readError(entry), fileIndex: fileIndex)
                    continue
                }
                let group = Int(rowGroups[i])
                if group >= 0, group != open {
                    closeOpen()
                    if outputFailure != nil || stopped { break }
                    open = group
                    openRows.removeAll(keepingCapacity: true)
                    reopenedAfter = collector.endedLine(ofKeyHash: groups[group].keyHash)
                }
                rowsRead += 1
                report.files[fileIndex].counts.read += 1
                if group < 0 {
                    report.files[fileIndex].counts.filtered += 1
                } else if let endedAt = reopenedAfter {
                    let row = SourceRow.csv(rows.row(i))
                    report.files[fileIndex].counts.invalid += 1
                    reject(row, errors: [reopened(row, key: mapper.groupKey(row), endedAt: endedAt)], columns: columns, fileIndex: fileIndex)
                } else {
                    openRows.append(i)
                }
            }
            if outputFailure != nil || stopped {
                // As row by row: a group left incomplete is not mapped, and its rows not counted.
                if open >= 0, reopenedAfter == nil { uncount(openRows.count, fileIndex: fileIndex) }
            } else {
                closeOpen()
            }
        }
    }

    /// Rows of a grouped block made invalid together, with the errors of their group.
    private func rejectBlockRows(_ rows: [Int], of block: MappedBlock, errors: [FieldError]) {
        for index in rows {
            report.files[block.fileIndex].counts.invalid += 1
            reject(.csv(block.rows.row(index)), errors: errors, columns: block.columns, fileIndex: block.fileIndex)
        }
    }

    /// The error of a row whose key comes back after its group ended at line `endedAt`.
    func reopened(_ row: SourceRow, key: String, endedAt: Int) -> FieldError {
        FieldError(kind: .groupReopened, field: "(group)", column: nil, value: nil,
                   reason: "\(mapper.describeKey(key)) comes back at line \(row.line) after its group ended at line \(endedAt); sort the input by the group key, or set group_order: any")
    }

    /// An NDJSON line of a block as a source row (it decoded to a record when it was mapped).
    private func decodedRow(_ text: (bytes: UnsafeBufferPointer<UInt8>, line: Int, recordNumber: Int)) -> SourceRow {
        switch blockDecoder?.decode(text.bytes, line: text.line, recordNumber: text.recordNumber) {
        case .line(let scanned)?: return .ndjsonLine(scanned)
        case .record(let record)?: return .ndjson(record)
        // Not reached: the line decoded to a record on the mapping thread, and decoding is
        // deterministic. An empty record keeps the accounting going should it ever be.
        case .error?, nil: return .ndjson(NDJSONRecord(recordNumber: text.recordNumber, line: text.line, object: JSONObject()))
        }
    }
}

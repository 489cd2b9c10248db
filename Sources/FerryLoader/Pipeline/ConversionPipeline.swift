import Foundation
import FerryCore
import FerryMapping
import FerryVendors

/// Options shared by validate, convert and load.
public struct PipelineOptions: Sendable {
    /// Stop after reading this many rows in total.
    public var limit: Int?
    /// Records per request, capped by the target.
    public var batchSize: Int?
    /// Bytes of rows `group_order: any` keeps in memory before spilling to temporary files.
    public var groupMemory: Int
    /// `--max-invalid`: stop reading (exit 1) once more rows than this are invalid.
    public var maxInvalid: InvalidBudget?
    /// Where the pipeline publishes how far it has read (for load's progress lines).
    public var progress: PipelineProgress?
    /// `--format`: read every input as this, whatever the mapping's `source.format` says.
    public var format: InputFormat?
    /// `--threads`: threads that map rows, the reading thread included (default: one per
    /// core). 1 maps every row on the reading thread, as grouped mappings always do.
    public var mappingThreads = ProcessInfo.processInfo.activeProcessorCount
    /// Rows per block handed to a mapping thread.
    public var rowsPerBlock = 2048
    /// Bytes of rows one group may hold; a larger group's rows are invalid (`group_too_large`).
    public var groupLimit = 16 << 20
    /// Where spill directories of `group_order: any` are made (default: the system's
    /// temporary directory, `$TMPDIR`).
    public var spillDirectory: URL?

    public init(limit: Int? = nil, batchSize: Int? = nil, groupMemory: Int = 64 << 20, maxInvalid: InvalidBudget? = nil) {
        self.limit = limit
        self.batchSize = batchSize
        self.groupMemory = groupMemory
        self.maxInvalid = maxInvalid
    }
}

/// Reads every input, maps and validates each row (or each group of rows), packs valid
/// records into request bodies and hands them to a sink, accounting for every row in a
/// `RunReport`: per input, read = filtered + invalid + valid.
public final class ConversionPipeline {
    public let target: Target
    public let mapping: CompiledMapping
    public let inputs: [InputFile]
    let sink: BatchSink
    private let deadLetters: DeadLetterWriter?
    let options: PipelineOptions
    // The per-row state. Only this class touches it, from one thread, never re-entrantly, so
    // the run-time exclusivity checks Swift would otherwise make on every access (a few
    // percent of the whole run) are switched off for it.
    @exclusivity(unchecked) var report: RunReport
    @exclusivity(unchecked) var outputFailure: OutputError?
    @exclusivity(unchecked) private var batcher: Batcher
    let mapper: RecordMapper
    /// The upload's columns when the target takes a CSV file.
    private let csvColumns: [String]?
    /// Whether records need the vendor's touches before batching (adjuster, path parameters,
    /// field counting, CSV lines); most targets take the mapped bytes as they are.
    private let needsRecordObjects: Bool
    /// Whether a flat record of scalars (`RecordMapper.lastRecordIsFlat`) needs none of those
    /// touches: no path parameters, no CSV lines, and an adjuster that leaves it unchanged.
    private let flatRecordsGoAsMapped: Bool
    /// Whether the adjuster is asked to adjust the mapped bytes first (no path parameters, no
    /// CSV lines): `RecordAdjuster.adjust(bytes:into:)`.
    private let adjustsBytes: Bool
    /// What NDJSON readers scan lines for (see `RecordMapper.ndjsonScanPaths`).
    private let ndjsonScanPaths: JSONPathSet?
    /// Whether the sink keeps each record's rows (load with dead letters).
    let keepsRows: Bool
    @exclusivity(unchecked) private var writer = JSONWriter(capacity: 4096)
    /// Writes the requests of records that the target adjusts (never the mapped record itself).
    @exclusivity(unchecked) private var requestWriter = JSONWriter(capacity: 4096)
    /// Maps rows on other threads (nil: every row is mapped on the reading thread).
    let pool: MappingPool?
    /// Decodes NDJSON lines of the current file's blocks on the reading thread.
    @exclusivity(unchecked) var blockDecoder: NDJSONLineDecoder?
    @exclusivity(unchecked) var collector: GroupCollector
    /// The rows of the group being accounted for in a grouped block (kept for its capacity).
    @exclusivity(unchecked) var groupRowScratch: [Int] = []
    /// What `GroupCollector.warmEnded` read, kept only so that its reads are not optimised away.
    var cacheWarmth = 0
    /// Exit code 3 at the end (an input or output failed); other inputs are still read.
    private var fatal = false
    /// The next record's serial (`RecordRef.serial`).
    @exclusivity(unchecked) var nextSerial = 0
    /// Set when the sink asked to stop or the invalid budget ran out: nothing more is read.
    @exclusivity(unchecked) var stopped = false
    /// Invalid rows so far, for `--max-invalid`.
    @exclusivity(unchecked) private var invalidSoFar = 0
    /// Rows read so far, and stored bytes of the inputs already read to their end (progress).
    @exclusivity(unchecked) var rowsRead = 0
    /// Rows taken from the readers, counted or still in a mapping block (for `--limit`).
    @exclusivity(unchecked) var rowsTaken = 0
    @exclusivity(unchecked) private var finishedBytes: Int64 = 0
    @exclusivity(unchecked) private var currentInput: OpenedInput?
    /// The columns of the CSV file the mapper is bound to.
    @exclusivity(unchecked) private var currentColumns: [String] = []

    public init(command: String, target: Target, mapping: CompiledMapping, mappingPath: String,
                inputs: [InputFile], sink: BatchSink, deadLetters: DeadLetterWriter?, options: PipelineOptions) {
        self.target = target
        self.mapping = mapping
        self.inputs = inputs
        self.sink = sink
        self.deadLetters = deadLetters
        self.options = options
        report = RunReport(command: command, target: target.name, mapping: mappingPath)
        report.files = inputs.map { RunReport.FileReport(file: $0.displayName) }
        batcher = Batcher(envelope: target.envelope, limits: target.limits, batchSize: options.batchSize)
        // `load`'s senders hand sent batches back to be filled again (see `SpareBatches`).
        batcher.spares = (sink as? HTTPSink)?.spares
        let mapper = RecordMapper(mapping: mapping)
        self.mapper = mapper
        ndjsonScanPaths = mapper.ndjsonScanPaths
        collector = GroupCollector(order: mapping.groupOrder, groupLimit: options.groupLimit, memoryLimit: options.groupMemory,
                                   spillDirectory: options.spillDirectory)
        if case .multipartCSV(_, _, let columns, _) = target.envelope { csvColumns = columns } else { csvColumns = nil }
        keepsRows = sink.keepsRows
        needsRecordObjects = target.adjuster != nil || !target.endpoint.pathParameters.isEmpty
            || target.limits.maxFields != nil || csvColumns != nil
        flatRecordsGoAsMapped = target.endpoint.pathParameters.isEmpty && csvColumns == nil
            && target.adjuster.map { $0.leavesUnchanged(flatRecordsWithFields: mapper.rootFieldNames) } ?? true
        adjustsBytes = target.adjuster != nil && target.endpoint.pathParameters.isEmpty && csvColumns == nil
        // The reading thread maps blocks too, so it counts as one of the mapping threads.
        pool = options.mappingThreads > 1 && (!mapping.isGrouped || mapping.groupOrder == .consecutive)
            ? MappingPool(mapping: mapping, threads: options.mappingThreads - 1, rowsPerBlock: options.rowsPerBlock,
                          wanted: sink.batchesWanted) : nil
    }

    deinit { pool?.close() }

    /// Runs to the end and returns the report with its exit code set.
    public func run() -> RunReport {
        report.startedAt = .now
        var mappingMismatch = false

        fileLoop: for (fileIndex, file) in inputs.enumerated() {
            let stream: RecordStream
            do throws(InputError) {
                stream = try RecordStream(file: file, source: mapping.spec.source, override: options.format,
                                          ndjsonPaths: ndjsonScanPaths)
            } catch {
                fail(fileIndex, kind: error.kind.rawValue, error.detail)
                continue
            }
            currentInput = stream.input
            defer {
                finishedBytes += stream.input.storedBytesConsumed
                currentInput = nil
            }
            report.files[fileIndex].format = stream.format.rawValue
            report.files[fileIndex].compression = stream.input.compression.rawValue
            switch stream.reader {
            case .csv:
                do throws(MappingBindError) {
                    try mapper.bind(csvColumns: stream.columns, file: file.displayName)
                    currentColumns = stream.columns
                } catch {
                    report.files[fileIndex].failure = error.message
                    report.files[fileIndex].failureKind = "mapping_mismatch"
                    mappingMismatch = true
                    continue
                }
            case .ndjson:
                mapper.bindNDJSON()
            }
            let columns = stream.columns
            // Grouped NDJSON is grouped here, row by row, as is the rest of a file once one
            // group outgrows a block.
            if let pool, !mapping.isGrouped || stream.readsDelimitedText {
                var readToEnd = true
                do throws(InputError) {
                    readToEnd = try readInBlocks(stream, pool: pool, fileIndex: fileIndex, columns: columns)
                } catch {
                    fail(fileIndex, kind: error.kind.rawValue, error.detail)
                }
                if readToEnd {
                    if outputFailure != nil || stopped { break fileLoop }
                    if report.limitReached { break }
                    continue
                }
            }
            do throws(InputError) {
                while let event = try stream.next() {
                    if let limit = options.limit, rowsTaken >= limit {
                        report.limitReached = true
                        break
                    }
                    if outputFailure != nil || stopped { break fileLoop }
                    rowsTaken += 1
                    rowsRead += 1
                    report.files[fileIndex].counts.read += 1
                    switch event {
                    case .error(let rowError):
                        unreadable(rowError, fileIndex: fileIndex)
                    case .row(let row):
                        if mapping.isGrouped {
                            collect(row, fileIndex: fileIndex, columns: columns)
                        } else {
                            handle(row, fileIndex: fileIndex, columns: columns)
                        }
                    }
                }
            } catch {
                fail(fileIndex, kind: error.kind.rawValue, error.detail)
            }
            for group in collector.endOfFile() { handle(group) }
            if report.limitReached || stopped { break }
        }
        if stopped || outputFailure != nil {
            // Groups not complete when reading stopped are not mapped (a partial group must not
            // be sent as if it were whole); their rows count as not read, like those after them.
            for (fileIndex, rows) in collector.abandon() { uncount(rows, fileIndex: fileIndex) }
        } else {
            do throws(OutputError) {
                try collector.finish { handle($0) }
            } catch {
                outputFailure = outputFailure ?? error
            }
        }
        report.spilledRows = collector.spilledRows
        // The last partial batch goes out even when an input failed: its rows are counted
        // as valid and must not vanish. Only a broken output stops it.
        if outputFailure == nil, !sink.stopRequested, let batch = batcher.finish() {
            emit(batch)
        }
        do throws(OutputError) {
            try sink.finish()
            try deadLetters?.close()
        } catch {
            outputFailure = outputFailure ?? error
        }
        if let outputFailure {
            report.failures.append(outputFailure.description)
            fatal = true
        }
        report.finishedAt = .now
        let totals = report.totals
        if fatal {
            report.exitCode = 3
        } else if mappingMismatch {
            report.exitCode = 2
        } else if report.invalidBudgetExceeded {
            report.exitCode = 1
        } else if totals.invalid > 0 || totals.rejected > 0 {
            report.exitCode = 1
        } else {
            report.exitCode = 0
        }
        return report
    }

    /// Takes rows counted as read, but dropped unmapped when reading stopped, back out.
    func uncount(_ rows: Int, fileIndex: Int) {
        report.files[fileIndex].counts.read -= rows
        rowsRead -= rows
    }

    private func fail(_ fileIndex: Int, kind: String, _ message: String) {
        report.files[fileIndex].failure = message
        report.files[fileIndex].failureKind = kind
        fatal = true
    }

    // MARK: Rows

    /// A row the reader could not make into fields.
    func unreadable(_ rowError: RowError, fileIndex: Int) {
        report.files[fileIndex].counts.invalid += 1
        countInvalid()
        report.recordError(kind: rowError.kind.rawValue, example: ErrorExample(
            file: rowError.file, line: rowError.line, field: nil, column: rowError.column,
            value: nil, message: rowError.message))
        deadLetter { dl throws(OutputError) in try dl.write(rowError) }
    }

    /// Maps a row here, on the reading thread, and accounts for it.
    private func handle(_ row: SourceRow, fileIndex: Int, columns: [String]) {
        let outcome = mapper.map(row, into: &writer)
        let fields = writer.rootMemberCount
        let flat = mapper.lastRecordIsFlat
        writer.withBytes { record in
            account({ row }, line: row.line, recordNumber: row.recordNumber, outcome, record: record, flat: flat,
                    fields: fields, fileIndex: fileIndex, columns: columns)
        }
    }

    /// Counts a mapped row and batches its record when valid; `record` is its JSON. `row`
    /// gives the source row, asked for only when it is kept or rejected.
    func account(_ row: () -> SourceRow, line: Int, recordNumber: Int, _ outcome: MapOutcome,
                         record: UnsafeBufferPointer<UInt8>, flat: Bool, fields: Int, fileIndex: Int, columns: [String]) {
        switch outcome {
        case .filtered:
            report.files[fileIndex].counts.filtered += 1
        case .invalid(let errors):
            report.files[fileIndex].counts.invalid += 1
            reject(row(), errors: errors, columns: columns, fileIndex: fileIndex)
        case .valid:
            let ref = RecordRef(fileIndex: fileIndex, line: line, recordNumber: recordNumber, serial: nextSerial)
            if let errors = deliver(ref, record: record, flat: flat, fields: fields) {
                report.files[fileIndex].counts.invalid += 1
                reject(row(), errors: errors, columns: columns, fileIndex: fileIndex)
            } else {
                // Kept before its batch can be consumed: a record joins the open batch.
                if keepsRows { sink.keep([HeldRow(row(), fileIndex: fileIndex, columns: columns)], for: ref.serial) }
                report.files[fileIndex].counts.valid += 1
            }
        }
    }

    /// Counts an invalid row against `--max-invalid`; stops reading when the budget is spent.
    private func countInvalid() {
        guard let budget = options.maxInvalid else { return }
        invalidSoFar += 1
        if budget.isExceeded(invalid: invalidSoFar, read: report.totals.read) {
            report.invalidBudgetExceeded = true
            stopped = true
        }
    }

    /// Batches a mapped record (after the target's adjustments); the errors when it cannot be
    /// sent. `record` is its JSON, `flat` and `fields` what the mapper said of it.
    func deliver(_ ref: RecordRef, record: UnsafeBufferPointer<UInt8>, flat: Bool, fields: Int) -> [FieldError]? {
        nextSerial += 1
        guard needsRecordObjects, !(flatRecordsGoAsMapped && flat) else {
            return batch(record, ref: ref, fields: fields, path: nil) ? nil : [tooLarge(record.count)]
        }
        if adjustsBytes, let adjuster = target.adjuster {
            // Most Pyze events: adjusted from the mapped bytes, without a tree (the adjuster
            // declines what only the tree path can do exactly, and that path follows).
            requestWriter.reset()
            if let fields = adjuster.adjust(bytes: record, into: &requestWriter) {
                let size = requestWriter.count
                if size > batcher.largestRecord { return [tooLarge(size)] }
                var piece = ref
                piece.pieces = 1
                requestWriter.withBytes { bytes in
                    _ = batch(bytes, ref: piece, fields: fields, path: nil)
                }
                return nil
            }
        }
        guard case .object(let mapped)? = try? JSONParser.parse(record) else {
            return [FieldError(kind: .vendorRule, field: "(record)", column: nil, value: nil, reason: "the mapped record is not a JSON object")]
        }
        var records = [mapped]
        if let adjuster = target.adjuster {
            do throws(AdjustmentError) {
                records = try adjuster.adjust(mapped)
            } catch {
                return [FieldError(kind: .vendorRule, field: "(record)", column: nil, value: nil, reason: "\(error.kind): \(error.message)")]
            }
        }
        // Every request is written first, one after the other into one buffer, so that a record
        // is either sent whole or not at all; each is then batched from its stretch of it (no
        // array and copy of each body: a Pyze event is one such record for every row).
        requestWriter.reset()
        var requests: [(start: Int, end: Int, path: String?, fields: Int)] = []
        requests.reserveCapacity(records.count)
        for var record in records {
            var path: String?
            if !target.endpoint.pathParameters.isEmpty {
                var filled = target.endpoint.path
                for parameter in target.endpoint.pathParameters {
                    guard let value = record[parameter.field], let text = Self.pathText(value), !text.isEmpty else {
                        return [FieldError(kind: .missingRequired, field: parameter.field, column: nil, value: nil,
                                           reason: "needed in the request path {\(parameter.name)}, but empty")]
                    }
                    // "." and ".." would name another resource once a URL is normalised.
                    if text == "." || text == ".." {
                        return [FieldError(kind: .vendorRule, field: parameter.field, column: nil, value: text,
                                           reason: "cannot name a resource in the request path {\(parameter.name)}")]
                    }
                    filled = filled.replacingOccurrences(of: "{\(parameter.name)}", with: Self.percentEncoded(text))
                    if !parameter.alsoInBody { record.members.removeAll { $0.key == parameter.field } }
                }
                path = filled
            }
            let start = requestWriter.count
            requestWriter.startValue()
            if let csvColumns {
                requestWriter.appendBytes(CSVRecordEncoder.line(record, columns: csvColumns))
            } else {
                requestWriter.write(.object(record))
            }
            requests.append((start, requestWriter.count, path, record.count))
        }
        if let oversized = requests.first(where: { $0.end - $0.start > batcher.largestRecord }) {
            return [tooLarge(oversized.end - oversized.start)]
        }
        var piece = ref
        piece.pieces = requests.count
        requestWriter.withBytes { bytes in
            for request in requests {
                _ = batch(UnsafeBufferPointer(rebasing: bytes[request.start..<request.end]), ref: piece, fields: request.fields,
                          path: request.path)
            }
        }
        return nil
    }

    /// Hands one request's record to the batcher and sends any batch it completes; false when
    /// the record alone is larger than a request may be.
    private func batch(_ body: UnsafeBufferPointer<UInt8>, ref: RecordRef, fields: Int, path: String?) -> Bool {
        switch batcher.add(body, ref: ref, fields: fields, path: path) {
        case .added:
            break
        case .completed(let completed):
            emit(completed)
            batcher.recycle(completed)
        case .tooLarge:
            return false
        }
        report.records += 1
        return true
    }

    private func tooLarge(_ size: Int) -> FieldError {
        FieldError(kind: .recordTooLarge, field: "(record)", column: nil, value: nil,
                   reason: "the record's JSON is \(size) bytes; one request may hold at most \(batcher.largestRecord)")
    }

    static func pathText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): return s
        case .int(let v): return String(v)
        case .decimal(let s): return s
        case .double(let v): return v.rounded() == v ? String(Int64(v)) : String(v)
        case .bool(let b): return String(b)
        default: return nil
        }
    }

    static let hexDigits = Array("0123456789ABCDEF")

    /// Percent-encodes a path segment: everything but A-Z a-z 0-9 - . _ ~ (RFC 3986 unreserved).
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out.append("%")
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return out
    }

    // MARK: Groups

    func collect(_ row: SourceRow, fileIndex: Int, columns: [String]) {
        guard mapper.passes(row) else {
            report.files[fileIndex].counts.filtered += 1
            return
        }
        let key = mapper.groupKey(row)
        let outcome: GroupCollector.Outcome
        do throws(OutputError) {
            outcome = try collector.add(HeldRow(row, fileIndex: fileIndex, columns: columns), key: key)
        } catch {
            outputFailure = outputFailure ?? error
            report.files[fileIndex].counts.invalid += 1   // the row could not be kept: counted, not lost silently
            return
        }
        for group in outcome.completed { handle(group) }
        if let endedAt = outcome.reopenedAfterLine {
            report.files[fileIndex].counts.invalid += 1
            reject(row, errors: [reopened(row, key: key, endedAt: endedAt)], columns: columns, fileIndex: fileIndex)
        }
    }

    private func handle(_ group: RowGroup) {
        if !group.overflowFiles.isEmpty {
            let error = FieldError(kind: .groupTooLarge, field: "(group)", column: nil, value: nil,
                                   reason: "the group \(mapper.describeKey(group.key)) holds more than \(collector.groupLimit >> 20) MiB of rows")
            for row in group.rows { rejectHeld(row, errors: [error]) }
            for fileIndex in group.overflowFiles { report.files[fileIndex].counts.invalid += 1 }
            return
        }
        let rows = group.rows.map(\.source)
        // Rows read from files whose columns differ from the current file's carry their own.
        let layouts = group.rows.contains { $0.columns != currentColumns } ? group.rows.map(\.columns) : nil
        switch mapper.mapGroup(rows, csvColumns: layouts, into: &writer) {
        case .filtered:
            return
        case .invalid(let errors):
            for row in group.rows { rejectHeld(row, errors: errors) }
        case .valid:
            guard let first = group.rows.first else { return }
            let ref = RecordRef(fileIndex: first.fileIndex, line: first.line, recordNumber: rows[0].recordNumber,
                                serial: nextSerial, rows: group.rows.count)
            let fields = writer.rootMemberCount
            let flat = mapper.lastRecordIsFlat
            if let errors = writer.withBytes({ deliver(ref, record: $0, flat: flat, fields: fields) }) {
                for row in group.rows { rejectHeld(row, errors: errors) }
            } else {
                if keepsRows { sink.keep(group.rows, for: ref.serial) }
                for row in group.rows { report.files[row.fileIndex].counts.valid += 1 }
            }
        }
    }

    private func rejectHeld(_ row: HeldRow, errors: [FieldError]) {
        report.files[row.fileIndex].counts.invalid += 1
        reject(row.source, errors: errors, columns: row.columns, fileIndex: row.fileIndex)
    }

    // MARK: Output

    /// Writes a dead letter; a failure to write one stops the run (rows must never vanish).
    private func deadLetter(_ body: (DeadLetterWriter) throws(OutputError) -> Void) {
        guard let deadLetters, outputFailure == nil else { return }
        do throws(OutputError) {
            try body(deadLetters)
        } catch {
            outputFailure = error
        }
    }

    private func emit(_ batch: Batch) {
        report.batches += 1
        report.bodyBytes += Int64(batch.body.count)
        do throws(OutputError) {
            try sink.consume(batch)
        } catch {
            outputFailure = outputFailure ?? error
        }
        if sink.stopRequested { stopped = true }
        options.progress?.publish(rows: rowsRead, storedBytes: finishedBytes + (currentInput?.storedBytesConsumed ?? 0))
    }

    func reject(_ row: SourceRow, errors: [FieldError], columns: [String], fileIndex: Int) {
        countInvalid()
        let file = inputs[fileIndex].displayName
        for error in errors {
            report.recordError(kind: error.kind.rawValue, example: ErrorExample(
                file: file, line: row.line, field: error.field, column: error.column,
                value: error.value, message: error.reason))
        }
        let reason = errors.map(\.description).joined(separator: "; ")
        deadLetter { dl throws(OutputError) in
            try dl.write(row: row, columns: columns, file: file, stage: .map,
                         kind: errors.first?.kind.rawValue ?? "invalid", reason: reason, errors: errors)
        }
    }
}

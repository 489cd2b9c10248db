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

    public init(limit: Int? = nil, batchSize: Int? = nil, groupMemory: Int = 64 << 20) {
        self.limit = limit
        self.batchSize = batchSize
        self.groupMemory = groupMemory
    }
}

/// Reads every input, maps and validates each row (or each group of rows), packs valid
/// records into request bodies and hands them to a sink, accounting for every row in a
/// `RunReport`: per input, read = filtered + invalid + valid.
public final class ConversionPipeline {
    public let target: Target
    public let mapping: CompiledMapping
    public let inputs: [InputFile]
    private let sink: BatchSink
    private let deadLetters: DeadLetterWriter?
    private let options: PipelineOptions
    private var report: RunReport
    private var outputFailure: OutputError?
    private var batcher: Batcher
    private let mapper: RecordMapper
    private var writer = JSONWriter(capacity: 4096)
    private var collector: GroupCollector
    /// Exit code 3 at the end (an input or output failed); other inputs are still read.
    private var fatal = false

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
        mapper = RecordMapper(mapping: mapping)
        collector = GroupCollector(order: mapping.groupOrder, memoryLimit: options.groupMemory)
    }

    /// Runs to the end and returns the report with its exit code set.
    public func run() -> RunReport {
        report.startedAt = .now
        var mappingMismatch = false
        var totalRead = 0

        fileLoop: for (fileIndex, file) in inputs.enumerated() {
            let stream: RecordStream
            do throws(InputError) {
                stream = try RecordStream(file: file, source: mapping.spec.source)
            } catch {
                fail(fileIndex, kind: error.kind.rawValue, error.detail)
                continue
            }
            report.files[fileIndex].format = stream.format.rawValue
            report.files[fileIndex].compression = stream.input.compression.rawValue
            switch stream.reader {
            case .csv:
                do throws(MappingBindError) {
                    try mapper.bind(csvColumns: stream.columns, file: file.displayName)
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
            do throws(InputError) {
                while let event = try stream.next() {
                    if let limit = options.limit, totalRead >= limit {
                        report.limitReached = true
                        break
                    }
                    if outputFailure != nil { break fileLoop }
                    totalRead += 1
                    report.files[fileIndex].counts.read += 1
                    switch event {
                    case .error(let rowError):
                        report.files[fileIndex].counts.invalid += 1
                        report.recordError(kind: rowError.kind.rawValue, example: ErrorExample(
                            file: rowError.file, line: rowError.line, field: nil, column: rowError.column,
                            value: nil, message: rowError.message))
                        deadLetter { dl throws(OutputError) in try dl.write(rowError) }
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
            if report.limitReached { break }
        }
        do throws(OutputError) {
            try collector.finish { handle($0) }
        } catch {
            outputFailure = outputFailure ?? error
        }
        report.spilledRows = collector.spilledRows
        // The last partial batch goes out even when an input failed: its rows are counted
        // as valid and must not vanish. Only a broken output stops it.
        if outputFailure == nil, let batch = batcher.finish() {
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
        } else if totals.invalid > 0 || totals.rejected > 0 {
            report.exitCode = 1
        } else {
            report.exitCode = 0
        }
        return report
    }

    private func fail(_ fileIndex: Int, kind: String, _ message: String) {
        report.files[fileIndex].failure = message
        report.files[fileIndex].failureKind = kind
        fatal = true
    }

    // MARK: Rows

    private func handle(_ row: SourceRow, fileIndex: Int, columns: [String]) {
        switch mapper.map(row, into: &writer) {
        case .filtered:
            report.files[fileIndex].counts.filtered += 1
        case .invalid(let errors):
            report.files[fileIndex].counts.invalid += 1
            reject(row, errors: errors, columns: columns, fileIndex: fileIndex)
        case .valid:
            if add(RecordRef(fileIndex: fileIndex, line: row.line, recordNumber: row.recordNumber)) {
                report.files[fileIndex].counts.valid += 1
                report.records += 1
            } else {
                report.files[fileIndex].counts.invalid += 1
                reject(row, errors: [tooLarge()], columns: columns, fileIndex: fileIndex)
            }
        }
    }

    /// Adds the record in `writer` to the batcher; false when it is too large for any request.
    private func add(_ ref: RecordRef) -> Bool {
        let result = writer.bytes.withUnsafeBufferPointer { batcher.add($0, ref: ref) }
        switch result {
        case .added:
            return true
        case .completed(let batch):
            emit(batch)
            batcher.recycle(batch)
            return true
        case .tooLarge:
            return false
        }
    }

    private func tooLarge() -> FieldError {
        FieldError(kind: .recordTooLarge, field: "(record)", column: nil, value: nil,
                   reason: "the record's JSON is \(writer.bytes.count) bytes; one request may hold at most \(batcher.maxBytes - 16)")
    }

    // MARK: Groups

    private func collect(_ row: SourceRow, fileIndex: Int, columns: [String]) {
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
            let error = FieldError(kind: .groupReopened, field: "(group)", column: nil, value: nil,
                                   reason: "\(mapper.describeKey(key)) comes back at line \(row.line) after its group ended at line \(endedAt); sort the input by the group key, or set group_order: any")
            reject(row, errors: [error], columns: columns, fileIndex: fileIndex)
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
        switch mapper.mapGroup(rows, into: &writer) {
        case .filtered:
            return
        case .invalid(let errors):
            for row in group.rows { rejectHeld(row, errors: errors) }
        case .valid:
            guard let first = group.rows.first else { return }
            let ref = RecordRef(fileIndex: first.fileIndex, line: first.line, recordNumber: rows[0].recordNumber)
            if add(ref) {
                for row in group.rows { report.files[row.fileIndex].counts.valid += 1 }
                report.records += 1
            } else {
                let error = tooLarge()
                for row in group.rows { rejectHeld(row, errors: [error]) }
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
    }

    private func reject(_ row: SourceRow, errors: [FieldError], columns: [String], fileIndex: Int) {
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

import FerryCore
import FerryMapping
import FerryVendors

/// Options shared by validate, convert and load.
public struct PipelineOptions: Sendable {
    /// Stop after reading this many rows in total.
    public var limit: Int?
    /// Records per request, capped by the target.
    public var batchSize: Int?

    public init(limit: Int? = nil, batchSize: Int? = nil) {
        self.limit = limit
        self.batchSize = batchSize
    }
}

/// Reads every input, maps and validates each row, packs valid records into request bodies
/// and hands them to a sink, accounting for every row in a `RunReport`.
public final class ConversionPipeline {
    public let target: Target
    public let mapping: CompiledMapping
    public let inputs: [InputFile]
    private let sink: BatchSink
    private let deadLetters: DeadLetterWriter?
    private let options: PipelineOptions
    private var report: RunReport
    private var outputFailure: OutputError?

    public init(command: String, target: Target, mapping: CompiledMapping, mappingPath: String,
                inputs: [InputFile], sink: BatchSink, deadLetters: DeadLetterWriter?, options: PipelineOptions) {
        self.target = target
        self.mapping = mapping
        self.inputs = inputs
        self.sink = sink
        self.deadLetters = deadLetters
        self.options = options
        report = RunReport(command: command, target: target.name, mapping: mappingPath)
    }

    /// Runs to the end and returns the report with its exit code set.
    public func run() -> RunReport {
        report.startedAt = .now
        var batcher = Batcher(envelope: target.envelope, limits: target.limits, batchSize: options.batchSize)
        let mapper = RecordMapper(mapping: mapping)
        var writer = JSONWriter(capacity: 4096)
        var mappingMismatch = false
        var fatal = false
        var totalRead = 0

        fileLoop: for (fileIndex, file) in inputs.enumerated() {
            var fileReport = RunReport.FileReport(file: file.displayName)
            defer { report.files.append(fileReport) }
            let stream: RecordStream
            do throws(InputError) {
                stream = try RecordStream(file: file, source: mapping.spec.source)
            } catch {
                fileReport.failure = error.detail
                fileReport.failureKind = error.kind.rawValue
                fatal = true
                continue
            }
            fileReport.format = stream.format.rawValue
            fileReport.compression = stream.input.compression.rawValue
            switch stream.reader {
            case .csv:
                do throws(MappingBindError) {
                    try mapper.bind(csvColumns: stream.columns, file: file.displayName)
                } catch {
                    fileReport.failure = error.message
                    fileReport.failureKind = "mapping_mismatch"
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
                        break fileLoop
                    }
                    totalRead += 1
                    fileReport.counts.read += 1
                    if outputFailure != nil { fatal = true; break fileLoop }
                    switch event {
                    case .error(let rowError):
                        fileReport.counts.invalid += 1
                        report.recordError(kind: rowError.kind.rawValue, example: ErrorExample(
                            file: rowError.file, line: rowError.line, field: nil, column: rowError.column,
                            value: nil, message: rowError.message))
                        deadLetter { dl throws(OutputError) in try dl.write(rowError) }
                    case .row(let row):
                        switch mapper.map(row, into: &writer) {
                        case .filtered:
                            fileReport.counts.filtered += 1
                        case .invalid(let errors):
                            fileReport.counts.invalid += 1
                            reject(row, errors: errors, columns: columns, file: file)
                        case .valid:
                            let ref = RecordRef(fileIndex: fileIndex, line: row.line, recordNumber: row.recordNumber)
                            let result = writer.bytes.withUnsafeBufferPointer { batcher.add($0, ref: ref) }
                            switch result {
                            case .added:
                                fileReport.counts.valid += 1
                            case .completed(let batch):
                                fileReport.counts.valid += 1
                                if !emit(batch) { fatal = true; break fileLoop }
                                batcher.recycle(batch)
                            case .tooLarge(let limit):
                                fileReport.counts.invalid += 1
                                let error = FieldError(kind: .recordTooLarge, field: "(record)", column: nil, value: nil,
                                                       reason: "the record's JSON is \(writer.bytes.count) bytes; one request may hold at most \(limit)")
                                reject(row, errors: [error], columns: columns, file: file)
                            }
                        }
                    }
                }
            } catch {
                fileReport.failure = error.detail
                fileReport.failureKind = error.kind.rawValue
                fatal = true
            }
        }
        // The last partial batch goes out even when an input failed: its rows are counted
        // as valid and must not vanish. Only a broken output stops it.
        if outputFailure == nil, let batch = batcher.finish() {
            if !emit(batch) { fatal = true }
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

    /// Writes a dead letter; a failure to write one stops the run (rows must never vanish).
    private func deadLetter(_ body: (DeadLetterWriter) throws(OutputError) -> Void) {
        guard let deadLetters, outputFailure == nil else { return }
        do throws(OutputError) {
            try body(deadLetters)
        } catch {
            outputFailure = error
        }
    }

    private func emit(_ batch: Batch) -> Bool {
        report.batches += 1
        report.bodyBytes += Int64(batch.body.count)
        do throws(OutputError) {
            try sink.consume(batch)
            return true
        } catch {
            outputFailure = error
            return false
        }
    }

    private func reject(_ row: SourceRow, errors: [FieldError], columns: [String], file: InputFile) {
        for error in errors {
            report.recordError(kind: error.kind.rawValue, example: ErrorExample(
                file: file.displayName, line: row.line, field: error.field, column: error.column,
                value: error.value, message: error.reason))
        }
        let reason = errors.map(\.description).joined(separator: "; ")
        deadLetter { dl throws(OutputError) in
            try dl.write(row: row, columns: columns, file: file.displayName, stage: .map,
                         kind: errors.first?.kind.rawValue ?? "invalid", reason: reason, errors: errors)
        }
    }
}

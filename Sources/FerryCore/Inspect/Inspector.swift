/// Options for `ferry inspect`.
public struct InspectOptions: Sendable {
    /// Force a format instead of detecting it.
    public var format: InputFormat?
    /// Force a delimiter instead of sniffing it (CSV).
    public var delimiter: UInt8?
    public var quote: UInt8? = UInt8(ascii: "\"")
    public var hasHeader = true
    public var columns: [String]?
    /// Records whose values feed the type guess.
    public var sampleSize = 10_000
    /// Records shown as JSON.
    public var headCount = 3
    /// Row errors kept as examples.
    public var errorExamples = 5

    public init() {}
}

/// Reads a whole input and summarises it: detected compression, format and delimiter,
/// columns with empty shares and guessed types, record and error counts, first records.
public struct Inspector {
    public let options: InspectOptions

    public init(options: InspectOptions = InspectOptions()) { self.options = options }

    public func inspect(_ file: InputFile) -> InspectReport {
        var report = InspectReport(file: file.displayName)
        do {
            let input = try OpenedInput(file)
            report.compression = input.compression
            report.inflater = input.inflater
            report.storedBytes = input.storedSize ?? 0
            let prefix = try input.peek()
            let format = options.format
                ?? InputFormat.fromName(file.formatHintName)
                ?? InputFormat.sniff(prefix)
            report.format = format
            switch format {
            case .ndjson:
                try inspectNDJSON(input, into: &report)
            case .csv, .tsv:
                let delimiter = options.delimiter
                    ?? (format == .tsv ? 0x09 : InputFormat.sniffDelimiter(prefix, quote: options.quote))
                report.delimiter = delimiter
                report.hasHeader = options.hasHeader
                let csv = CSVOptions(delimiter: delimiter, quote: options.quote,
                                     hasHeader: options.hasHeader, columns: options.columns)
                try inspectCSV(input, options: csv, into: &report)
            }
            report.decodedBytes = input.decodedBytes
            if input.storedSize == nil { report.storedBytes = input.storedBytesConsumed }
        } catch {
            report.failure = error
        }
        for index in report.columns.indices {
            Self.resolveType(&report.columns[index])
        }
        return report
    }

    private func record(_ error: RowError, into report: inout InspectReport) {
        report.rowErrors += 1
        report.errorsByKind[error.kind, default: 0] += 1
        if report.firstErrors.count < options.errorExamples { report.firstErrors.append(error) }
    }

    private func inspectCSV(_ input: OpenedInput, options csv: CSVOptions,
                            into report: inout InspectReport) throws(InputError) {
        let reader = try CSVReader(input: input, options: csv)
        report.columns = reader.columns.map(InspectReport.Column.init(name:))
        let columnCount = reader.columns.count
        let sampleSize = options.sampleSize
        let headCount = options.headCount
        // Counted in a local array so that the per-row work is a compare and an add.
        var empties = [Int](repeating: 0, count: columnCount)
        defer {
            for index in 0..<columnCount { report.columns[index].empty = empties[index] }
        }
        while let event = try reader.next() {
            switch event {
            case .error(let error):
                record(error, into: &report)
            case .row(let row):
                report.records += 1
                for index in 0..<columnCount where row[index].isEmpty { empties[index] += 1 }
                if report.sampledRecords < sampleSize {
                    report.sampledRecords += 1
                    for index in 0..<columnCount {
                        let value = row[index]
                        guard !value.isEmpty else { continue }
                        report.columns[index].candidates.formIntersection(ValueClassifier.classify(text: value))
                        report.columns[index].sampled += 1
                        if report.columns[index].example == nil { report.columns[index].example = row.string(at: index) }
                    }
                }
                if report.head.count < headCount {
                    var object = JSONObject()
                    for index in 0..<columnCount { object.append(reader.columns[index], .string(row.string(at: index))) }
                    report.head.append(.object(object))
                }
            }
        }
    }

    /// Nested objects are listed by dotted path (`address.city`, as mappings name them) down
    /// to this depth, below their parent key.
    static let nestedPathDepth = 3

    private func inspectNDJSON(_ input: OpenedInput, into report: inout InspectReport) throws(InputError) {
        let reader = NDJSONReader(input: input)
        var indexOfKey: [String: Int] = [:]
        var present: [Int] = []
        var sampling = false

        func walk(_ object: JSONObject, prefix: String, depth: Int) {
            for (key, value) in object.members {
                let path = prefix.isEmpty ? key : prefix + key
                let index: Int
                if let known = indexOfKey[path] {
                    index = known
                } else {
                    index = report.columns.count
                    indexOfKey[path] = index
                    report.columns.append(InspectReport.Column(name: path))
                    present.append(0)
                }
                present[index] += 1
                if Self.isEmptyJSON(value) {
                    report.columns[index].empty += 1
                } else if sampling, let classes = ValueClassifier.classify(json: value) {
                    report.columns[index].candidates.formIntersection(classes)
                    report.columns[index].sampled += 1
                    if report.columns[index].example == nil {
                        report.columns[index].example = Self.exampleText(value)
                    }
                }
                if case .object(let nested) = value, depth < Self.nestedPathDepth {
                    walk(nested, prefix: path + ".", depth: depth + 1)
                }
            }
        }
        defer {
            for index in report.columns.indices {
                report.columns[index].missing = report.records - present[index]
            }
        }
        while let event = try reader.next() {
            let object: JSONObject
            switch event {
            case .error(let error):
                record(error, into: &report)
                continue
            case .line(let line):   // only when the reader is given paths, which inspect does not
                object = line.record().object
            case .record(let record):
                object = record.object
            }
            report.records += 1
            sampling = report.sampledRecords < options.sampleSize
            if sampling { report.sampledRecords += 1 }
            walk(object, prefix: "", depth: 0)
            if report.head.count < options.headCount { report.head.append(.object(object)) }
        }
    }

    static func isEmptyJSON(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .string(let s): return s.isEmpty
        default: return false
        }
    }

    static func exampleText(_ value: JSONValue) -> String {
        if case .string(let s) = value { return s }
        return JSONWriter.serialize(value)
    }

    /// Picks the most specific type every sampled value fits. Integers in the epoch range
    /// are called epoch times only when the column name suggests a time; otherwise they
    /// stay integers with a note, since IDs and phone numbers share that range.
    static func resolveType(_ column: inout InspectReport.Column) {
        guard column.sampled > 0 else {
            column.type = .empty
            return
        }
        if column.candidates.isEmpty {
            column.type = .mixed
            return
        }
        for (bit, type) in ValueType.Candidates.priority where column.candidates.contains(bit) {
            column.type = type
            break
        }
        if column.type == .epochSeconds || column.type == .epochMilliseconds, !looksLikeTimeName(column.name) {
            column.note = column.type == .epochSeconds
                ? "values fall in the range of epoch seconds (2000-2100)"
                : "values fall in the range of epoch milliseconds (2000-2100)"
            column.type = .integer
        }
    }

    static func looksLikeTimeName(_ name: String) -> Bool {
        let words: Set<String> = ["time", "date", "ts", "epoch", "at", "when", "day", "created", "updated", "seen", "timestamp"]
        return nameWords(name).contains { words.contains($0) || $0.hasSuffix("time") || $0.hasSuffix("date") }
    }

    /// Splits `created_at`, `createdAt`, `Created At` into lower-case words.
    static func nameWords(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousLower = false
        for character in name {
            if !(character.isLetter || character.isNumber) {
                if !current.isEmpty { words.append(current) }
                current = ""
                previousLower = false
                continue
            }
            if character.isUppercase && previousLower {
                words.append(current)
                current = ""
            }
            current += character.lowercased()
            previousLower = character.isLowercase
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}

/// What the CSV reader hands out: a record, or a row error after which reading continues.
public enum CSVEvent {
    case row(CSVRow)
    case error(RowError)
}

/// Streaming RFC 4180 reader: quoted fields, doubled quotes, delimiters and line breaks inside
/// quotes, CRLF, LF or lone CR line ends, a UTF-8 byte order mark stripped. Works on bytes:
/// fields are spans into one buffer, unescaped in place, and never copied into Strings.
///
/// Leniency and strictness, chosen for data fidelity:
/// - a quote inside an unquoted field is an ordinary character (`5" screen`);
/// - characters after a closing quote (`"abc"x`) make the record a `bad_quoting` row error;
/// - completely empty lines are skipped (a line of delimiters is a record of empty fields);
/// - a quote left open at the end of the input, or a record longer than `maxRecordBytes`,
///   is an `unterminated_quote` error for the line where it starts, and reading resumes on
///   the next line, so one stray quote cannot swallow the rest of a file silently.
public final class CSVReader {
    public let file: InputFile
    public let options: CSVOptions
    /// Column names: from the header row or the options. Read for every record (its field
    /// count), so without the run-time exclusivity check, as the per-record state below.
    @exclusivity(unchecked) public private(set) var columns: [String] = []
    /// Longest record accepted; a longer one is reported and skipped (bounds memory).
    public let maxRecordBytes: Int

    private let input: OpenedInput
    // A reader is used from one thread, never re-entrantly: the run-time exclusivity checks on
    // its per-record state (a few percent of reading) are off.
    @exclusivity(unchecked) private var window: RecordBuffer
    @exclusivity(unchecked) private var line = 1
    @exclusivity(unchecked) private var recordNumber = 0
    @exclusivity(unchecked) private var spans: UnsafeMutablePointer<FieldSpan>
    @exclusivity(unchecked) private var spanCapacity = 64
    /// Set when a resync point lies beyond the buffer: skip input up to the next line break.
    @exclusivity(unchecked) private var skippingToLineEnd = false

    public init(input: OpenedInput, options: CSVOptions = CSVOptions(),
                maxRecordBytes: Int = 64 << 20) throws(InputError) {
        if let problem = options.validate() {
            throw InputError(.badOptions, file: input.file.displayName, message: problem)
        }
        self.input = input
        self.file = input.file
        self.options = options
        self.maxRecordBytes = maxRecordBytes
        window = RecordBuffer(capacity: OpenedInput.defaultChunkSize * 2)
        spans = .allocate(capacity: spanCapacity)
        try readHeader()
    }

    deinit {
        window.deallocate()
        spans.deallocate()
    }

    /// Bytes of the stored file consumed so far, for progress.
    public var storedBytesConsumed: Int64 { input.storedBytesConsumed }

    // MARK: - Reading

    /// The next record or row error; nil at the end of the file. A damaged file (truncated
    /// gzip) throws after every complete record before the damage has been returned.
    public func next() throws(InputError) -> CSVEvent? {
        while true {
            if window.position >= window.length && window.endOfInput {
                if let error = window.deferredError {
                    window.deferredError = nil
                    throw error
                }
                return nil
            }
            if skippingToLineEnd {
                skipToLineEnd()
                if skippingToLineEnd { refill() }
                continue
            }
            switch scanRecord() {
            case .needMore:
                if window.length - window.position > maxRecordBytes {
                    return .error(skipOversizedRecord())
                }
                refill()
            case .blank(let next):
                window.position = next
                line += 1
            case .record(let next, let fieldCount, let newlines, let flags):
                return finishRecord(next: next, fieldCount: fieldCount, newlines: newlines, flags: flags)
            }
        }
    }

    // MARK: - Header

    private func readHeader() throws(InputError) {
        guard options.hasHeader else {
            columns = options.columns ?? []
            try checkColumnNames(columns, source: "the given column names")
            return
        }
        var header: [String]?
        headerLoop: while true {
            if window.position >= window.length && window.endOfInput {
                if let error = window.deferredError { throw error }
                break
            }
            switch scanRecord() {
            case .needMore:
                if window.length - window.position > maxRecordBytes {
                    throw InputError(.badHeader, file: file.displayName,
                                     message: "the header row is longer than \(maxRecordBytes) bytes (unterminated quote?)")
                }
                refill()
            case .blank(let next):
                window.position = next
                line += 1
            case .record(let next, let fieldCount, let newlines, let flags):
                if flags & (Self.unterminated | Self.badQuote) != 0 {
                    throw InputError(.badHeader, file: file.displayName, message: "the header row has broken quoting")
                }
                if flags & Self.nonASCII != 0,
                   UTF8Validation.firstInvalidOffset(UnsafeBufferPointer(start: window.base + window.position, count: next - window.position)) != nil {
                    throw InputError(.badHeader, file: file.displayName, message: "the header row is not valid UTF-8")
                }
                unescape(fieldCount)
                header = (0..<fieldCount).map { i in
                    String(decoding: UnsafeBufferPointer(start: window.base + spans[i].start, count: spans[i].end - spans[i].start), as: UTF8.self)
                }
                window.position = next
                line += newlines + 1
                break headerLoop
            }
        }
        if let given = options.columns {
            columns = given
            try checkColumnNames(columns, source: "the given column names")
        } else {
            columns = header ?? []
            try checkColumnNames(columns, source: "the header row")
        }
    }

    private func checkColumnNames(_ names: [String], source: String) throws(InputError) {
        var seen: [String: Int] = [:]
        var problems: [String] = []
        for (index, name) in names.enumerated() {
            if name.isEmpty {
                problems.append("column \(index + 1) has an empty name")
            } else if let first = seen[name] {
                problems.append("column \(index + 1) repeats the name \"\(name)\" of column \(first + 1)")
            } else {
                seen[name] = index
            }
        }
        if !problems.isEmpty {
            throw InputError(.badHeader, file: file.displayName,
                             message: "\(source): \(problems.joined(separator: "; ")); rename them in the file or give `columns:` in the mapping's source")
        }
    }

    // MARK: - Buffer

    /// Appends at least as much as is pending, so a long record is rescanned a bounded
    /// number of times (amortised linear).
    private func refill() {
        window.refill(from: input, minimum: window.length - window.position)
    }

    private func growSpans() {
        let grown = UnsafeMutablePointer<FieldSpan>.allocate(capacity: spanCapacity * 2)
        grown.moveInitialize(from: spans, count: spanCapacity)
        spans.deallocate()
        spans = grown
        spanCapacity *= 2
    }

    // MARK: - Scanning

    static let nonASCII = 1
    static let badQuote = 2
    static let unterminated = 4
    static let noTerminator = 8
    /// A field of the record holds a doubled quote (`unescape` has work to do).
    static let escapes = 16

    private enum Scan {
        case needMore
        case blank(next: Int)
        case record(next: Int, fieldCount: Int, newlines: Int, flags: Int)
    }

    /// Scans one record at `window.position` without changing the buffer, so that it can be
    /// rescanned after more input arrives.
    @inline(__always)
    private func scanRecord() -> Scan {
        let p = window.base
        let n = window.length
        let eof = window.endOfInput
        let delimiter = options.delimiter
        let quoting = options.quote != nil
        let quote = options.quote ?? 0
        let lf: UInt8 = 0x0A
        let cr: UInt8 = 0x0D
        var i = window.position

        if i < n {
            if p[i] == lf { return .blank(next: i + 1) }
            if p[i] == cr {
                if i + 1 < n { return .blank(next: p[i + 1] == lf ? i + 2 : i + 1) }
                return eof ? .blank(next: i + 1) : .needMore
            }
        } else if !eof {
            return .needMore
        }

        var fields = 0
        var seen: UInt8 = 0
        var newlines = 0
        var flags = 0
        while true {
            if fields == spanCapacity { growSpans() }
            if quoting && i < n && p[i] == quote {
                i += 1
                let contentStart = i
                var escaped = false
                while true {
                    while true {
                        i = ByteSearch.first(of: quote, lf, in: p, from: i, to: n, high: &seen)
                        guard i < n, p[i] == lf else { break }
                        newlines += 1
                        i += 1
                    }
                    if i >= n {
                        if !eof { return .needMore }
                        flags |= Self.unterminated
                        spans[fields] = FieldSpan(start: contentStart, end: n, quoted: true)
                        return .record(next: n, fieldCount: fields + 1, newlines: newlines,
                                       flags: flags | Self.noTerminator | (seen >= 0x80 ? Self.nonASCII : 0))
                    }
                    if i + 1 < n {
                        if p[i + 1] == quote {
                            escaped = true
                            i += 2
                            continue
                        }
                        break
                    }
                    if !eof { return .needMore }
                    break
                }
                spans[fields] = FieldSpan(start: contentStart, end: i, quoted: true, escaped: escaped)
                if escaped { flags |= Self.escapes }
                i += 1
                if i < n {
                    let b = p[i]
                    if b != delimiter && b != lf && b != cr {
                        flags |= Self.badQuote
                        while i < n {
                            let c = p[i]
                            if c == delimiter || c == lf || c == cr { break }
                            seen |= c
                            i += 1
                        }
                    }
                }
                if i >= n && !eof { return .needMore }
            } else {
                let start = i
                i = ByteSearch.first(of: delimiter, lf, cr, in: p, from: i, to: n, high: &seen)
                if i >= n && !eof { return .needMore }
                spans[fields] = FieldSpan(start: start, end: i, quoted: false)
            }
            fields += 1
            let ascii = seen >= 0x80 ? Self.nonASCII : 0
            if i >= n {
                return .record(next: n, fieldCount: fields, newlines: newlines, flags: flags | ascii | Self.noTerminator)
            }
            let b = p[i]
            if b == delimiter {
                i += 1
                continue
            }
            if b == lf {
                return .record(next: i + 1, fieldCount: fields, newlines: newlines, flags: flags | ascii)
            }
            if i + 1 < n {
                return .record(next: p[i + 1] == lf ? i + 2 : i + 1, fieldCount: fields, newlines: newlines, flags: flags | ascii)
            }
            if !eof { return .needMore }
            return .record(next: i + 1, fieldCount: fields, newlines: newlines, flags: flags | ascii)
        }
    }

    /// Collapses doubled quotes in place, now that the record is complete.
    private func unescape(_ fieldCount: Int) {
        guard let quote = options.quote else { return }
        for index in 0..<fieldCount where spans[index].escaped {
            var read = spans[index].start
            var write = read
            let end = spans[index].end
            while read < end {
                let b = window.base[read]
                window.base[write] = b
                write += 1
                read += b == quote ? 2 : 1
            }
            spans[index].end = write
            spans[index].escaped = false
        }
    }

    // MARK: - Records and errors

    private func finishRecord(next: Int, fieldCount: Int, newlines: Int, flags: Int) -> CSVEvent {
        recordNumber += 1
        let recordLine = line
        let start = window.position
        var rawEnd = next
        if flags & Self.noTerminator == 0 {
            rawEnd -= 1
            if rawEnd > start && window.base[rawEnd - 1] == 0x0D && window.base[rawEnd] == 0x0A { rawEnd -= 1 }
        }
        let raw = UnsafeBufferPointer(start: window.base + start, count: max(0, rawEnd - start))

        if flags & Self.noTerminator != 0 && window.deferredError != nil {
            window.position = next
            return .error(rowError(.incompleteRecord, raw: raw, line: recordLine,
                                   message: "the input is damaged inside this record, so it is not used"))
        }
        if flags & Self.unterminated != 0 {
            let error = rowError(.unterminatedQuote, raw: firstLine(of: raw), line: recordLine,
                                 message: "a quoted field opened on this line is never closed; reading resumes on the next line")
            resyncAfterFirstLine(of: start)
            return .error(error)
        }
        window.position = next
        line += newlines + 1
        if flags & Self.badQuote != 0 {
            return .error(rowError(.badQuoting, raw: raw, line: recordLine,
                                   message: "characters follow a closing quote; quote the whole field and double any quote inside it"))
        }
        if fieldCount != columns.count {
            return .error(rowError(.fieldCount, raw: raw, line: recordLine,
                                   message: "expected \(columns.count) fields, found \(fieldCount)"))
        }
        if flags & Self.nonASCII != 0, let offset = UTF8Validation.firstInvalidOffset(raw) {
            let absolute = start + offset
            var column: String?
            for index in 0..<fieldCount where spans[index].start <= absolute && absolute < max(spans[index].end, spans[index].start + 1) {
                column = columns[index]
                break
            }
            return .error(rowError(.invalidUTF8, raw: raw, line: recordLine, column: column,
                                   message: "invalid UTF-8 at byte \(offset + 1) of the record (is the file in another encoding?)"))
        }
        if flags & Self.escapes != 0 { unescape(fieldCount) }
        return .row(CSVRow(recordNumber: recordNumber, line: recordLine, base: UnsafePointer(window.base),
                           spans: UnsafeBufferPointer(start: spans, count: fieldCount)))
    }

    private func rowError(_ kind: RowError.Kind, raw: UnsafeBufferPointer<UInt8>, line: Int,
                          column: String? = nil, message: String) -> RowError {
        RowError(kind: kind, file: file.displayName, recordNumber: recordNumber, line: line,
                 column: column, message: message, rawText: RowError.rawText(raw))
    }

    private func firstLine(of raw: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard let end = raw.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) else { return raw }
        return UnsafeBufferPointer(rebasing: raw[..<end])
    }

    /// Continues after the first line break at or after `start`, with quoting reset.
    private func resyncAfterFirstLine(of start: Int) {
        window.position = start
        line += 1
        skippingToLineEnd = true
        skipToLineEnd()
    }

    /// Moves past the next line break (CRLF as one); stays in skipping mode when the buffer
    /// ends first, so the caller refills and continues.
    private func skipToLineEnd() {
        var i = window.position
        while i < window.length && window.base[i] != 0x0A && window.base[i] != 0x0D { i += 1 }
        if i < window.length {
            if window.base[i] == 0x0D && i + 1 >= window.length && !window.endOfInput {
                window.position = i   // a CR at the end of the buffer: wait to see whether LF follows
                return
            }
            i += (window.base[i] == 0x0D && i + 1 < window.length && window.base[i + 1] == 0x0A) ? 2 : 1
            skippingToLineEnd = false
        } else if window.endOfInput {
            skippingToLineEnd = false
        }
        window.position = i
    }

    /// A record longer than `maxRecordBytes` that is still incomplete: report it, then skip
    /// to the next line break after its first line.
    private func skipOversizedRecord() -> RowError {
        recordNumber += 1
        let raw = UnsafeBufferPointer(start: window.base + window.position, count: window.length - window.position)
        let error = rowError(.unterminatedQuote, raw: firstLine(of: raw), line: line,
                             message: "record longer than \(maxRecordBytes) bytes (a quote never closed?); reading resumes on the next line")
        resyncAfterFirstLine(of: window.position)
        return error
    }
}

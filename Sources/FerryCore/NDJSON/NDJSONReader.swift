#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the NDJSON reader hands out.
public enum NDJSONEvent {
    /// A line holding one JSON object.
    case record(NDJSONRecord)
    /// A line the reader's `JSONPathSet` scanner validated, its wanted values located.
    case line(NDJSONLine)
    case error(RowError)
}

public struct NDJSONRecord: Sendable {
    public let recordNumber: Int
    public let line: Int
    public let object: JSONObject

    public init(recordNumber: Int, line: Int, object: JSONObject) {
        self.recordNumber = recordNumber
        self.line = line
        self.object = object
    }

    /// The value at a dotted path (`user.address.city`), or nil when any step is missing.
    public func value(atPath path: String) -> JSONValue? {
        JSONValue.object(object).value(atPath: path)
    }
}

/// One line of NDJSON text, not yet decoded (`NDJSONReader.nextText()`).
public enum NDJSONText {
    /// The line's bytes (without its line break), valid until the reader's next call.
    case line(UnsafeBufferPointer<UInt8>, line: Int, recordNumber: Int)
    /// A line that cannot be used whatever it holds (too long, or cut by damage).
    case error(RowError)
}

/// Makes NDJSON lines into records: scanned for a mapping's paths when it can (`.line`),
/// parsed whole otherwise (`.record`), or a row error. One per thread: `.line` events borrow
/// its slots until its next call.
public final class NDJSONLineDecoder {
    let fileName: String
    private let paths: JSONPathSet?
    private let slots: UnsafeMutableBufferPointer<JSONSlot>

    public init(fileName: String, paths: JSONPathSet?) {
        self.fileName = fileName
        self.paths = paths
        slots = .allocate(capacity: max(1, paths?.slotCount ?? 0))
    }

    deinit { slots.deallocate() }

    public func decode(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, recordNumber: Int) -> NDJSONEvent {
        if let paths, JSONFieldScanner.scan(bytes, paths: paths, into: slots) {
            return .line(NDJSONLine(recordNumber: recordNumber, line: line, bytes: bytes, slots: UnsafeBufferPointer(slots)))
        }
        do throws(JSONParseError) {
            let value = try JSONParser.parse(bytes)
            guard case .object(let object) = value else {
                return .error(RowError(kind: .notAnObject, file: fileName, recordNumber: recordNumber, line: line,
                                       message: "expected a JSON object, found \(NDJSONReader.kindName(value))",
                                       rawText: RowError.rawText(bytes)))
            }
            return .record(NDJSONRecord(recordNumber: recordNumber, line: line, object: object))
        } catch {
            return .error(RowError(kind: .invalidJSON, file: fileName, recordNumber: recordNumber, line: line,
                                   message: "invalid JSON: \(error.message) (at byte \(error.offset + 1) of the line)",
                                   rawText: RowError.rawText(bytes)))
        }
    }
}

/// Streaming newline-delimited JSON: one object per line, blank lines skipped, CRLF accepted,
/// a UTF-8 byte order mark at the start stripped, lines of any length (up to `maxLineBytes`).
/// A line that is not valid JSON, or not an object, is a row error; reading continues.
public final class NDJSONReader {
    public let file: InputFile
    /// Longest line accepted; a longer line is reported and skipped (bounds memory).
    public let maxLineBytes: Int

    private let input: OpenedInput
    // A reader is used from one thread, never re-entrantly: the run-time exclusivity checks on
    // its per-line state are off (as in CSVReader).
    @exclusivity(unchecked) private var window: RecordBuffer
    /// Where the search for the next line feed resumes (avoids rescanning a long line).
    @exclusivity(unchecked) private var searchFrom = 0
    @exclusivity(unchecked) private var line = 0
    @exclusivity(unchecked) private var recordNumber = 0
    @exclusivity(unchecked) private var skippingLongLine = false
    /// With paths: lines are scanned for them (`.line`), and parsed whole (`.record`) only
    /// when the scanner leaves a line to the parser.
    public let paths: JSONPathSet?
    private let decoder: NDJSONLineDecoder

    public init(input: OpenedInput, maxLineBytes: Int = 256 << 20, paths: JSONPathSet? = nil) {
        self.input = input
        file = input.file
        self.maxLineBytes = maxLineBytes
        self.paths = paths
        decoder = NDJSONLineDecoder(fileName: input.file.displayName, paths: paths)
        window = RecordBuffer(capacity: OpenedInput.defaultChunkSize * 2)
    }

    deinit { window.deallocate() }

    public var storedBytesConsumed: Int64 { input.storedBytesConsumed }

    /// The next record or row error; nil at the end. A damaged file throws after every
    /// complete line before the damage has been returned.
    public func next() throws(InputError) -> NDJSONEvent? {
        switch try nextText() {
        case .line(let bytes, let line, let recordNumber)?:
            return decoder.decode(bytes, line: line, recordNumber: recordNumber)
        case .error(let error)?:
            return .error(error)
        case nil:
            return nil
        }
    }

    /// The next non-blank line, undecoded (for decoding on another thread), or a row error;
    /// nil at the end. Throws like `next()`.
    public func nextText() throws(InputError) -> NDJSONText? {
        while true {
            let start = window.position
            let scanStart = max(searchFrom, start)
            let found = scanStart < window.length
                ? memchr(window.base + scanStart, 0x0A, window.length - scanStart)
                : nil
            let lineEnd: Int
            let next: Int
            if let found {
                lineEnd = found.assumingMemoryBound(to: UInt8.self) - window.base
                next = lineEnd + 1
            } else if window.endOfInput {
                if start >= window.length {
                    if let error = window.deferredError {
                        window.deferredError = nil
                        throw error
                    }
                    return nil
                }
                lineEnd = window.length
                next = window.length
            } else {
                searchFrom = window.length
                if skippingLongLine {
                    window.position = window.length
                } else if window.length - start > maxLineBytes {
                    line += 1
                    recordNumber += 1
                    let raw = UnsafeBufferPointer(start: window.base + start, count: min(window.length - start, RowError.rawTextLimit))
                    window.position = window.length
                    searchFrom = window.length
                    skippingLongLine = true
                    return .error(error(.invalidJSON, raw: raw,
                                        message: "line longer than \(maxLineBytes) bytes; skipped"))
                }
                refill()
                continue
            }
            window.position = next
            searchFrom = next
            if skippingLongLine {
                skippingLongLine = false
                continue
            }
            line += 1
            var end = lineEnd
            if end > start && window.base[end - 1] == 0x0D { end -= 1 }
            let bytes = UnsafeBufferPointer(start: window.base + start, count: end - start)
            if isBlank(bytes) { continue }
            recordNumber += 1
            if found == nil && window.deferredError != nil {
                return .error(error(.incompleteRecord, raw: bytes,
                                    message: "the input is damaged inside this line, so it is not used"))
            }
            return .line(bytes, line: line, recordNumber: recordNumber)
        }
    }

    private func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in bytes where b != 0x20 && b != 0x09 && b != 0x0D { return false }
        return true
    }

    private func error(_ kind: RowError.Kind, raw: UnsafeBufferPointer<UInt8>, message: String) -> RowError {
        RowError(kind: kind, file: file.displayName, recordNumber: recordNumber, line: line,
                 message: message, rawText: RowError.rawText(raw))
    }

    static func kindName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double, .decimal: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    private func refill() {
        let shift = window.refill(from: input, minimum: 1)
        searchFrom -= shift
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the NDJSON reader hands out.
public enum NDJSONEvent {
    /// A line holding one JSON object.
    case record(NDJSONRecord)
    case error(RowError)
}

public struct NDJSONRecord: Sendable {
    public let recordNumber: Int
    public let line: Int
    public let object: JSONObject

    /// The value at a dotted path (`user.address.city`), or nil when any step is missing.
    public func value(atPath path: String) -> JSONValue? {
        JSONValue.object(object).value(atPath: path)
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
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var length = 0
    private var position = 0
    /// Where the search for the next line feed resumes (avoids rescanning a long line).
    private var searchFrom = 0
    private var endOfInput = false
    private var deferredError: InputError?
    private var line = 0
    private var recordNumber = 0
    private var atStart = true
    private var skippingLongLine = false

    public init(input: OpenedInput, maxLineBytes: Int = 256 << 20) {
        self.input = input
        file = input.file
        self.maxLineBytes = maxLineBytes
        capacity = OpenedInput.defaultChunkSize * 2
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    public var storedBytesConsumed: Int64 { input.storedBytesConsumed }

    /// The next record or row error; nil at the end. A damaged file throws after every
    /// complete line before the damage has been returned.
    public func next() throws(InputError) -> NDJSONEvent? {
        while true {
            let start = position
            let scanStart = max(searchFrom, start)
            let found = scanStart < length
                ? memchr(buffer + scanStart, 0x0A, length - scanStart)
                : nil
            let lineEnd: Int
            let next: Int
            if let found {
                lineEnd = found.assumingMemoryBound(to: UInt8.self) - buffer
                next = lineEnd + 1
            } else if endOfInput {
                if start >= length {
                    if let error = deferredError {
                        deferredError = nil
                        throw error
                    }
                    return nil
                }
                lineEnd = length
                next = length
            } else {
                searchFrom = length
                if skippingLongLine {
                    position = length
                } else if length - start > maxLineBytes {
                    line += 1
                    recordNumber += 1
                    let raw = UnsafeBufferPointer(start: buffer + start, count: min(length - start, RowError.rawTextLimit))
                    position = length
                    searchFrom = length
                    skippingLongLine = true
                    return .error(error(.invalidJSON, raw: raw,
                                        message: "line longer than \(maxLineBytes) bytes; skipped"))
                }
                try refill()
                continue
            }
            position = next
            searchFrom = next
            if skippingLongLine {
                skippingLongLine = false
                continue
            }
            line += 1
            var end = lineEnd
            if end > start && buffer[end - 1] == 0x0D { end -= 1 }
            let bytes = UnsafeBufferPointer(start: buffer + start, count: end - start)
            if isBlank(bytes) { continue }
            recordNumber += 1
            if found == nil && deferredError != nil {
                return .error(error(.incompleteRecord, raw: bytes,
                                    message: "the input is damaged inside this line, so it is not used"))
            }
            do throws(JSONParseError) {
                let value = try JSONParser.parse(bytes)
                guard case .object(let object) = value else {
                    return .error(error(.notAnObject, raw: bytes,
                                        message: "expected a JSON object, found \(Self.kindName(value))"))
                }
                return .record(NDJSONRecord(recordNumber: recordNumber, line: line, object: object))
            } catch {
                return .error(self.error(.invalidJSON, raw: bytes, message: "invalid JSON: \(error.message) (at byte \(error.offset + 1) of the line)"))
            }
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

    private func refill() throws(InputError) {
        let pending = length - position
        if position > 0 {
            if pending > 0 { buffer.update(from: buffer + position, count: pending) }
            searchFrom -= position
            position = 0
            length = pending
        }
        let chunk: UnsafeBufferPointer<UInt8>?
        do {
            chunk = try input.nextChunk()
        } catch {
            deferredError = error
            endOfInput = true
            return
        }
        guard var bytes = chunk, !bytes.isEmpty else {
            endOfInput = true
            return
        }
        if atStart {
            atStart = false
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
                bytes = UnsafeBufferPointer(rebasing: bytes[3...])
            }
        }
        if length + bytes.count > capacity {
            var newCapacity = capacity
            while newCapacity < length + bytes.count { newCapacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: buffer, count: length)
            buffer.deallocate()
            buffer = grown
            capacity = newCapacity
        }
        if let source = bytes.baseAddress {
            (buffer + length).update(from: source, count: bytes.count)
        }
        length += bytes.count
    }
}

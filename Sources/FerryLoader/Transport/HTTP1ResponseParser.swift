#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one HTTP/1.1 response from a connection's bytes as they arrive (RFC 9112): the
/// status line and headers, then a body framed by Content-Length, by chunked transfer
/// coding, or by the connection's close. Interim 1xx answers are skipped. Lines end in CRLF.
/// Limits keep a broken or hostile server from growing memory: the head is at most
/// `maxHeadBytes`, the body at most `maxBodyBytes`.
struct HTTP1ResponseParser {
    enum Progress {
        case needMore
        /// `keepAlive` tells whether the connection can carry the next request.
        case complete(ReceivedResponse, keepAlive: Bool)
    }

    private enum State {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    let maxHeadBytes: Int
    let maxBodyBytes: Int
    /// A HEAD request's answer has no body, whatever its headers say.
    let bodyless: Bool

    private var buffer: [UInt8] = []
    private var cursor = 0
    private var scanFrom = 0
    private var state = State.head
    private var status = 0
    private var headers = ResponseHeaders()
    private var keepAlive = true
    private var http11 = true
    private var body: [UInt8] = []

    init(maxHeadBytes: Int = 64 << 10, maxBodyBytes: Int = 4 << 20, bodyless: Bool = false) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
        self.bodyless = bodyless
    }

    /// Ready for the next answer on the same connection, keeping the buffer's capacity (a new
    /// parser for every request allocated a new buffer for every answer).
    mutating func reset(bodyless: Bool) {
        var kept: [UInt8] = []
        swap(&kept, &buffer)   // uniquely held, so emptying it keeps its storage
        kept.removeAll(keepingCapacity: true)
        self = HTTP1ResponseParser(maxHeadBytes: maxHeadBytes, maxBodyBytes: maxBodyBytes, bodyless: bodyless)
        buffer = kept
    }

    /// Whether any byte of the answer (an interim 1xx included) has arrived.
    private(set) var hasStarted = false

    mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(TransportError) -> Progress {
        if case .done = state {
            // Bytes after the answer: the connection cannot be trusted for another request.
            keepAlive = false
            return .needMore
        }
        if !bytes.isEmpty { hasStarted = true }
        buffer.append(contentsOf: bytes)
        let progress = try advance()
        if cursor == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            cursor = 0
            scanFrom = 0
        } else if cursor > 16 << 10 {
            buffer.removeFirst(cursor)
            scanFrom -= cursor
            cursor = 0
        }
        return progress
    }

    /// The connection closed: the answer when its body runs to the close, nil when nothing
    /// of an answer arrived; throws when it stopped partway.
    mutating func connectionClosed() throws(TransportError) -> ReceivedResponse? {
        switch state {
        case .untilClose:
            state = .done
            return ReceivedResponse(status: status, headers: headers, body: body)
        case .head where !hasStarted:
            return nil
        case .done:
            return nil
        default:
            throw TransportError(.connectionClosed, "the connection closed before the answer was complete")
        }
    }

    private var available: Int { buffer.count - cursor }

    private mutating func advance() throws(TransportError) -> Progress {
        while true {
            switch state {
            case .head:
                guard let end = find(.crlfcrlf, from: max(cursor, scanFrom)) else {
                    if available > maxHeadBytes { throw malformed("the answer's headers are longer than \(maxHeadBytes >> 10) KiB") }
                    scanFrom = max(cursor, buffer.count - 3)
                    return .needMore
                }
                if end - cursor > maxHeadBytes { throw malformed("the answer's headers are longer than \(maxHeadBytes >> 10) KiB") }
                try parseHead(cursor..<end)
                cursor = end + 4
                scanFrom = cursor
                if (100..<200).contains(status) {
                    if status == 101 { throw malformed("the server switched protocols (HTTP 101)") }
                    status = 0
                    headers.removeAll()
                    keepAlive = true
                    continue
                }
                try chooseFraming()
                if case .done = state { return finish() }
            case .fixed(let remaining):
                let left = takeBody(remaining)
                if left > 0 {
                    state = .fixed(remaining: left)
                    return .needMore
                }
                return finish()
            case .chunkSize:
                guard let end = find(.crlf, from: cursor) else {
                    if available > 4096 { throw malformed("a chunk-size line is longer than 4 KiB") }
                    return .needMore
                }
                let size = try chunkSize(cursor..<end)
                cursor = end + 2
                if size == 0 {
                    state = .trailers
                } else {
                    if body.count + size > maxBodyBytes { throw tooLarge() }
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let left = takeBody(remaining)
                if left > 0 {
                    state = .chunkData(remaining: left)
                    return .needMore
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                if available < 2 { return .needMore }
                guard buffer[cursor] == 13, buffer[cursor + 1] == 10 else { throw malformed("a chunk does not end in CRLF") }
                cursor += 2
                state = .chunkSize
            case .trailers:
                guard let end = find(.crlf, from: cursor) else {
                    if available > maxHeadBytes { throw malformed("the answer's trailers are longer than \(maxHeadBytes >> 10) KiB") }
                    return .needMore
                }
                let empty = end == cursor
                cursor = end + 2
                if empty { return finish() }
            case .untilClose:
                if body.count + available > maxBodyBytes { throw tooLarge() }
                body.append(contentsOf: buffer[cursor...])
                cursor = buffer.count
                return .needMore
            case .done:
                return .needMore
            }
        }
    }

    /// Moves up to `remaining` body bytes from the buffer to the body; what is still to come.
    private mutating func takeBody(_ remaining: Int) -> Int {
        let take = min(remaining, available)
        body.append(contentsOf: buffer[cursor..<cursor + take])
        cursor += take
        return remaining - take
    }

    private mutating func finish() -> Progress {
        state = .done
        if cursor < buffer.count { keepAlive = false }
        return .complete(ReceivedResponse(status: status, headers: headers, body: body), keepAlive: keepAlive)
    }

    private mutating func chooseFraming() throws(TransportError) {
        if bodyless || status == 204 || status == 304 {
            state = .done
            return
        }
        // Read from the header bytes: the Content-Length values (all must be one number),
        // and of the transfer codings only whether there are any and the last.
        var lengthValue: Range<Int>?
        var lengthConflict = false
        var codings = 0
        var lastCoding: Range<Int>?
        let fieldBytes = headers.bytes
        for field in headers.fields {
            if headers.isNamed(field, "content-length") {
                headers.forEachElement(of: field) { element in
                    if let seen = lengthValue {
                        if fieldBytes[seen] != fieldBytes[element] { lengthConflict = true }
                    } else {
                        lengthValue = element
                    }
                }
            } else if headers.isNamed(field, "transfer-encoding") {
                headers.forEachElement(of: field) { element in
                    codings += 1
                    lastCoding = element
                }
            }
        }
        if codings > 0 {
            // RFC 9112 6.1 and 6.3: chunked last frames the body, any other coding runs to the
            // close; with a Content-Length too, or from an HTTP/1.0 server, the connection is
            // not used again.
            if lengthValue != nil || !http11 { keepAlive = false }
            if let lastCoding, headers.matches(lastCoding, "chunked") {
                state = .chunkSize
            } else {
                keepAlive = false
                state = .untilClose
            }
            return
        }
        if let value = lengthValue {
            let digits = fieldBytes[value]
            guard !lengthConflict, !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                throw malformed("the answer's Content-Length is not one number")
            }
            let length = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
            if length > maxBodyBytes { throw tooLarge() }
            state = length == 0 ? .done : .fixed(remaining: length)
            return
        }
        keepAlive = false
        state = .untilClose
    }

    /// Status line and header fields; sets `status`, `headers` and the default `keepAlive`.
    private mutating func parseHead(_ range: Range<Int>) throws(TransportError) {
        let statusEnd = find(.crlf, from: range.lowerBound).map { min($0, range.upperBound) } ?? range.upperBound
        let statusLine = buffer[range.lowerBound..<statusEnd]
        // HTTP/1.x SP 3DIGIT [SP reason]
        guard statusLine.count >= 12, Self.startsWithVersionPrefix(statusLine) else {
            throw malformed("the answer does not start with an HTTP/1.x status line")
        }
        let base = statusLine.startIndex
        let minor = statusLine[base + 7]
        let digits = statusLine[(base + 9)..<(base + 12)]
        guard minor >= 48, minor <= 57, statusLine[base + 8] == 32, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              statusLine.count == 12 || statusLine[base + 12] == 32 else {
            throw malformed("the answer's status line is not HTTP/1.x and a three-digit code")
        }
        status = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
        headers = ResponseHeaders(reservingBytes: range.upperBound - statusEnd, fields: 8)
        var start = statusEnd + 2
        while start < range.upperBound {
            let end = find(.crlf, from: start).map { min($0, range.upperBound) } ?? range.upperBound
            defer { start = end + 2 }
            if buffer[start] == 32 || buffer[start] == 9 {
                // Obsolete line folding: the line continues the previous field's value.
                guard headers.continueLast(with: buffer[ResponseHeaders.trimmed(start..<end, in: buffer)]) else {
                    throw malformed("the answer's headers start with a continuation line")
                }
                continue
            }
            guard let colon = buffer[start..<end].firstIndex(of: 58), colon > start else {
                throw malformed("an answer header has no name and colon")
            }
            if buffer[colon - 1] == 32 || buffer[colon - 1] == 9 {
                throw malformed("an answer header has white space before its colon")   // RFC 9112 5.1
            }
            headers.append(name: buffer[start..<colon], value: buffer[(colon + 1)..<end])
        }
        var close = false
        var keep = false
        for field in headers.fields where headers.isNamed(field, "connection") {
            headers.forEachElement(of: field) { token in
                if headers.matches(token, "close") {
                    close = true
                } else if headers.matches(token, "keep-alive") {
                    keep = true
                }
            }
        }
        http11 = minor != 48
        // "close" wins over anything; HTTP/1.0 keeps the connection only when asked to.
        keepAlive = !close && (http11 || keep)
    }

    /// Whether `line` starts with "HTTP/1.".
    private static func startsWithVersionPrefix(_ line: ArraySlice<UInt8>) -> Bool {
        let base = line.startIndex
        return line[base] == 72 && line[base + 1] == 84 && line[base + 2] == 84 && line[base + 3] == 80
            && line[base + 4] == 47 && line[base + 5] == 49 && line[base + 6] == 46
    }

    private func chunkSize(_ range: Range<Int>) throws(TransportError) -> Int {
        var size = 0
        var digits = 0
        for byte in buffer[range] {
            let value: Int
            switch byte {
            case 48...57: value = Int(byte - 48)
            case 65...70: value = Int(byte - 55)
            case 97...102: value = Int(byte - 87)
            case 59, 32, 9:   // ';' starts chunk extensions, which are ignored
                guard digits > 0 else { throw malformed("a chunk-size line has no size") }
                return size
            default: throw malformed("a chunk size is not hexadecimal")
            }
            digits += 1
            if digits > 15 { throw malformed("a chunk size is too large") }
            size = size * 16 + value
        }
        guard digits > 0 else { throw malformed("a chunk-size line has no size") }
        return size
    }

    private enum Needle {
        case crlf
        case crlfcrlf

        var count: Int { self == .crlf ? 2 : 4 }
    }

    /// The index of the first CRLF (or CRLF CRLF) at or after `from`, found with memchr.
    private func find(_ needle: Needle, from: Int) -> Int? {
        let count = buffer.count
        let length = needle.count
        guard count >= length, from <= count - length else { return nil }
        return buffer.withUnsafeBufferPointer { bytes -> Int? in
            let base = bytes.baseAddress!
            var i = from
            let last = count - length
            while i <= last {
                guard let hit = memchr(base + i, 13, last + 1 - i) else { return nil }
                i = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
                if base[i + 1] == 10 && (length == 2 || (base[i + 2] == 13 && base[i + 3] == 10)) { return i }
                i += 1
            }
            return nil
        }
    }

    private func malformed(_ detail: String) -> TransportError { TransportError(.malformedResponse, detail) }

    private func tooLarge() -> TransportError {
        TransportError(.malformedResponse, "the answer's body is larger than \(maxBodyBytes >> 20) MiB")
    }
}

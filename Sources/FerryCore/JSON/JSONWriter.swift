import CByteScan

/// A fast JSON writer that appends compact UTF-8 JSON to ``bytes``.
///
/// The writer places commas itself: call ``beginObject()``, then ``writeKey(_:)`` followed
/// by one value per member, then ``endObject()``; arrays take values between
/// ``beginArray()`` and ``endArray()``. Keys and values are written in the order given.
/// Values written at the top level (outside any container) get no separator.
///
/// Strings are escaped as follows: `"` and `\` with a backslash; U+0000–U+001F as `\b`
/// `\f` `\n` `\r` `\t` or `\u00xx` (lowercase hex); U+2028 and U+2029 as `\u2028` and
/// `\u2029` so the output is also safe inside JavaScript; everything else (including `/`
/// and DEL) as raw UTF-8. The writer never emits invalid UTF-8.
///
/// Doubles use the shortest representation that round-trips (Swift's `description`,
/// e.g. `5.0`, `-0.0`, `1e-05`, `1e+100`), always a valid JSON number. JSON has no
/// infinities or NaN: a non-finite double is written as `null`.
///
/// Noncopyable: a writer owns its bytes, so that no write has to check whether a copy shares
/// them (hold one in a class, or pass it `inout` or `borrowing`).
public struct JSONWriter: ~Copyable, Sendable {
    /// The JSON written so far (a copy: hot paths read it in place with ``withBytes(_:)``
    /// and ``count``).
    public var bytes: [UInt8] {
        let buffer = out.buffer
        return [UInt8](unsafeUninitializedCapacity: buffer.count) { storage, initialized in
            if let base = buffer.baseAddress, buffer.count > 0 { storage.baseAddress!.initialize(from: base, count: buffer.count) }
            initialized = buffer.count
        }
    }
    /// How many bytes are written.
    public var count: Int { out.count }
    /// Bytes the writer can hold before it grows.
    public var capacity: Int { out.capacity }
    @usableFromInline var out: JSONBytes
    /// Open containers (objects and arrays), and for each whether it already holds an element:
    /// a bit per container in `filled` for the outer 64 (bit k for the container at depth k+1),
    /// `deeperFilled` for any deeper. Plain bits rather than a `[Bool]`: each key and value
    /// asks, and an array's uniqueness and bounds checks there were a few percent of a conversion.
    @usableFromInline var depth = 0
    @usableFromInline var filled: UInt64 = 0
    @usableFromInline var deeperFilled: [Bool] = []
    /// True right after a key, when the member's value must not be preceded by a comma.
    @usableFromInline var afterKey = false
    /// Keys written into the outermost object since `reset()` (its member count when the
    /// outermost container is an object).
    public var rootMemberCount: Int { rootMembers }
    @usableFromInline var rootMembers = 0

    public init(capacity: Int = 4096) {
        out = JSONBytes(capacity: capacity)
    }

    /// The bytes written, in place (valid only inside `body`).
    @inline(__always)
    public func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(out.buffer)
    }

    /// Appends one byte outside the JSON grammar (a line feed after a record, say).
    public mutating func appendByte(_ byte: UInt8) {
        out.append(byte)
    }

    /// Appends bytes outside the JSON grammar (a CSV line, say), with no separator.
    public mutating func appendBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { out.append($0) }
    }

    /// Appends bytes outside the JSON grammar, with no separator (the caller vouches that what
    /// it builds is valid JSON where it must be).
    public mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        out.append(bytes)
    }

    /// Empties the writer, keeping its capacity.
    public mutating func reset() {
        out.removeAll()
        closeAll()
        afterKey = false
        rootMembers = 0
    }

    /// Starts another top-level value after the bytes already written, which stay (many
    /// records written into one buffer, one after the other, without separators).
    public mutating func startValue() {
        closeAll()
        afterKey = false
        rootMembers = 0
    }

    /// Drops everything written after the first `count` bytes (a record abandoned midway).
    public mutating func truncate(to count: Int) {
        out.truncate(to: count)
    }

    // MARK: - Whole values

    /// Writes a complete value tree.
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: writeNull()
        case .bool(let b): writeBool(b)
        case .int(let v): writeInt(v)
        case .double(let v): writeDouble(v)
        case .decimal(let literal): writeDecimal(literal)
        case .string(let s): writeString(s)
        case .array(let items):
            beginArray()
            for item in items { write(item) }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members {
                writeKey(member.key)
                write(member.value)
            }
            endObject()
        }
    }

    /// The compact JSON text of `value`.
    public static func serialize(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.write(value)
        return writer.bytes
    }

    /// The compact JSON text of `value`, as a String.
    @_disfavoredOverload
    public static func serialize(_ value: JSONValue) -> String {
        let bytes: [UInt8] = serialize(value)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes an already serialized JSON value (for example a formatted timestamp token or
    /// a record written by another writer) as the next value. The caller vouches it is valid JSON.
    public mutating func writeRawValue(_ json: UnsafeBufferPointer<UInt8>) {
        separate()
        out.append(json)
    }

    /// Writes a timestamp as the vendor wants it (`TimestampFormatter.appendJSON`), formatted
    /// straight into the writer's bytes.
    @inlinable @inline(__always)
    public mutating func writeTimestamp(_ t: Timestamp, as format: TimestampOutputFormat) {
        separate()
        let room = out.reserve(TimestampFormatter.maxJSONLength)
        out.commit(TimestampFormatter.writeJSON(t, as: format, to: room))
    }

    public mutating func writeRawValue(_ json: [UInt8]) {
        json.withUnsafeBufferPointer { writeRawValue($0) }
    }

    // MARK: - Structure

    @inlinable @inline(__always)
    public mutating func beginObject() {
        separate()
        out.append(UInt8(ascii: "{"))
        open()
    }

    @inlinable @inline(__always)
    public mutating func endObject() {
        close(UInt8(ascii: "}"))
    }

    @inlinable @inline(__always)
    public mutating func beginArray() {
        separate()
        out.append(UInt8(ascii: "["))
        open()
    }

    @inlinable @inline(__always)
    public mutating func endArray() {
        close(UInt8(ascii: "]"))
    }

    /// Writes an object member's key; the next value written is that member's value.
    public mutating func writeKey(_ key: String) {
        separate()
        if depth == 1 { rootMembers += 1 }
        appendQuoted(key)
        out.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// True when the innermost open container has no element yet (false outside any container).
    public var currentContainerIsEmpty: Bool {
        guard depth > 0 else { return false }
        return !isFilled(depth - 1)
    }

    /// A key encoded once as a JSON string followed by its colon (`"userId":`), for keys
    /// written millions of times (see ``writeEncodedKey(_:)``).
    public static func encodedKey(_ key: String) -> [UInt8] {
        var writer = JSONWriter(capacity: key.utf8.count + 8)
        writer.writeString(key)
        writer.appendByte(UInt8(ascii: ":"))
        return writer.bytes
    }

    /// Writes a key made by ``encodedKey(_:)``; the next value written is that member's value.
    public mutating func writeEncodedKey(_ encoded: [UInt8]) {
        separate()
        if depth == 1 { rootMembers += 1 }
        encoded.withUnsafeBufferPointer { out.append($0) }
        afterKey = true
    }

    @inlinable @inline(__always)
    public mutating func writeEncodedKey(_ encoded: UnsafeBufferPointer<UInt8>) {
        separate()
        if depth == 1 { rootMembers += 1 }
        out.append(encoded)
        afterKey = true
    }

    /// Writes a whole object member already encoded as `"key":value` (a constant written
    /// once for every record).
    @inlinable
    public mutating func writeEncodedMember(_ encoded: UnsafeBufferPointer<UInt8>) {
        separate()
        if depth == 1 { rootMembers += 1 }
        out.append(encoded)
    }

    @inlinable @inline(__always)
    mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        let top = depth &- 1
        guard top >= 0 else { return }
        if _fastPath(top < 64) {
            let bit: UInt64 = 1 &<< UInt64(top)
            if filled & bit != 0 {
                out.append(UInt8(ascii: ","))
            } else {
                filled |= bit
            }
        } else if deeperFilled[top &- 64] {
            out.append(UInt8(ascii: ","))
        } else {
            deeperFilled[top &- 64] = true
        }
    }

    /// Whether the container at depth `level + 1` holds an element.
    private func isFilled(_ level: Int) -> Bool {
        level < 64 ? filled & (1 &<< UInt64(level)) != 0 : deeperFilled[level - 64]
    }

    /// Notes a container begun (its bracket written), empty so far.
    @inlinable @inline(__always)
    mutating func open() {
        if _fastPath(depth < 64) {
            filled &= ~(1 &<< UInt64(depth))
        } else {
            openDeeper()
        }
        depth &+= 1
    }

    @usableFromInline @inline(never)
    mutating func openDeeper() {
        deeperFilled.append(false)
    }

    private mutating func closeAll() {
        depth = 0
        filled = 0
        if !deeperFilled.isEmpty { deeperFilled.removeAll(keepingCapacity: true) }
    }

    @inlinable @inline(__always)
    mutating func close(_ bracket: UInt8) {
        assert(depth > 0, "JSONWriter: end of a container that was never begun")
        if depth > 0 {
            depth &-= 1
            if _slowPath(depth >= 64) { closeDeeper() }
        }
        afterKey = false
        out.append(bracket)
    }

    @usableFromInline @inline(never)
    mutating func closeDeeper() {
        deeperFilled.removeLast()
    }

    // MARK: - Scalars

    public mutating func writeNull() {
        separate()
        appendStatic("null")
    }

    public mutating func writeBool(_ value: Bool) {
        separate()
        appendStatic(value ? "true" : "false")
    }

    @inlinable @inline(__always)
    public mutating func writeInt(_ value: Int64) {
        separate()
        appendInt(value)
    }

    /// Writes the shortest round-trip form of `value`; non-finite values are written as `null`.
    public mutating func writeDouble(_ value: Double) {
        guard value.isFinite else {
            writeNull()
            return
        }
        separate()
        // Integral values up to 2^53 print as digits plus ".0", exactly as `description` does.
        if value.magnitude <= 9_007_199_254_740_992, value.rounded(.towardZero) == value {
            if value == 0 && value.sign == .minus {
                appendStatic("-0.0")
            } else {
                appendInt(Int64(value))
                appendStatic(".0")
            }
            return
        }
        var text = value.description
        text.withUTF8 { out.append($0) }
    }

    /// Writes a float given as decimal text, copying the text when `writeDouble` would print
    /// it unchanged (`PlainDecimal`); false, with nothing written, when it might not.
    public mutating func writeDouble(plainDecimal text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let form = PlainDecimal.form(text) else { return false }
        writeDouble(plainDecimal: text, form: form)
        return true
    }

    /// As above, for text whose `PlainDecimal.form` the caller has already found.
    public mutating func writeDouble(plainDecimal text: UnsafeBufferPointer<UInt8>, form: PlainDecimal.Form) {
        separate()
        out.append(UnsafeBufferPointer(rebasing: text[..<form.length]))
        if form.pointZero { appendStatic(".0") }
    }

    /// Writes a number literal verbatim. `literal` must be a valid JSON number, as every
    /// ``JSONValue/decimal(_:)`` produced by ``JSONParser`` is.
    public mutating func writeDecimal(_ literal: String) {
        separate()
        appendRaw(literal)
    }

    public mutating func writeString(_ value: String) {
        separate()
        appendQuoted(value)
    }

    /// Writes bytes that should be UTF-8 as a JSON string. Each invalid sequence (each
    /// maximal ill-formed subpart, as `String(decoding:as:)` does) becomes U+FFFD, so
    /// invalid UTF-8 is never emitted.
    public mutating func writeString(bytes source: UnsafeBufferPointer<UInt8>) {
        separate()
        if UTF8Validation.isValid(source) {
            appendEscapedValid(source)
        } else {
            appendEscapedRepairing(source)
        }
    }

    /// Writes bytes already known to be valid UTF-8 (for example CSV fields, which the
    /// reader validates) as a JSON string, skipping the validation pass.
    @inlinable @inline(__always)
    public mutating func writeString(validUTF8 source: UnsafeBufferPointer<UInt8>) {
        separate()
        appendEscapedValid(source)
    }

    // MARK: - Appending

    @inline(__always)
    private mutating func appendStatic(_ text: StaticString) {
        out.append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func appendRaw(_ text: String) {
        var text = text
        text.withUTF8 { out.append($0) }
    }

    @usableFromInline
    mutating func appendInt(_ value: Int64) {
        out.commit(DecimalDigits.write(value, to: out.reserve(DecimalDigits.maxLength)))
    }

    private mutating func appendQuoted(_ text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { appendEscapedValid($0) }
        if done == nil {
            var copy = text
            copy.withUTF8 { appendEscapedValid($0) }
        }
    }

    /// A byte that may need escaping in valid UTF-8: a control character, `"`, `\`, or 0xE2
    /// (which leads U+2028 and U+2029).
    @inline(__always)
    private static func mayNeedEscape(_ c: UInt8) -> Bool {
        c < 0x20 || c == 0x22 || c == 0x5C || c == 0xE2
    }

    /// The index of the first byte at or after `start` that may need escaping in valid
    /// UTF-8: a control character, `"`, `\`, or 0xE2 (which leads U+2028 and U+2029).
    @inline(__always)
    private static func nextSpecial(_ p: UnsafePointer<UInt8>, from start: Int, count n: Int) -> Int {
        var j = start
        while j &+ 8 <= n {
            let w = JSONScan.load(p, j)
            let stops = JSONScan.stringStops(w) | JSONScan.equal(w, 0xE2)
            if stops != 0 { return j + stops.trailingZeroBitCount >> 3 }
            j &+= 8
        }
        while j < n {
            let c = p[j]
            if mayNeedEscape(c) { return j }
            j += 1
        }
        return n
    }

    /// Appends `source`, known to be valid UTF-8, as a quoted, escaped JSON string.
    @usableFromInline
    mutating func appendEscapedValid(_ source: UnsafeBufferPointer<UInt8>) {
        guard let p = source.baseAddress else {
            appendStatic("\"\"")
            return
        }
        let n = source.count
        // Up to the first byte that may need escaping (in most strings, all of them), the bytes
        // are scanned and copied in one pass, sixteen at a time, into room for the whole string,
        // its quotes and one block more (`ferry_copy_json_plain`).
        let room = out.reserve(n &+ 2 &+ 16)
        room.pointee = UInt8(ascii: "\"")
        var j = ferry_copy_json_plain(room + 1, p, n)
        if j == n {
            room[1 &+ n] = UInt8(ascii: "\"")
            out.commit(n &+ 2)
            return
        }
        out.commit(1 &+ j)
        var run = j
        while true {
            j = Self.nextSpecial(p, from: j, count: n)
            if j >= n { break }
            let c = p[j]
            if c == 0xE2 {
                if j + 2 < n, p[j + 1] == 0x80, p[j + 2] & 0xFE == 0xA8 {
                    flush(p, from: run, to: j)
                    appendLineSeparatorEscape(p[j + 2])
                    j += 3
                    run = j
                } else {
                    j += 1
                }
                continue
            }
            flush(p, from: run, to: j)
            appendEscape(c)
            j += 1
            run = j
        }
        flush(p, from: run, to: n)
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `source`, which holds invalid UTF-8, as a quoted, escaped JSON string with
    /// each maximal ill-formed subpart replaced by U+FFFD.
    @inline(never)
    private mutating func appendEscapedRepairing(_ source: UnsafeBufferPointer<UInt8>) {
        out.append(UInt8(ascii: "\""))
        guard let p = source.baseAddress else {
            out.append(UInt8(ascii: "\""))
            return
        }
        let n = source.count
        var run = 0
        var j = 0
        while j < n {
            let c = p[j]
            if c < 0x80 {
                if c < 0x20 || c == 0x22 || c == 0x5C {
                    flush(p, from: run, to: j)
                    appendEscape(c)
                    j += 1
                    run = j
                } else {
                    j += 1
                }
                continue
            }
            let (length, valid) = Self.sequence(p, at: j, count: n)
            if !valid {
                flush(p, from: run, to: j)
                out.append(0xEF)
                out.append(0xBF)
                out.append(0xBD)
                j += length
                run = j
            } else if c == 0xE2 && p[j + 1] == 0x80 && p[j + 2] & 0xFE == 0xA8 {
                flush(p, from: run, to: j)
                appendLineSeparatorEscape(p[j + 2])
                j += 3
                run = j
            } else {
                j += length
            }
        }
        flush(p, from: run, to: n)
        out.append(UInt8(ascii: "\""))
    }

    /// The UTF-8 sequence starting at `j` (a byte >= 0x80): its length and whether it is
    /// valid. When invalid, `length` is the maximal ill-formed subpart (at least 1).
    @inline(__always)
    private static func sequence(_ p: UnsafePointer<UInt8>, at j: Int, count n: Int) -> (length: Int, valid: Bool) {
        let lead = p[j]
        var needed: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: needed = 2
        case 0xE0: needed = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: needed = 3
        case 0xED: needed = 3; high = 0x9F
        case 0xF0: needed = 4; low = 0x90
        case 0xF1...0xF3: needed = 4
        case 0xF4: needed = 4; high = 0x8F
        default: return (1, false)
        }
        var k = 1
        while k < needed {
            guard j + k < n else { return (k, false) }
            let b = p[j + k]
            guard b >= low && b <= high else { return (k, false) }
            low = 0x80
            high = 0xBF
            k += 1
        }
        return (needed, true)
    }

    @inline(__always)
    private mutating func flush(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int) {
        if end > start {
            out.append(UnsafeBufferPointer(start: p + start, count: end - start))
        }
    }

    private mutating func appendLineSeparatorEscape(_ last: UInt8) {
        appendStatic(last == 0xA8 ? "\\u2028" : "\\u2029")
    }

    private mutating func appendEscape(_ c: UInt8) {
        switch c {
        case 0x22: appendStatic("\\\"")
        case 0x5C: appendStatic("\\\\")
        case 0x08: appendStatic("\\b")
        case 0x0C: appendStatic("\\f")
        case 0x0A: appendStatic("\\n")
        case 0x0D: appendStatic("\\r")
        case 0x09: appendStatic("\\t")
        default:
            appendStatic("\\u00")
            out.append(Self.hexDigit(c >> 4))
            out.append(Self.hexDigit(c & 0x0F))
        }
    }

    @inline(__always)
    private static func hexDigit(_ v: UInt8) -> UInt8 {
        v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10
    }
}

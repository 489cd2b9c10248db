/// An answer's header fields, in the order received, kept as bytes: the names and values
/// (without surrounding spaces and tabs) in one array, each field two ranges into it. A value
/// becomes text only when it is asked for, so an answer costs no strings for headers nobody
/// reads (the sender reads `Retry-After`; framing reads its headers as bytes).
struct ResponseHeaders: Sendable {
    struct Field: Sendable {
        var name: Range<Int>
        var value: Range<Int>
    }

    private(set) var bytes: [UInt8] = []
    private(set) var fields: [Field] = []

    init() {}

    /// Room for a head of about `byteCount` bytes and `fieldCount` fields.
    init(reservingBytes byteCount: Int, fields fieldCount: Int) {
        bytes.reserveCapacity(byteCount)
        fields.reserveCapacity(fieldCount)
    }

    /// Fields given as text (an answer read by another client, a test).
    init(_ pairs: [(name: String, value: String)]) {
        for pair in pairs { append(name: Array(pair.name.utf8)[...], value: Array(pair.value.utf8)[...]) }
    }

    /// Adds a field; the value's leading and trailing spaces and tabs are left out.
    mutating func append(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>) {
        let nameStart = bytes.count
        bytes.append(contentsOf: name)
        let valueStart = bytes.count
        bytes.append(contentsOf: value)
        let trimmed = Self.trimmed(valueStart..<bytes.count, in: bytes)
        fields.append(Field(name: nameStart..<valueStart, value: trimmed))
    }

    /// An obsolete folded line (RFC 9112 5.2): its text (without surrounding white space)
    /// continues the last field's value after one space. False when there is no field to continue.
    mutating func continueLast(with text: ArraySlice<UInt8>) -> Bool {
        guard let last = fields.last else { return false }
        // The last value is at the end of `bytes` but for trimmed spaces: it is rewritten there.
        let joined = Array(bytes[last.value]) + [32] + Array(text)
        bytes.removeSubrange(last.value.lowerBound...)
        let start = bytes.count
        bytes.append(contentsOf: joined)
        fields[fields.count - 1].value = start..<bytes.count
        return true
    }

    /// Forgets every field (an interim 1xx answer's), keeping the storage.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
    }

    /// The first value of the field named `name`, compared without ASCII case.
    func value(named name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            for field in fields where isNamed(field, wanted) {
                return String(decoding: bytes[field.value], as: UTF8.self)
            }
            return nil
        }
    }

    /// Whether `field`'s name is `name`, compared without ASCII case.
    func isNamed(_ field: Field, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        // Lengths first: most names differ in length from the one asked for.
        guard field.name.count == name.count else { return false }
        return bytes.withUnsafeBufferPointer { all in
            var i = 0
            var j = field.name.lowerBound
            while i < name.count {
                if !sameIgnoringASCIICase(all[j], name[i]) { return false }
                i += 1
                j += 1
            }
            return true
        }
    }

    /// Whether `field`'s name is `lowercase` (a literal), compared without ASCII case.
    func isNamed(_ field: Field, _ lowercase: StaticString) -> Bool {
        isNamed(field, UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount))
    }

    /// The fields as text, in order.
    var pairs: [(name: String, value: String)] {
        fields.map { (String(decoding: bytes[$0.name], as: UTF8.self), String(decoding: bytes[$0.value], as: UTF8.self)) }
    }

    /// `range` of `bytes` without leading and trailing spaces and tabs (HTTP's optional white space).
    static func trimmed(_ range: Range<Int>, in bytes: [UInt8]) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper && (bytes[lower] == 32 || bytes[lower] == 9) { lower += 1 }
        while upper > lower && (bytes[upper - 1] == 32 || bytes[upper - 1] == 9) { upper -= 1 }
        return lower..<upper
    }

    /// Calls `body` with each comma-separated element of `field`'s value (RFC 9110 5.6.1),
    /// without surrounding spaces and tabs; empty elements between commas are left out, as
    /// `split(separator:)` leaves them, but an element of only spaces is kept, empty.
    func forEachElement(of field: Field, _ body: (Range<Int>) -> Void) {
        var start = field.value.lowerBound
        var i = start
        while i <= field.value.upperBound {
            if i == field.value.upperBound || bytes[i] == 44 {
                if i > start { body(Self.trimmed(start..<i, in: bytes)) }
                start = i + 1
            }
            i += 1
        }
    }

    /// Whether the bytes at `range` are `lowercase`, compared without ASCII case.
    func matches(_ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        isNamed(Field(name: range, value: range), lowercase)
    }
}

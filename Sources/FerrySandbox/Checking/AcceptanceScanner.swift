import FerryCore
import FerryMapping
import FerryVendors

/// A quick "yes" for a request body the sandbox accepts, read straight from its bytes: the
/// envelope, then each record against the target's compiled schema (`ObjectRule`) and the
/// sandbox's poison text, in one pass, without building `JSONValue`s.
///
/// It answers only what it can vouch for. `count` is the number of records when the body is
/// well-formed JSON whose every record `RecordChecker` would pass and `VendorRoute.isPoisoned`
/// would not refuse; nil otherwise, and also whenever it is not sure (an escape in a string,
/// a key given twice, a number that is not a plain integer where an integer is due, nesting
/// deeper than 64), and the full check then decides and words the answer. So a yes here is
/// always the full check's yes, and a no costs only the time of the scan.
///
/// The sandbox uses it when its ledger only counts (`ferry sandbox --counts-only`, `ferry
/// load --sandbox`): parsing every record into a tree, walking it against the schema and
/// again for the poison, then freeing it, was about two thirds of the sandbox's time under a
/// batched load.
struct AcceptanceScanner {
    private let p: UnsafePointer<UInt8>
    private let n: Int
    private var i = 0
    private var depth = 0
    private let rejectsEmptyArrays: Bool
    /// The records' rule (the envelope's), whose member order the scan learns.
    private let recordRule: ObjectIdentifier
    /// For the records' rule: the field that came after each field (index `k`), and first
    /// (index `fields.count`), in the last record read; -1 where not known. Senders write
    /// every record's members in one order (ferry does), so the next key is first tried as
    /// that field's name, compared in place (`expectedKey`), before it is scanned as a string
    /// and looked up. 65 entries: a rule the scanner reads has at most 64 fields.
    private let follows: UnsafeMutablePointer<Int8>

    static let maxDepth = 64
    private static let poisonBytes = Array(VendorRoute.poison.utf8)
    /// `poisonBytes`, read once per body: the static's lazy-initialisation check cost a call
    /// for every string.
    private let poison: [UInt8]
    /// The parser ISO-8601 members are checked with, made once: one made for every value (a
    /// Netcore activity's timestamp) cost its initialiser and two retains and releases.
    private static let iso8601Parser = TimestampParserBox(TimestampParser(format: .iso8601))
    /// `iso8601Parser`, read once per body and borrowed for each value (a parser copied out
    /// of a property retains its strings).
    private let iso8601: Unmanaged<TimestampParserBox>

    private init(_ p: UnsafePointer<UInt8>, _ n: Int, emptyArrays: EmptyArrayPolicy, records: ObjectRule,
                 follows: UnsafeMutablePointer<Int8>) {
        self.p = p
        self.n = n
        recordRule = ObjectIdentifier(records)
        self.follows = follows
        self.rejectsEmptyArrays = emptyArrays == .reject
        poison = Self.poisonBytes
        iso8601 = .passUnretained(Self.iso8601Parser)
    }

    /// The number of records in `body` when each is acceptable, or nil (see the type).
    static func count(_ body: UnsafeBufferPointer<UInt8>, envelope: Envelope, rule: ObjectRule,
                      emptyArrays: EmptyArrayPolicy) -> Int? {
        guard let base = body.baseAddress, body.count > 0 else { return nil }
        return withUnsafeTemporaryAllocation(of: Int8.self, capacity: 65) { follows in
            follows.initialize(repeating: -1)
            var scanner = AcceptanceScanner(base, body.count, emptyArrays: emptyArrays, records: rule, follows: follows.baseAddress!)
            guard let count = scanner.envelope(envelope, rule), scanner.atEnd() else { return nil }
            return count
        }
    }

    // MARK: Envelope

    private mutating func envelope(_ envelope: Envelope, _ rule: ObjectRule) -> Int? {
        skipWhitespace()
        switch envelope {
        case .objectArray(let key):
            return keyedRecords(Array(key.utf8), rule)
        case .array:
            return records(rule)
        case .single:
            return byte() == UInt8(ascii: "{") && object(rule) ? 1 : nil
        case .none, .multipartCSV:
            return nil
        }
    }

    /// `{"<key>": [records], other members...}`: the other members are not records.
    private mutating func keyedRecords(_ envelopeKey: [UInt8], _ rule: ObjectRule) -> Int? {
        guard byte() == UInt8(ascii: "{") else { return nil }
        var count: Int?
        let read = container(closing: UInt8(ascii: "}")) { s in
            guard let name = s.key() else { return false }
            guard envelopeKey.withUnsafeBufferPointer({ Self.equal($0, name) }) else { return s.anyValue() }
            guard count == nil else { return false }   // given twice: the checker reads the last
            count = s.records(rule)
            return count != nil
        }
        return read == nil ? nil : count
    }

    /// `[record, ...]`.
    private mutating func records(_ rule: ObjectRule) -> Int? {
        guard byte() == UInt8(ascii: "[") else { return nil }
        let count = container(closing: UInt8(ascii: "]")) { s in s.byte() == UInt8(ascii: "{") && s.object(rule) }
        return count == 0 ? nil : count   // no records: the checker words it
    }

    // MARK: Records

    /// The object at `i` (its `{`) against `rule`.
    private mutating func object(_ rule: ObjectRule) -> Bool {
        guard let masks = rule.masks else { return false }
        var present: UInt64 = 0
        var nonNull: UInt64 = 0
        if rule.types.isEmpty {
            // Free-form (eventProperties, activity_params): no key is a field's, none is looked up.
            let others = rule.allowsOtherMembers
            return container(closing: UInt8(ascii: "}")) { s in s.key() != nil && others && s.anyValue() } != nil
                && masks.required == 0 && masks.groups.isEmpty
        }
        let learns = ObjectIdentifier(rule) == recordRule
        var previous = rule.types.count   // before the first member
        let read = container(closing: UInt8(ascii: "}")) { s in
            var k = -1
            if learns {
                let expected = Int(s.follows[previous])
                if expected >= 0, s.expectedKey(rule, expected) { k = expected }
            }
            if k < 0 {
                guard let name = s.key() else { return false }
                guard let found = rule.index(ofName: name, readable: s.bytesLeft(from: name)) else {
                    return rule.allowsOtherMembers && s.anyValue()
                }
                k = found
                if learns { s.follows[previous] = Int8(k) }
            }
            if learns { previous = k }
            let bit: UInt64 = 1 << UInt64(k)
            guard present & bit == 0 else { return false }   // given twice
            present |= bit
            if s.byte() == UInt8(ascii: "n") { return s.literal("null") && rule.nullAllowed[k] }
            nonNull |= bit
            return s.value(as: rule.types[k])
        }
        guard read != nil, present & masks.required == masks.required else { return false }
        for group in masks.groups where nonNull & group == 0 { return false }
        return true
    }

    private mutating func value(as type: TypeRule) -> Bool {
        switch type {
        case .any:
            return anyValue()
        case .string(let maxLength):
            guard let (text, _) = string() else { return false }
            guard let maxLength, text.count > maxLength else { return true }
            // Scalars as sent: an escape counts as more than the one it stands for, never less.
            var scalars = 0
            for byte in text where byte & 0xC0 != 0x80 { scalars += 1 }
            return scalars <= maxLength
        case .integer:
            return integer()
        case .number:
            return number()
        case .boolean:
            return literal("true") || literal("false")
        case .timestamp(let format):
            switch format {
            case .epochSeconds, .epochMilliseconds:
                return integer()
            case .iso8601UTC, .rfc3339:
                guard let text = plainString(), text.count > 10,
                      iso8601._withUnsafeGuaranteedRef({ $0.parser.accepts(text) }) else { return false }
                return format != .iso8601UTC || text[text.count - 1] == UInt8(ascii: "Z")
            }
        case .enumeration(let allowed):
            guard let text = plainString() else { return false }
            return allowed._withUnsafeGuaranteedRef { allowed in
                allowed.names.contains { name in
                    var name = name
                    return name.withUTF8 { Self.equal($0, text) }
                }
            }
        case .object(let nested):
            return byte() == UInt8(ascii: "{") && nested._withUnsafeGuaranteedRef { object($0) }
        case .array(let array):
            return array._withUnsafeGuaranteedRef { array in
                guard byte() == UInt8(ascii: "["),
                      let count = container(closing: UInt8(ascii: "]"), { s in s.value(as: array.item) }) else { return false }
                if count == 0 && rejectsEmptyArrays { return false }
                if let maxItems = array.maxItems, count > maxItems { return false }
                return true
            }
        }
    }

    /// Any JSON value (a free-form member): well-formed, no poison, no empty array where the
    /// target refuses them.
    private mutating func anyValue() -> Bool {
        switch byte() {
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "{"):
            return container(closing: UInt8(ascii: "}")) { s in s.key() != nil && s.anyValue() } != nil
        case UInt8(ascii: "["):
            guard let count = container(closing: UInt8(ascii: "]"), { s in s.anyValue() }) else { return false }
            return count > 0 || !rejectsEmptyArrays
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    // MARK: Tokens

    /// The object or array at `i` (its `{` or `[`): each member or element read by `each`, up
    /// to `closing`. Their number, or nil when one of them or the punctuation is wrong.
    @inline(__always)
    private mutating func container(closing: UInt8, _ each: (inout AcceptanceScanner) -> Bool) -> Int? {
        guard enter() else { return nil }
        i += 1
        skipWhitespace()
        var count = 0
        if byte() == closing {
            i += 1
        } else {
            while true {
                guard each(&self) else { return nil }
                count += 1
                guard let more = nextMember(closing: closing) else { return nil }
                if !more { break }
            }
        }
        depth -= 1
        return count
    }

    private func byte() -> UInt8 { i < n ? p[i] : 0 }

    /// How many bytes of the body there are from the start of `text` (a part of it) on.
    private func bytesLeft(from text: UnsafeBufferPointer<UInt8>) -> Int {
        text.baseAddress.map { n - ($0 - p) } ?? 0
    }

    private mutating func enter() -> Bool {
        depth += 1
        return depth <= Self.maxDepth
    }

    private mutating func skipWhitespace() {
        while i < n {
            switch p[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    private mutating func atEnd() -> Bool {
        skipWhitespace()
        return i == n
    }

    /// After a member or element: true at `,` (and past it), false at `closing` (and past it),
    /// nil at anything else.
    private mutating func nextMember(closing: UInt8) -> Bool? {
        skipWhitespace()
        guard i < n else { return nil }
        if p[i] == UInt8(ascii: ",") {
            i += 1
            skipWhitespace()
            return true
        }
        guard p[i] == closing else { return nil }
        i += 1
        return false
    }

    /// The key at `i` (its opening quote) and its `:`, as `key()` reads them, when the key is
    /// field `k`'s name (`ObjectRule.nameLength`); false, having read nothing, otherwise.
    @inline(__always)
    private mutating func expectedKey(_ rule: ObjectRule, _ k: Int) -> Bool {
        guard i < n, p[i] == UInt8(ascii: "\"") else { return false }
        let start = i + 1
        let count = rule.nameLength(k, at: p + start, readable: n - start)
        guard count >= 0 else { return false }
        let saved = i
        i = start + count + 1
        skipWhitespace()
        guard byte() == UInt8(ascii: ":") else {
            i = saved
            return false
        }
        i += 1
        skipWhitespace()
        return true
    }

    /// A member's key and its `:`; the value's first byte is next.
    private mutating func key() -> UnsafeBufferPointer<UInt8>? {
        guard let name = plainString(isKey: true) else { return nil }
        skipWhitespace()
        guard byte() == UInt8(ascii: ":") else { return nil }
        i += 1
        skipWhitespace()
        return name
    }

    /// A string: well-formed (valid UTF-8, no control characters, valid escapes) and not the
    /// poison text; nil otherwise, or when not sure. Past its closing quote. `text` is the
    /// bytes between the quotes as sent, `escaped` whether they hold an escape. A key must be
    /// plain ASCII (the checker matches names as Swift strings); a value's escapes other than `\u`
    /// stand for bytes the poison text has none of, so only `\u` leaves the scanner unsure.
    @inline(__always)
    private mutating func string(isKey: Bool = false) -> (text: UnsafeBufferPointer<UInt8>, escaped: Bool)? {
        guard byte() == UInt8(ascii: "\"") else { return nil }
        let start = i + 1
        var j = start
        var high: UInt8 = 0
        var escaped = false
        while true {
            j = ByteSearch.firstJSONStringStop(in: p, from: j, to: n, high: &high)
            guard j < n else { return nil }
            let c = p[j]
            if c == UInt8(ascii: "\"") { break }
            // A control character, or a backslash.
            guard c == UInt8(ascii: "\\"), !isKey, j + 1 < n else { return nil }
            switch p[j + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                 UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                escaped = true
                j += 2
            default:
                return nil   // \u (maybe the poison, spelled out) or not an escape at all
            }
        }
        let text = UnsafeBufferPointer(start: p + start, count: j - start)
        if high & 0x80 != 0 {
            // A non-ASCII key may equal a field's name as Swift compares strings (U+212A, the
            // Kelvin sign, is canonically "K") though not byte for byte: the checker decides.
            if isKey || UTF8Validation.firstInvalidOffset(text) != nil { return nil }
        }
        if !isKey, !escaped, text.count == poison.count, poison.withUnsafeBufferPointer({ Self.equal($0, text) }) {
            return nil
        }
        i = j + 1
        return (text, escaped)
    }

    /// A string whose content is read (a key, an enumeration, a time): without escapes.
    @inline(__always)
    private mutating func plainString(isKey: Bool = false) -> UnsafeBufferPointer<UInt8>? {
        guard let (text, escaped) = string(isKey: isKey), !escaped else { return nil }
        return text
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard n - i >= count else { return false }
        let expected = word.utf8Start
        for k in 0..<count where p[i + k] != expected[k] { return false }
        i += count
        return true
    }

    /// A plain integer literal that fits in Int64 (what the parser makes `.int`).
    private mutating func integer() -> Bool {
        var j = i
        let negative = j < n && p[j] == UInt8(ascii: "-")
        if negative { j += 1 }
        let first = j
        var magnitude: UInt64 = 0
        while j < n, p[j] &- UInt8(ascii: "0") < 10 {
            guard j - first < 19 else { return false }
            magnitude = magnitude * 10 + UInt64(p[j] &- UInt8(ascii: "0"))
            j += 1
        }
        guard j > first, !(p[first] == UInt8(ascii: "0") && j - first > 1) else { return false }
        if j < n, p[j] == UInt8(ascii: ".") || p[j] | 0x20 == UInt8(ascii: "e") { return false }
        guard magnitude <= (negative ? UInt64(1) << 63 : UInt64(Int64.max)) else { return false }
        i = j
        return true
    }

    /// Any number literal of the JSON grammar.
    private mutating func number() -> Bool {
        var j = i
        if j < n && p[j] == UInt8(ascii: "-") { j += 1 }
        guard j < n, p[j] &- UInt8(ascii: "0") < 10 else { return false }
        if p[j] == UInt8(ascii: "0") {
            j += 1
            if j < n, p[j] &- UInt8(ascii: "0") < 10 { return false }
        } else {
            while j < n, p[j] &- UInt8(ascii: "0") < 10 { j += 1 }
        }
        if j < n, p[j] == UInt8(ascii: ".") {
            j += 1
            guard j < n, p[j] &- UInt8(ascii: "0") < 10 else { return false }
            while j < n, p[j] &- UInt8(ascii: "0") < 10 { j += 1 }
        }
        if j < n, p[j] | 0x20 == UInt8(ascii: "e") {
            j += 1
            if j < n, p[j] == UInt8(ascii: "+") || p[j] == UInt8(ascii: "-") { j += 1 }
            guard j < n, p[j] &- UInt8(ascii: "0") < 10 else { return false }
            while j < n, p[j] &- UInt8(ascii: "0") < 10 { j += 1 }
        }
        i = j
        return true
    }

    private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for k in 0..<a.count where a[k] != b[k] { return false }
        return true
    }
}

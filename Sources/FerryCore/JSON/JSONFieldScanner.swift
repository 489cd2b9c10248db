#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where one wanted value sits in a scanned JSON text.
public struct JSONSlot: Sendable {
    public enum Kind: UInt8, Sendable {
        case missing
        case null
        case `true`
        case `false`
        case number
        /// A string without escapes: `start..<end` is its content, valid UTF-8.
        case string
        /// A string with escapes: `start..<end` is the whole token, quotes included.
        case escapedString
        case object
        case array
    }

    public var kind: Kind
    public var start: Int32
    public var end: Int32

    public static let missing = JSONSlot(kind: .missing, start: 0, end: 0)
}

/// The dotted paths a mapping reads from NDJSON objects (`user.address.city`), as a trie the
/// scanner follows while it validates a line. Slot `i` is the `i`-th path given.
public struct JSONPathSet: Sendable {
    struct Child: Sendable {
        var key: [UInt8]
        var count: Int
        /// The key's first eight bytes (zero after a shorter key's end), read little-endian:
        /// most keys are told apart by this word alone.
        var head: UInt64
        var node: Int
    }

    struct Node: Sendable {
        var children: [Child] = []
        /// The slots of the path ending here (more than one when a path is given twice).
        var slots: [Int] = []
        /// Every slot at or below this node (cleared when a duplicate key repeats the member).
        var slotsBelow: [Int] = []
    }

    var nodes: [Node] = [Node()]
    public let slotCount: Int

    public init(paths: [[String]]) {
        slotCount = paths.count
        for (slot, path) in paths.enumerated() {
            var node = 0
            nodes[0].slotsBelow.append(slot)
            for segment in path {
                let key = Array(segment.utf8)
                if let found = nodes[node].children.first(where: { $0.key == key }) {
                    node = found.node
                } else {
                    nodes.append(Node())
                    let head = key.withUnsafeBufferPointer { ByteSearch.head($0.baseAddress, count: $0.count) }
                    nodes[node].children.append(Child(key: key, count: key.count, head: head, node: nodes.count - 1))
                    node = nodes.count - 1
                }
                nodes[node].slotsBelow.append(slot)
            }
            nodes[node].slots.append(slot)
        }
    }

    /// The child of `node` (in `nodes`, the set's) named by `count` bytes at `key`, whose first
    /// eight are `head`; -1 for none.
    @inline(__always)
    static func child(in nodes: UnsafeBufferPointer<Node>, of node: Int, head: UInt64, key: UnsafePointer<UInt8>, count: Int) -> Int {
        nodes[node].children.withUnsafeBufferPointer { children in
            for k in 0..<children.count where children[k].head == head && children[k].count == count {
                if count <= 8 { return children[k].node }
                let rest = children[k].key.withUnsafeBufferPointer { memcmp($0.baseAddress! + 8, key + 8, count - 8) }
                if rest == 0 { return children[k].node }
            }
            return -1
        }
    }
}

/// Finds the values of a `JSONPathSet` in one JSON text without building it, validating the
/// whole text as it goes. It is deliberately stricter than `JSONParser`: whatever it accepts
/// the parser accepts with the same values at the same paths (the last of duplicate keys
/// wins, as in `JSONObject`), and anything it is unsure of (invalid JSON, a text that is not
/// an object, keys with escapes on a wanted path, arrays on a wanted path, deep nesting) it
/// refuses, so that the caller parses that text with `JSONParser` and gets its exact answer.
public struct JSONFieldScanner {
    /// Nesting beyond this is left to the parser (which allows `JSONParser.maxDepth`).
    static let maxDepth = 64

    private let p: UnsafePointer<UInt8>
    private let n: Int
    private var i = 0
    /// The path set's trie, borrowed for the scan: a copy of the set retained and released
    /// its storage for every line.
    private let nodes: UnsafeBufferPointer<JSONPathSet.Node>
    private let slots: UnsafeMutablePointer<JSONSlot>

    private init(p: UnsafePointer<UInt8>, n: Int, nodes: UnsafeBufferPointer<JSONPathSet.Node>, slots: UnsafeMutablePointer<JSONSlot>) {
        self.p = p
        self.n = n
        self.nodes = nodes
        self.slots = slots
    }

    /// Fills `slots` (at least `paths.slotCount`) for the object in `bytes`; false when the
    /// text must be parsed by `JSONParser` instead (the slots are then meaningless).
    public static func scan(_ bytes: UnsafeBufferPointer<UInt8>, paths: JSONPathSet,
                            into slots: UnsafeMutableBufferPointer<JSONSlot>) -> Bool {
        guard let base = bytes.baseAddress, let slotBase = slots.baseAddress, slots.count >= paths.slotCount else { return false }
        for k in 0..<paths.slotCount { slotBase[k] = .missing }
        return paths.nodes.withUnsafeBufferPointer { nodes in
            var scanner = JSONFieldScanner(p: base, n: bytes.count, nodes: nodes, slots: slotBase)
            scanner.skipWhitespace()
            guard scanner.i < scanner.n, base[scanner.i] == UInt8(ascii: "{") else { return false }
            guard scanner.object(node: 0, depth: 1) else { return false }
            scanner.skipWhitespace()
            return scanner.i == scanner.n
        }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while i < n {
            let c = p[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    /// The object at `i` (its `{`), following the trie from `node` (-1: no wanted paths inside).
    private mutating func object(node: Int, depth: Int) -> Bool {
        guard depth <= Self.maxDepth else { return false }
        i += 1
        skipWhitespace()
        guard i < n else { return false }
        if p[i] == UInt8(ascii: "}") {
            i += 1
            return true
        }
        while true {
            guard i < n, p[i] == UInt8(ascii: "\"") else { return false }
            let keyStart = i + 1
            guard let (keyEnd, escaped) = string() else { return false }
            var child = -1
            if node >= 0 && !nodes[node].children.isEmpty {
                if escaped { return false }   // an escaped key might spell a wanted one
                let keyCount = keyEnd - keyStart
                // The key is followed by at least `":` and a value, so eight bytes can mostly be read at once.
                let head = ByteSearch.head(p + keyStart, count: keyCount, readable: n - keyStart)
                child = JSONPathSet.child(in: nodes, of: node, head: head, key: p + keyStart, count: keyCount)
            }
            skipWhitespace()
            guard i < n, p[i] == UInt8(ascii: ":") else { return false }
            i += 1
            skipWhitespace()
            guard i < n else { return false }
            if child >= 0 {
                guard member(node: child, depth: depth) else { return false }
            } else {
                guard value(depth: depth) else { return false }
            }
            skipWhitespace()
            guard i < n else { return false }
            let c = p[i]
            i += 1
            if c == UInt8(ascii: "}") { return true }
            guard c == UInt8(ascii: ",") else { return false }
            skipWhitespace()
        }
    }

    /// The value at `i` of a member on a wanted path.
    private mutating func member(node: Int, depth: Int) -> Bool {
        for slot in nodes[node].slotsBelow { slots[slot] = .missing }   // a repeated key replaces it all
        let hasChildren = !nodes[node].children.isEmpty
        let start = i
        let c = p[i]
        var kind: JSONSlot.Kind
        var range = (start, start)
        switch c {
        case UInt8(ascii: "{"):
            guard object(node: hasChildren ? node : -1, depth: depth + 1) else { return false }
            kind = .object
            range = (start, i)
        case UInt8(ascii: "["):
            if hasChildren { return false }   // a path may index into it: the parser's job
            guard array(depth: depth + 1) else { return false }
            kind = .array
            range = (start, i)
        case UInt8(ascii: "\""):
            guard let (end, escaped) = string() else { return false }
            kind = escaped ? .escapedString : .string
            range = escaped ? (start, i) : (start + 1, end)
        default:
            guard let scalar = scalar() else { return false }
            kind = scalar
            range = (start, i)
        }
        for slot in nodes[node].slots { slots[slot] = JSONSlot(kind: kind, start: Int32(range.0), end: Int32(range.1)) }
        return true
    }

    /// Any value at `i`, validated and skipped.
    private mutating func value(depth: Int) -> Bool {
        switch p[i] {
        case UInt8(ascii: "{"): return object(node: -1, depth: depth + 1)
        case UInt8(ascii: "["): return array(depth: depth + 1)
        case UInt8(ascii: "\""): return string() != nil
        default: return scalar() != nil
        }
    }

    private mutating func array(depth: Int) -> Bool {
        guard depth <= Self.maxDepth else { return false }
        i += 1
        skipWhitespace()
        guard i < n else { return false }
        if p[i] == UInt8(ascii: "]") {
            i += 1
            return true
        }
        while true {
            guard i < n, value(depth: depth) else { return false }
            skipWhitespace()
            guard i < n else { return false }
            let c = p[i]
            i += 1
            if c == UInt8(ascii: "]") { return true }
            guard c == UInt8(ascii: ",") else { return false }
            skipWhitespace()
        }
    }

    /// The string whose quote is at `i`: the index of its closing quote and whether it has
    /// escapes; nil when it is not a valid JSON string. Leaves `i` after it.
    private mutating func string() -> (end: Int, escaped: Bool)? {
        let start = i + 1
        var j = start
        var escaped = false
        var high: UInt8 = 0
        while true {
            j = ByteSearch.firstJSONStringStop(in: p, from: j, to: n, high: &high)
            guard j < n else { return nil }
            let c = p[j]
            if c == UInt8(ascii: "\"") { break }
            guard c == UInt8(ascii: "\\"), j + 1 < n else { return nil }   // a control character, or a cut escape
            escaped = true
            switch p[j + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                 UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                j += 2
            case UInt8(ascii: "u"):
                guard j + 6 <= n else { return nil }
                for k in (j + 2)..<(j + 6) where !Self.isHex(p[k]) { return nil }
                j += 6
            default:
                return nil
            }
        }
        if high & 0x80 != 0 {
            // Non-ASCII: the whole content must be valid UTF-8, as the parser checks it.
            guard UTF8Validation.firstInvalidOffset(UnsafeBufferPointer(start: p + start, count: j - start)) == nil else { return nil }
        }
        i = j + 1
        return (j, escaped)
    }

    @inline(__always)
    private static func isHex(_ c: UInt8) -> Bool {
        (c &- 0x30) < 10 || ((c | 0x20) &- 0x61) < 6
    }

    @inline(__always)
    private static func isDigit(_ c: UInt8) -> Bool { (c &- 0x30) < 10 }

    /// A number or literal at `i`; nil when it is neither (RFC 8259 grammar).
    private mutating func scalar() -> JSONSlot.Kind? {
        let c = p[i]
        switch c {
        case UInt8(ascii: "t"): return literal("true") ? .true : nil
        case UInt8(ascii: "f"): return literal("false") ? .false : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        default: break
        }
        var j = i
        if p[j] == UInt8(ascii: "-") { j += 1 }
        guard j < n else { return nil }
        if p[j] == UInt8(ascii: "0") {
            j += 1
        } else if Self.isDigit(p[j]) {
            while j < n && Self.isDigit(p[j]) { j += 1 }
        } else {
            return nil
        }
        if j < n && p[j] == UInt8(ascii: ".") {
            j += 1
            guard j < n, Self.isDigit(p[j]) else { return nil }
            while j < n && Self.isDigit(p[j]) { j += 1 }
        }
        if j < n && (p[j] == UInt8(ascii: "e") || p[j] == UInt8(ascii: "E")) {
            j += 1
            if j < n && (p[j] == UInt8(ascii: "+") || p[j] == UInt8(ascii: "-")) { j += 1 }
            guard j < n, Self.isDigit(p[j]) else { return nil }
            while j < n && Self.isDigit(p[j]) { j += 1 }
        }
        i = j
        return .number
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard i + count <= n, memcmp(word.utf8Start, p + i, count) == 0 else { return false }
        i += count
        return true
    }
}

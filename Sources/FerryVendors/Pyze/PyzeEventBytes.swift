#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FerryCore

/// `PyzeEventAdjuster.adjust` done on the mapped record's JSON bytes, without parsing them
/// into a tree and writing the tree back: members are found as byte ranges, copied in their
/// order into the event and in key order into the canonical JSON that the `messageId` hashes.
///
/// The bytes are those ferry's mapper wrote: compact, strings escaped as `JSONWriter` escapes
/// them. Copying such bytes gives what writing the parsed value again would give, except where
/// the writer would change them, and those cases are declined (`nil`, and the caller takes the
/// tree path, which gives the same event and the same id): a string holding a backslash, a
/// raw U+2028 or U+2029, or invalid UTF-8 (a raw value passed through from an NDJSON source);
/// a number with a fraction or exponent, `-0`, or more than 18 digits (re-printed by the tree
/// path); a key that is not ASCII (the tree compares keys as Swift strings, canonically);
/// white space; a key given twice in one object; nesting deeper than 64; an event the tree path
/// refuses (a `type` other than "event", no app key).
struct PyzeEventBytes {
    /// One member of a compact object: its key's bytes inside the quotes and its value.
    struct Member {
        var keyStart: Int
        var keyEnd: Int
        var valueStart: Int
        var valueEnd: Int
    }

    let p: UnsafePointer<UInt8>
    let n: Int

    /// The event written into `out` (one compact object, as `JSONWriter.write(.object(...))`
    /// of what `adjust` returns) and its top-level member count; nil, with `out` untouched,
    /// when the tree path must decide.
    static func adjust(_ record: UnsafeBufferPointer<UInt8>, appKeyMember: [UInt8]?,
                       into out: inout JSONWriter) -> Int? {
        guard let base = record.baseAddress, record.count >= 2 else { return nil }
        let scan = PyzeEventBytes(p: base, n: record.count)
        // The event's members, then (see `hash`) those being sorted for the id.
        var members: [Member] = []
        members.reserveCapacity(32)
        guard scan.members(ofObjectAt: 0, into: &members) == record.count else { return nil }

        // Empty objects are left out before anything is looked up, as in the tree path.
        members.removeAll { scan.valueIs($0, "{}") }
        var typeAbsent = true
        var mappedKey = false
        var messageIdAbsent = true
        for member in members {
            if scan.keyIs(member, "type") {
                guard scan.valueIs(member, "\"event\"") else { return nil }   // the tree path's error
                typeAbsent = false
            } else if scan.keyIs(member, "appKey") {
                // The last appKey decides, as in the tree's lookup.
                mappedKey = base[member.valueStart] == UInt8(ascii: "\"") && member.valueEnd - member.valueStart > 2
            } else if scan.keyIs(member, "messageId") {
                messageIdAbsent = false
            }
        }
        if !mappedKey && appKeyMember == nil { return nil }   // the tree path's missing_app_key
        // The environment's app key replaces every mapped one unless the last is a non-empty string.
        let dropAppKeys = !mappedKey
        if dropAppKeys { members.removeAll { scan.keyIs($0, "appKey") } }

        // The id's 16 bytes (of the digest's 32), when the event gets one.
        var id: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        if messageIdAbsent {
            let top = members.count
            let hashed = withUnsafeMutableBytes(of: &id) { digest in
                scan.hash(scratch: &members, top: top, typeAbsent: typeAbsent, into: digest)
            }
            members.removeSubrange(top...)
            guard hashed else { return nil }
        }

        var fields = 0
        out.appendByte(UInt8(ascii: "{"))
        func separate(_ out: inout JSONWriter) {
            if fields > 0 { out.appendByte(UInt8(ascii: ",")) }
            fields += 1
        }
        if typeAbsent {
            separate(&out)
            out.appendBytes(Self.typeMember)
        }
        for member in members {
            separate(&out)
            out.appendBytes(UnsafeBufferPointer(start: base + member.keyStart - 1, count: member.valueEnd - member.keyStart + 1))
        }
        if dropAppKeys, let appKeyMember {
            separate(&out)
            out.appendBytes(appKeyMember)
        }
        if messageIdAbsent {
            separate(&out)
            out.appendBytes(Self.messageIdKey)
            withUnsafeBytes(of: id) { digest in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { text in
                    PyzeEventAdjuster.writeUUID(from: digest, to: text.baseAddress!)
                    out.appendBytes(UnsafeBufferPointer(text))
                }
            }
            out.appendByte(UInt8(ascii: "\""))
        }
        out.appendByte(UInt8(ascii: "}"))
        return fields
    }

    // MARK: - The derived id

    static let messageIdKey: [UInt8] = Array("\"messageId\":\"".utf8)
    static let typeMember: [UInt8] = Array("\"type\":\"event\"".utf8)

    /// SHA-256 of the canonical JSON of an event of `scratch[0..<top]` (plus `"type":"event"`
    /// when the mapping gave no type) without appKey, messageId and sentAt, as
    /// `PyzeEventAdjuster.messageId(for:)` hashes it, written to `digest`; false when a key
    /// repeats. `scratch` past `top` holds the members being sorted, at every level.
    func hash(scratch: inout [Member], top: Int, typeAbsent: Bool, into digest: UnsafeMutableRawBufferPointer) -> Bool {
        for k in 0..<top where !PyzeEventAdjuster.excludedFromId.contains(where: { keyIs(scratch[k], $0) }) {
            scratch.append(scratch[k])
        }
        guard sortByKey(&scratch, from: top) else { return false }
        var canonical: [UInt8] = []
        canonical.reserveCapacity(n + Self.typeMember.count + 2)
        canonical.append(UInt8(ascii: "{"))
        // The type the event gets (when the mapping gave none) takes its place in key order.
        var typeWritten = !typeAbsent
        var written = 0
        var k = top
        while k < scratch.count {
            let member = scratch[k]
            if !typeWritten && compare(key: member, with: "type") > 0 {
                if written > 0 { canonical.append(UInt8(ascii: ",")) }
                canonical += Self.typeMember
                typeWritten = true
                written += 1
            }
            if written > 0 { canonical.append(UInt8(ascii: ",")) }
            canonical.append(contentsOf: UnsafeBufferPointer(start: p + member.keyStart - 1, count: member.keyEnd - member.keyStart + 3))
            guard writeCanonical(from: member.valueStart, to: member.valueEnd, into: &canonical, scratch: &scratch) else { return false }
            written += 1
            k += 1
        }
        if !typeWritten {
            if written > 0 { canonical.append(UInt8(ascii: ",")) }
            canonical += Self.typeMember
        }
        canonical.append(UInt8(ascii: "}"))
        canonical.withUnsafeBytes { SHA256.digest(of: $0, into: digest) }
        return true
    }

    /// The value at `start..<end` with every object's members in key order (sorted at the end
    /// of `scratch`, which is left as it was); false when an object repeats a key.
    private func writeCanonical(from start: Int, to end: Int, into out: inout [UInt8], scratch: inout [Member]) -> Bool {
        switch p[start] {
        case UInt8(ascii: "{"):
            let base = scratch.count
            defer { scratch.removeSubrange(base...) }
            guard members(ofObjectAt: start, into: &scratch) == end, sortByKey(&scratch, from: base) else { return false }
            out.append(UInt8(ascii: "{"))
            var k = base
            while k < scratch.count {
                let member = scratch[k]
                if k > base { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: UnsafeBufferPointer(start: p + member.keyStart - 1, count: member.keyEnd - member.keyStart + 3))
                guard writeCanonical(from: member.valueStart, to: member.valueEnd, into: &out, scratch: &scratch) else { return false }
                k += 1
            }
            out.append(UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            out.append(UInt8(ascii: "["))
            var i = start + 1
            while p[i] != UInt8(ascii: "]") {
                if i > start + 1 {
                    out.append(UInt8(ascii: ","))
                    i += 1
                }
                guard let itemEnd = value(at: i, depth: 1), writeCanonical(from: i, to: itemEnd, into: &out, scratch: &scratch) else { return false }
                i = itemEnd
            }
            out.append(UInt8(ascii: "]"))
        default:
            out.append(contentsOf: UnsafeBufferPointer(start: p + start, count: end - start))
        }
        return true
    }

    /// Sorts `members[from...]` by key bytes (a key without escapes: its UTF-8), as
    /// `writeCanonical` of the tree does; false when two members share a key.
    private func sortByKey(_ members: inout [Member], from base: Int) -> Bool {
        // Insertion sort: an object has a handful of members.
        var i = base + 1
        while i < members.count {
            let member = members[i]
            var j = i - 1
            while j >= base {
                let order = compare(members[j], member)
                if order == 0 { return false }
                if order < 0 { break }
                members[j + 1] = members[j]
                j -= 1
            }
            members[j + 1] = member
            i += 1
        }
        return true
    }

    private func compare(_ a: Member, _ b: Member) -> Int {
        let (la, lb) = (a.keyEnd - a.keyStart, b.keyEnd - b.keyStart)
        let c = memcmp(p + a.keyStart, p + b.keyStart, min(la, lb))
        return c != 0 ? Int(c) : la - lb
    }

    private func compare(key member: Member, with name: StaticString) -> Int {
        let (la, lb) = (member.keyEnd - member.keyStart, name.utf8CodeUnitCount)
        let c = memcmp(p + member.keyStart, name.utf8Start, min(la, lb))
        return c != 0 ? Int(c) : la - lb
    }

    func keyIs(_ member: Member, _ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            bytes.count == member.keyEnd - member.keyStart && memcmp(p + member.keyStart, bytes.baseAddress!, bytes.count) == 0
        }
    }

    func keyIs(_ member: Member, _ name: StaticString) -> Bool {
        name.utf8CodeUnitCount == member.keyEnd - member.keyStart
            && memcmp(p + member.keyStart, name.utf8Start, name.utf8CodeUnitCount) == 0
    }

    func valueIs(_ member: Member, _ json: StaticString) -> Bool {
        json.utf8CodeUnitCount == member.valueEnd - member.valueStart
            && memcmp(p + member.valueStart, json.utf8Start, json.utf8CodeUnitCount) == 0
    }

    // MARK: - Scanning

    /// The members of the object at `start` (appended to `members`) and the index after it;
    /// nil when anything in it must be left to the tree path.
    func members(ofObjectAt start: Int, into members: inout [Member]) -> Int? {
        object(at: start, depth: 1) { members.append($0) }
    }

    /// Nesting the bytes path takes (the tree path allows more, and refuses past its own limit).
    static let maxDepth = 64

    /// The index after the object at `start`, at nesting `depth`, each member handed to
    /// `found`; nil as for `members`.
    @inline(__always)
    private func object(at start: Int, depth: Int, _ found: (Member) -> Void) -> Int? {
        guard depth <= Self.maxDepth, start < n, p[start] == UInt8(ascii: "{") else { return nil }
        var i = start + 1
        guard i < n else { return nil }
        if p[i] == UInt8(ascii: "}") { return i + 1 }
        while true {
            guard i < n, p[i] == UInt8(ascii: "\""), let keyEnd = string(at: i, isKey: true),
                  keyEnd < n, p[keyEnd] == UInt8(ascii: ":"), let valueEnd = value(at: keyEnd + 1, depth: depth) else { return nil }
            found(Member(keyStart: i + 1, keyEnd: keyEnd - 1, valueStart: keyEnd + 1, valueEnd: valueEnd))
            i = valueEnd
            guard i < n else { return nil }
            if p[i] == UInt8(ascii: "}") { return i + 1 }
            guard p[i] == UInt8(ascii: ","), i + 1 < n else { return nil }
            i += 1
        }
    }

    /// The index after the value at `start` inside a container at nesting `depth`; nil when it
    /// is not one the bytes path copies.
    func value(at start: Int, depth: Int) -> Int? {
        guard start < n else { return nil }
        switch p[start] {
        case UInt8(ascii: "\""):
            return string(at: start, isKey: false)
        case UInt8(ascii: "{"):
            return object(at: start, depth: depth + 1) { _ in }
        case UInt8(ascii: "["):
            guard depth < Self.maxDepth else { return nil }
            var i = start + 1
            guard i < n else { return nil }
            if p[i] == UInt8(ascii: "]") { return i + 1 }
            while true {
                guard let end = value(at: i, depth: depth + 1), end < n else { return nil }
                if p[end] == UInt8(ascii: "]") { return end + 1 }
                guard p[end] == UInt8(ascii: ",") else { return nil }
                i = end + 1
            }
        case UInt8(ascii: "t"): return literal("true", at: start)
        case UInt8(ascii: "f"): return literal("false", at: start)
        case UInt8(ascii: "n"): return literal("null", at: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return integer(at: start)
        default:
            return nil
        }
    }

    /// The index after the closing quote of the string at `start`; nil for a string the
    /// writer would write otherwise (an escape, invalid UTF-8, a raw U+2028 or U+2029), and for
    /// a key that is not ASCII: the tree path matches and sorts keys as Swift strings, which
    /// are equal when canonically equivalent (U+212A, the Kelvin sign, is "K"; "é" precomposed
    /// or as "e" and an accent), where bytes differ.
    private func string(at start: Int, isKey: Bool) -> Int? {
        var high: UInt8 = 0
        let stop = ByteSearch.firstJSONStringStop(in: p, from: start + 1, to: n, high: &high)
        guard stop < n, p[stop] == UInt8(ascii: "\"") else { return nil }
        if high & 0x80 != 0 {   // a byte of the string is not ASCII
            if isKey { return nil }
            let text = UnsafeBufferPointer(start: p + start + 1, count: stop - start - 1)
            guard UTF8Validation.isValid(text) else { return nil }
            var i = start + 1
            while i + 2 < stop {
                if p[i] == 0xE2 && p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9) { return nil }
                i += 1
            }
        }
        return stop + 1
    }

    /// An integer literal the tree path writes back unchanged: no fraction or exponent, no
    /// leading zero, not `-0`, at most 18 digits (so it is an Int64).
    private func integer(at start: Int) -> Int? {
        var i = start
        if p[i] == UInt8(ascii: "-") { i += 1 }
        let digitsStart = i
        while i < n, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") { i += 1 }
        let digits = i - digitsStart
        guard digits > 0, digits <= 18 else { return nil }
        if p[digitsStart] == UInt8(ascii: "0") && (digits > 1 || digitsStart > start) { return nil }
        if i < n && (p[i] == UInt8(ascii: ".") || p[i] | 0x20 == UInt8(ascii: "e")) { return nil }
        return i
    }

    private func literal(_ word: StaticString, at start: Int) -> Int? {
        let count = word.utf8CodeUnitCount
        guard start + count <= n, memcmp(p + start, word.utf8Start, count) == 0 else { return nil }
        return start + count
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FerryCore

/// Pyze events' last touches: what every event document needs that no mapping should have
/// to spell out.
///
/// - `type` is `"event"` (the only value the document defines), put first as in the
///   document's example when the mapping does not give it.
/// - `appKey` comes from `PYZE_APP_KEY` (read once, when the target is built, and passed in
///   here) unless the mapping gives one (exports that span several apps). With neither, the
///   record cannot be sent: `missing_app_key`.
/// - `messageId`, when the mapping gives none, is derived from the event itself: SHA-256 of
///   its canonical JSON, written as a UUID, so that resending the same source row (a rerun,
///   a resumed backfill) produces the same id and Pyze can recognise the duplicate. See
///   `messageId(for:)`.
/// - Empty objects (`context` or `attributes` whose every source was empty) are left out.
///
/// `sentAt` is not added here: it is the moment of sending, so `load` writes it into each
/// request as it sends it (a retry gets a new one); `convert` output never holds it.
public struct PyzeEventAdjuster: RecordAdjuster {
    /// The app key from the environment; nil when `PYZE_APP_KEY` is unset or empty.
    public let appKey: String?

    public func preflight(mappedFields: Set<String>) -> AdjustmentError? {
        guard appKey == nil, !mappedFields.contains("appKey") else { return nil }
        return AdjustmentError(kind: "missing_app_key",
                               message: "Pyze events need the app key: export \(Pyze.appKeyVariable), or map appKey")
    }

    /// `"appKey":"…"` as the writer writes that member, for `adjust(bytes:into:)`.
    let appKeyMember: [UInt8]?

    public init(appKey: String?) {
        self.appKey = appKey.flatMap { $0.isEmpty ? nil : $0 }
        appKeyMember = self.appKey.map { key in
            var writer = JSONWriter(capacity: 64)
            writer.beginObject()
            writer.writeKey("appKey")
            writer.writeString(key)
            writer.endObject()
            let object = writer.bytes
            return Array(object[1..<(object.count - 1)])
        }
    }

    /// Reads `PYZE_APP_KEY` from `environment` (as every credential: `EnvironmentCredential`).
    public init(environment: [String: String]) {
        self.init(appKey: EnvironmentCredential.value(Pyze.appKeyVariable, in: environment))
    }

    public func adjust(_ record: JSONObject) throws(AdjustmentError) -> [JSONObject] {
        var event = JSONObject(record.members.filter { !Pyze.isEmptyObject($0.value) })
        switch event["type"] {
        case nil:
            event.members.insert(("type", .string("event")), at: 0)
        case .string("event")?:
            break
        case let other?:
            throw AdjustmentError(kind: "invalid_type",
                                  message: "type must be \"event\", found \(String(decoding: JSONWriter.serialize(other) as [UInt8], as: UTF8.self))")
        }
        let mappedKey: String? = {
            if case .string(let key)? = event["appKey"], !key.isEmpty { return key }
            return nil
        }()
        if mappedKey == nil {
            guard let appKey else {
                throw AdjustmentError(kind: "missing_app_key",
                                      message: "every Pyze event carries an appKey, the mapping gives none and \(Pyze.appKeyVariable) is not set; export \(Pyze.appKeyVariable)=<your Pyze app key> (or map appKey)")
            }
            event.members.removeAll { $0.key == "appKey" }
            event.append("appKey", .string(appKey))
        }
        if event["messageId"] == nil {
            event.append("messageId", .string(Self.messageId(for: event)))
        }
        return [event]
    }

    /// The same event as `adjust` gives, with the same id, from the mapped bytes (most events:
    /// `PyzeEventBytes` says which it declines).
    public func adjust(bytes record: UnsafeBufferPointer<UInt8>, into out: inout JSONWriter) -> Int? {
        PyzeEventBytes.adjust(record, appKeyMember: appKeyMember, into: &out)
    }

    /// The members that do not take part in the derived id: `appKey` (a credential, and
    /// not part of what happened), `messageId` and `sentAt` (the moment of sending).
    /// A list, not a `Set`: three comparisons of short keys cost less than hashing each key.
    static let excludedFromId: [String] = ["appKey", "messageId", "sentAt"]

    /// A stable id for an event: SHA-256 over its canonical JSON (members sorted by key at
    /// every level, compact, without `appKey`, `messageId` and `sentAt`), the first 128 bits
    /// written as an RFC 9562 UUID version 8 (`xxxxxxxx-xxxx-8xxx-[89ab]xxx-xxxxxxxxxxxx`:
    /// 122 bits of the hash). The same record gives the same id whatever the order of its
    /// members; any difference in content gives another.
    public static func messageId(for event: JSONObject) -> String {
        var writer = JSONWriter(capacity: 512)
        writeCanonical(event.members, into: &writer, leaving: excludedFromId)
        let digest = writer.withBytes { SHA256.hash($0) }
        return uuid(from: digest)
    }

    /// The canonical JSON of `value`: objects with their members sorted by key (UTF-8 byte
    /// order; for a key given twice the last wins, as in lookups), recursively, compact.
    public static func canonicalJSON(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writeCanonical(value, into: &writer)
        return writer.bytes
    }

    static func writeCanonical(_ value: JSONValue, into writer: inout JSONWriter) {
        switch value {
        case .object(let object):
            writeCanonical(object.members, into: &writer, leaving: [])
        case .array(let items):
            writer.beginArray()
            for item in items { writeCanonical(item, into: &writer) }
            writer.endArray()
        default:
            writer.write(value)
        }
    }

    /// An object of `members` (but those named in `left`) in canonical order.
    static func writeCanonical(_ members: [(key: String, value: JSONValue)], into writer: inout JSONWriter,
                               leaving left: [String]) {
        var order = left.isEmpty ? Array(members.indices) : members.indices.filter { !left.contains(members[$0].key) }
        // By key as UTF-8 bytes, and for equal keys by position, so that the last of a run is
        // the one kept.
        order.sort { x, y in
            let (kx, ky) = (members[x].key, members[y].key)
            if kx == ky { return x < y }   // String equality, as ever (ids must not change)
            return compareUTF8(kx, ky) < 0
        }
        writer.beginObject()
        for (n, index) in order.enumerated() {
            if n + 1 < order.count, members[order[n + 1]].key == members[index].key { continue }
            writer.writeKey(members[index].key)
            writeCanonical(members[index].value, into: &writer)
        }
        writer.endObject()
    }

    /// The order of two keys' UTF-8 bytes (negative, 0, positive), compared in place with
    /// `memcmp` where the strings are contiguous (the generic comparison of two UTF-8 views
    /// was most of a Pyze event's sorting).
    static func compareUTF8(_ a: String, _ b: String) -> Int {
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y -> Int in
                let common = min(x.count, y.count)
                if common > 0, let p = x.baseAddress, let q = y.baseAddress {
                    let c = memcmp(p, q, common)
                    if c != 0 { return Int(c) }
                }
                return x.count - y.count
            }
        }
        if let fast = fast ?? nil { return fast }
        if a.utf8.elementsEqual(b.utf8) { return 0 }
        return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
    }

    /// The first 16 bytes of `digest` as a version-8, RFC 4122-variant UUID in lowercase.
    static func uuid(from digest: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: 36) { text in
            digest.withUnsafeBytes { writeUUID(from: $0, to: text.baseAddress!) }
            return 36
        }
    }

    /// The UUID of the first 16 bytes of `digest` as 36 ASCII bytes at `text`.
    static func writeUUID(from digest: UnsafeRawBufferPointer, to text: UnsafeMutablePointer<UInt8>) {
        var at = 0
        for index in 0..<16 {
            var byte = digest[index]
            if index == 6 { byte = (byte & 0x0F) | 0x80 }
            if index == 8 { byte = (byte & 0x3F) | 0x80 }
            if index == 4 || index == 6 || index == 8 || index == 10 {
                text[at] = UInt8(ascii: "-")
                at += 1
            }
            text[at] = SHA256.hexDigit(byte >> 4)
            text[at + 1] = SHA256.hexDigit(byte & 0x0F)
            at += 2
        }
    }
}

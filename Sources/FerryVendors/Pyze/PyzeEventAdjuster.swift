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

    public init(appKey: String?) {
        self.appKey = appKey.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Reads `PYZE_APP_KEY` from `environment`.
    public init(environment: [String: String]) {
        self.init(appKey: environment[Pyze.appKeyVariable])
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

    /// The members that do not take part in the derived id: `appKey` (a credential, and
    /// not part of what happened), `messageId` and `sentAt` (the moment of sending).
    static let excludedFromId: Set<String> = ["appKey", "messageId", "sentAt"]

    /// A stable id for an event: SHA-256 over its canonical JSON (members sorted by key at
    /// every level, compact, without `appKey`, `messageId` and `sentAt`), the first 128 bits
    /// written as an RFC 9562 UUID version 8 (`xxxxxxxx-xxxx-8xxx-[89ab]xxx-xxxxxxxxxxxx`:
    /// 122 bits of the hash). The same record gives the same id whatever the order of its
    /// members; any difference in content gives another.
    public static func messageId(for event: JSONObject) -> String {
        let kept = JSONObject(event.members.filter { !excludedFromId.contains($0.key) })
        let digest = SHA256.hash(JSONWriter.serialize(canonical(.object(kept))) as [UInt8])
        return uuid(from: digest)
    }

    /// Objects with their members sorted by key (UTF-8 byte order; for a key given twice the
    /// last wins, as in lookups), recursively.
    public static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var last: [String: Int] = [:]
            for (index, member) in object.members.enumerated() { last[member.key] = index }
            let members = object.members.enumerated()
                .filter { last[$0.element.key] == $0.offset }
                .map { (key: $0.element.key, value: canonical($0.element.value)) }
                .sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            return .object(JSONObject(members))
        case .array(let items):
            return .array(items.map(canonical))
        default:
            return value
        }
    }

    /// The first 16 bytes of `digest` as a version-8, RFC 4122-variant UUID in lowercase.
    static func uuid(from digest: [UInt8]) -> String {
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = SHA256.hex(bytes)
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
    }
}

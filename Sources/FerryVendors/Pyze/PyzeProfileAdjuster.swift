import FerryCore

/// Pyze user profiles' last touches: checks what the schema alone cannot, and splits a
/// profile too wide for one request.
///
/// - Empty objects are left out: a `user_alias` or an `{"inc": ...}` / `{"remove": [...]}`
///   operation whose source cells were all empty says nothing (an empty cell removes an
///   attribute only where the mapping says `on_null: "null"`).
/// - `user_alias` carries both `alias_label` and `alias_id`, or is null (remove).
/// - `date_of_birth` is a calendar date `YYYY-MM-DD`; a time at exactly midnight UTC (what a
///   `timestamp:` leaf writes for a date) is cut to its date.
/// - Custom attributes hold booleans, text, numbers, dates (ISO-8601 text), arrays or null;
///   an object is an operation: exactly `{"inc": number}` or `{"remove": [...]}`.
/// - "Each request may include up to 50 profile fields": a profile with more top-level
///   fields than `maxFields` becomes several profiles, each repeating the identifiers
///   present (`userId`, `pyze_id`) and carrying the next fields in the record's order, so
///   each piece is an in-order subsequence of the profile. The pieces touch different
///   attributes, so the order in which Pyze applies them does not matter.
public struct PyzeProfileAdjuster: RecordAdjuster {
    /// Most top-level fields one profile (and one request) may carry.
    public let maxFields: Int
    /// Members repeated in every piece of a split profile.
    public let identifiers: [String]

    public init(maxFields: Int = Pyze.maxProfileFields, identifiers: [String] = Pyze.profileIdentifiers) {
        self.maxFields = maxFields
        self.identifiers = identifiers
    }

    /// A flat profile of at most `maxFields` members, with neither `user_alias` nor
    /// `date_of_birth` (the only members `check` changes or refuses when they are scalars),
    /// comes out of `adjust` as it went in.
    public func leavesUnchanged(flatRecordsWithFields fields: [String]) -> Bool {
        fields.count <= maxFields && !fields.contains("user_alias") && !fields.contains("date_of_birth")
    }

    public func adjust(_ record: JSONObject) throws(AdjustmentError) -> [JSONObject] {
        var profile = JSONObject()
        for member in record.members where !Pyze.isEmptyObject(member.value) {
            profile.append(member.key, try check(member.key, member.value))
        }
        return try split(profile)
    }

    /// The member's value as sent, or why it cannot be.
    func check(_ key: String, _ value: JSONValue) throws(AdjustmentError) -> JSONValue {
        if case .null = value { return value }
        switch key {
        case "user_alias":
            guard case .object(let alias) = value else {
                throw AdjustmentError(kind: "invalid_alias", message: "user_alias must be an object with alias_label and alias_id")
            }
            let missing = ["alias_label", "alias_id"].filter { name in
                if case .string(let text)? = alias[name], !text.isEmpty { return false }
                return true
            }
            if !missing.isEmpty {
                throw AdjustmentError(kind: "invalid_alias",
                                      message: "user_alias needs both alias_label and alias_id; \(missing.joined(separator: " and ")) \(missing.count == 1 ? "is" : "are") empty")
            }
            return value
        case "date_of_birth":
            guard case .string(let text) = value, let date = Self.calendarDate(text) else {
                throw AdjustmentError(kind: "invalid_date",
                                      message: "date_of_birth must be a date written YYYY-MM-DD (e.g. 1994-07-06), found \(Self.describe(value))")
            }
            return .string(date)
        default:
            if Pyze.namedProfileFields.contains(key) { return value }
            guard case .object(let operation) = value else { return value }
            if operation.count == 1, let member = operation.members.first {
                switch (member.key, member.value) {
                case ("inc", .int), ("inc", .double), ("inc", .decimal), ("remove", .array):
                    return value
                default:
                    break
                }
            }
            throw AdjustmentError(kind: "invalid_operation",
                                  message: "custom attribute \(key) is an object, \(Self.describe(value)); Pyze attributes are booleans, text, numbers, dates or arrays, and an object must be an operation: {\"inc\": number} or {\"remove\": [values]}")
        }
    }

    /// The profile as one or more profiles of at most `maxFields` top-level fields.
    func split(_ profile: JSONObject) throws(AdjustmentError) -> [JSONObject] {
        guard profile.count > maxFields else { return [profile] }
        let isIdentifier = profile.members.map { identifiers.contains($0.key) }
        let identifierCount = isIdentifier.filter { $0 }.count
        let perPiece = maxFields - identifierCount
        guard perPiece > 0 else {
            throw AdjustmentError(kind: "too_many_fields",
                                  message: "the profile's \(identifierCount) identifiers alone reach the limit of \(maxFields) fields per request")
        }
        var pieces: [JSONObject] = []
        var others = 0
        var chunkOf: [Int] = []   // per member: its piece, or -1 for an identifier
        for flag in isIdentifier {
            if flag {
                chunkOf.append(-1)
            } else {
                chunkOf.append(others / perPiece)
                others += 1
            }
        }
        let count = (others + perPiece - 1) / perPiece
        for piece in 0..<count {
            var members: [(key: String, value: JSONValue)] = []
            for (index, member) in profile.members.enumerated() where chunkOf[index] == -1 || chunkOf[index] == piece {
                members.append(member)
            }
            pieces.append(JSONObject(members))
        }
        return pieces
    }

    /// `YYYY-MM-DD` for a valid calendar date, also from `YYYY-MM-DDT00:00:00Z` (optionally
    /// with a zero fraction); nil otherwise.
    static func calendarDate(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10 else { return nil }
        let date = Array(bytes[0..<10])
        let digitsAt = [0, 1, 2, 3, 5, 6, 8, 9]
        guard date[4] == UInt8(ascii: "-"), date[7] == UInt8(ascii: "-"),
              digitsAt.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(date[$0]) }) else { return nil }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(date[$1] - UInt8(ascii: "0")) } }
        let year = number(0..<4), month = number(5..<7), day = number(8..<10)
        guard (1...12).contains(month), day >= 1 else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days else { return nil }
        let rest = String(decoding: bytes[10...], as: UTF8.self)
        if rest.isEmpty { return String(decoding: date, as: UTF8.self) }
        // Midnight UTC only: any other time or offset would move or blur the date.
        let midnight = rest.hasPrefix("T00:00:00") && rest.hasSuffix("Z")
            && rest.dropFirst(9).dropLast().allSatisfy { $0 == "." || $0 == "0" }
            && (rest.count == 10 || rest.dropFirst(9).first == ".")
        return midnight ? String(decoding: date, as: UTF8.self) : nil
    }

    static func describe(_ value: JSONValue) -> String {
        let text: String = JSONWriter.serialize(value)
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }
}

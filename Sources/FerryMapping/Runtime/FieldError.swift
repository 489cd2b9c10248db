/// Why one output field of a row could not be produced or is not what the vendor accepts.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// A required field is empty or its column missing.
        case missingRequired = "missing_required"
        /// The value cannot be converted to the type the vendor wants.
        case invalidType = "invalid_type"
        case invalidTimestamp = "invalid_timestamp"
        /// Not one of the vendor's allowed values.
        case notAllowed = "not_allowed"
        case tooLong = "too_long"
        /// `map:` has no entry for the value and `unmapped: error`.
        case unmapped
        /// `on_null: error` and the value is null.
        case nullValue = "null_value"
        /// None of a group of fields the vendor needs at least one of is present.
        case missingOneOf = "missing_one_of"
        /// An array would be sent empty and the target refuses that.
        case emptyArray = "empty_array"
        /// A group key came back after its group ended (group_order: consecutive).
        case groupReopened = "group_reopened"
        /// A group held more rows than ferry keeps for one record.
        case groupTooLarge = "group_too_large"
        /// A vendor rule applied after mapping refused the record (see the reason).
        case vendorRule = "vendor_rule"
        /// The record is larger than one request may be.
        case recordTooLarge = "record_too_large"
    }

    public var kind: Kind
    /// The output field, as a dotted path (`eventProperties.seats`).
    public var field: String
    /// The input column it came from, when there is one.
    public var column: String?
    /// The offending value as text (capped); nil when there was none.
    public var value: String?
    public var reason: String

    public init(kind: Kind, field: String, column: String?, value: String?, reason: String) {
        self.kind = kind
        self.field = field
        self.column = column
        self.value = value
        self.reason = reason
    }

    /// `column=value: reason`, as in the validate summary.
    public var description: String {
        var text = ""
        if let column { text += "\(column)=\(value ?? "")" } else if let value { text += "\(field)=\(value)" } else { text += field }
        if text == "(group)" { return reason }
        return text + ": " + reason
    }
}

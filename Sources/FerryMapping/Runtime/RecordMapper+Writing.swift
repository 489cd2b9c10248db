import FerryCore

/// Writing values as the vendor's field types.
extension RecordMapper {
    func write(_ value: MappedValue, as type: FieldType, path: String, column: String?,
                       into writer: inout JSONWriter) throws(FieldError) {
        func fail(_ reason: String, kind: FieldError.Kind = .invalidType) -> FieldError {
            FieldError(kind: kind, field: path, column: column, value: value.displayText, reason: reason)
        }
        switch type {
        case .any:
            try writeNatural(value, path: path, column: column, into: &writer)
        case .string(let maxLength):
            switch value {
            case .text(let bytes):
                if let maxLength, bytes.count > maxLength, Self.characterCount(bytes) > maxLength {
                    throw fail("longer than \(maxLength) characters", kind: .tooLong)
                }
                writer.writeString(bytes: bytes)
            case .json(let json) where !Self.isScalar(json):
                throw fail("expected text, found a JSON \(Self.kindName(json))")
            case .array:
                throw fail("expected text, found a list")
            case .timestamp(let t):
                writer.writeString(TimestampFormatter.string(t, as: mapping.defaultTimestampFormat == .rfc3339 ? .rfc3339 : .iso8601UTC))
            default:
                guard let text = value.textValue else { throw fail("expected text") }
                if let maxLength, text.count > maxLength { throw fail("longer than \(maxLength) characters", kind: .tooLong) }
                writer.writeString(text)
            }
        case .integer:
            switch value {
            case .int(let v): writer.writeInt(v)
            case .double(let v) where v.rounded() == v && abs(v) < 9.2e18: writer.writeInt(Int64(v))
            case .timestamp(let t): writer.writeInt(t.seconds)
            case .text(let bytes):
                guard let v = Casts.parseInteger(bytes) else { throw fail("not an integer") }
                writer.writeInt(v)
            case .string(let s):
                guard let v = Casts.parseInteger(s) else { throw fail("not an integer") }
                writer.writeInt(v)
            default:
                throw fail("not an integer")
            }
        case .number:
            switch value {
            case .int(let v): writer.writeInt(v)
            case .double(let v): writer.writeDouble(v)
            case .decimal(let s): writer.writeDecimal(s)
            case .text, .string:
                guard let text = value.textValue, let v = Casts.parseDouble(text) else { throw fail("not a number") }
                if let i = Casts.parseInteger(text) { writer.writeInt(i) } else { writer.writeDouble(v) }
            default:
                throw fail("not a number")
            }
        case .boolean:
            switch value {
            case .bool(let b): writer.writeBool(b)
            case .int(let v) where v == 0 || v == 1: writer.writeBool(v == 1)
            case .text, .string:
                guard let b = value.textValue.flatMap(BooleanText.parse) else {
                    throw fail("not a boolean (true/false, yes/no, y/n, t/f, 1/0, on/off)")
                }
                writer.writeBool(b)
            default:
                throw fail("not a boolean")
            }
        case .timestamp(let format):
            guard case .timestamp(let t) = value else { throw fail("not a time", kind: .invalidTimestamp) }
            var token: [UInt8] = []
            TimestampFormatter.appendJSON(t, as: format, to: &token)
            writer.writeRawValue(token)
        case .enumeration(let allowed):
            guard let text = value.textValue, allowed.contains(text) else {
                var reason = "not one of " + allowed.joined(separator: ", ")
                if let text = value.textValue, let suggestion = Suggestions.closest(to: text, in: allowed) {
                    reason += "; did you mean \(suggestion)?"
                }
                throw fail(reason, kind: .notAllowed)
            }
            writer.writeString(text)
        case .object:
            guard case .json(let json) = value, case .object = json else { throw fail("expected a JSON object") }
            writer.write(json)
        case .array(let item, let maxItems):
            switch value {
            case .array(let items):
                if items.isEmpty, mapping.emptyArrays == .reject { throw fail("an empty list, which this vendor would silently drop", kind: .emptyArray) }
                if let maxItems, items.count > maxItems { throw fail("more than \(maxItems) items", kind: .tooLong) }
                writer.beginArray()
                for element in items { try write(element, as: item, path: path, column: column, into: &writer) }
                writer.endArray()
            case .json(let json):
                guard case .array(let items) = json else { throw fail("expected a list") }
                if items.isEmpty, mapping.emptyArrays == .reject { throw fail("an empty list, which this vendor would silently drop", kind: .emptyArray) }
                if let maxItems, items.count > maxItems { throw fail("more than \(maxItems) items", kind: .tooLong) }
                writer.beginArray()
                for element in items {
                    try write(MappedValue(json: element), as: item, path: path, column: column, into: &writer)
                }
                writer.endArray()
            default:
                throw fail("expected a list")
            }
        }
    }

    /// Writes a value as what it is (free-form properties).
    func writeNatural(_ value: MappedValue, path: String, column: String?, into writer: inout JSONWriter) throws(FieldError) {
        switch value {
        case .null: writer.writeNull()
        case .text(let bytes): writer.writeString(bytes: bytes)
        case .string(let s): writer.writeString(s)
        case .int(let v): writer.writeInt(v)
        case .double(let v): writer.writeDouble(v)
        case .decimal(let s): writer.writeDecimal(s)
        case .bool(let b): writer.writeBool(b)
        case .json(let json):
            if mapping.emptyArrays == .reject, Self.containsEmptyArray(json) {
                throw FieldError(kind: .emptyArray, field: path, column: column, value: value.displayText,
                                 reason: "holds an empty list, which this vendor would silently drop")
            }
            writer.write(json)
        case .timestamp:
            try write(value, as: .timestamp(mapping.defaultTimestampFormat), path: path, column: column, into: &writer)
        case .array(let items):
            if items.isEmpty, mapping.emptyArrays == .reject {
                throw FieldError(kind: .emptyArray, field: path, column: column, value: nil,
                                 reason: "an empty list, which this vendor would silently drop")
            }
            writer.beginArray()
            for item in items { try writeNatural(item, path: path, column: column, into: &writer) }
            writer.endArray()
        }
    }

    static func containsEmptyArray(_ json: JSONValue) -> Bool {
        switch json {
        case .array(let items): return items.isEmpty || items.contains(where: containsEmptyArray)
        case .object(let object): return object.members.contains { containsEmptyArray($0.value) }
        default: return false
        }
    }

    static func isScalar(_ json: JSONValue) -> Bool {
        switch json {
        case .array, .object: return false
        default: return true
        }
    }

    static func kindName(_ json: JSONValue) -> String {
        switch json {
        case .array: return "list"
        case .object: return "object"
        default: return "value"
        }
    }

    /// Unicode scalars in UTF-8 bytes (continuation bytes not counted).
    static func characterCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        for b in bytes where b & 0xC0 != 0x80 { count += 1 }
        return count
    }
}

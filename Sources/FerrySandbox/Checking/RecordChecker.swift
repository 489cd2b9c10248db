import FerryCore
import FerryMapping
import FerryVendors

/// Checks a record a client sent against a vendor's record schema, the way the vendor would:
/// required fields present and not null (unless nullable), types, enumerations, string
/// lengths, array sizes, nested objects, at-least-one-of groups, and (where the vendor drops
/// them) empty arrays. The sandbox answers with the problems it finds, so a load that passes
/// the sandbox would pass the real API.
public struct RecordChecker: Sendable {
    public let schema: RecordSchema
    public let emptyArrays: EmptyArrayPolicy
    /// The schema compiled for checking (also read by `AcceptanceScanner`).
    let rule: ObjectRule

    public init(schema: RecordSchema, emptyArrays: EmptyArrayPolicy = .allow) {
        self.schema = schema
        self.emptyArrays = emptyArrays
        self.rule = ObjectRule(schema)
    }

    /// The checker for a target's request bodies: fields the target sends in the path
    /// instead of the body are not expected there.
    public init(target: Target) {
        var schema = target.schema
        let pathOnly = Set(target.endpoint.pathParameters.filter { !$0.alsoInBody }.map(\.field))
        schema.fields.removeAll { pathOnly.contains($0.name) }
        // Added by load as it sends (Pyze's sentAt), never by a mapping: expected on the wire.
        if let sendTime = target.sendTimeField {
            schema.fields.append(FieldSchema(sendTime, .timestamp(.iso8601UTC), summary: "The moment of sending"))
        }
        self.init(schema: schema, emptyArrays: target.emptyArrays)
    }

    /// The problems of one record, each as `path: what is wrong`; empty when it is acceptable.
    public func problems(in record: JSONValue) -> [String] {
        var problems: [String] = []
        guard case .object(let object) = record else {
            return ["the record is not a JSON object"]
        }
        check(object, against: rule, path: "", into: &problems)
        return problems
    }

    // Paths are autoclosures: a record without problems (nearly every record) never builds one.

    private func check(_ object: JSONObject, against rule: ObjectRule, path: @autoclosure () -> String,
                       into problems: inout [String]) {
        for field in rule.fields {
            guard let value = object[field.name] else {
                if field.required { problems.append("\(Self.member(path(), field.name)): required") }
                continue
            }
            if case .null = value {
                if field.required { problems.append("\(Self.member(path(), field.name)): required, found null") }
                else if !field.nullable { problems.append("\(Self.member(path(), field.name)): null is not accepted") }
                continue
            }
            check(value, as: field.type, path: Self.member(path(), field.name), into: &problems)
        }
        if !rule.allowsOtherMembers {
            // A linear scan of the schema's few names costs less than hashing every key.
            for member in object.members where !rule.knows(member.key) {
                problems.append("\(Self.member(path(), member.key)): unknown field")
            }
        } else if emptyArrays == .reject {
            for member in object.members where !rule.knows(member.key) {
                checkNoEmptyArray(member.value, path: Self.member(path(), member.key), into: &problems)
            }
        }
        for group in rule.atLeastOneOf {
            let present = group.contains { name in
                if let value = object[name], !value.isNull { return true }
                return false
            }
            if !present {
                let place = path()
                problems.append("\(place.isEmpty ? "record" : place): needs at least one of \(group.joined(separator: ", "))")
            }
        }
    }

    /// `parent.name`, or `name` at the top.
    private static func member(_ parent: String, _ name: String) -> String {
        parent.isEmpty ? name : parent + "." + name
    }

    private func check(_ value: JSONValue, as type: TypeRule, path: @autoclosure () -> String,
                       into problems: inout [String]) {
        switch type {
        case .any:
            if emptyArrays == .reject { checkNoEmptyArray(value, path: path(), into: &problems) }
        case .string(let maxLength):
            guard case .string(let s) = value else { return problems.append("\(path()): expected a string") }
            // A string's scalars are at most its UTF-8 bytes: count them only when that could exceed.
            if let maxLength, s.utf8.count > maxLength, s.unicodeScalars.count > maxLength {
                problems.append("\(path()): longer than \(maxLength) characters")
            }
        case .integer:
            switch value {
            case .int: break
            case .double(let d) where d.rounded() == d: break
            default: problems.append("\(path()): expected an integer")
            }
        case .number:
            switch value {
            case .int, .double, .decimal: break
            default: problems.append("\(path()): expected a number")
            }
        case .boolean:
            guard case .bool = value else { return problems.append("\(path()): expected true or false") }
        case .timestamp(let format):
            checkTime(value, format: format, path: path(), into: &problems)
        case .enumeration(let allowed):
            let allowed = allowed.takeUnretainedValue().names
            guard case .string(let s) = value, allowed.contains(s) else {
                return problems.append("\(path()): expected one of \(allowed.joined(separator: ", "))")
            }
        case .object(let nested):
            guard case .object(let object) = value else { return problems.append("\(path()): expected an object") }
            check(object, against: nested.takeUnretainedValue(), path: path(), into: &problems)
        case .array(let array):
            let array = array.takeUnretainedValue()
            guard case .array(let items) = value else { return problems.append("\(path()): expected an array") }
            if items.isEmpty && emptyArrays == .reject { problems.append("\(path()): empty array") }
            if let maxItems = array.maxItems, items.count > maxItems { problems.append("\(path()): more than \(maxItems) items") }
            for index in items.indices {
                check(items[index], as: array.item, path: "\(path())[\(index)]", into: &problems)
            }
        }
    }

    /// Times as the vendor wants them: integers for epoch formats, strings that parse as
    /// ISO-8601 (with `Z` for the UTC format) otherwise.
    private func checkTime(_ value: JSONValue, format: TimestampOutputFormat, path: @autoclosure () -> String,
                           into problems: inout [String]) {
        switch format {
        case .epochSeconds, .epochMilliseconds:
            guard case .int = value else { return problems.append("\(path()): expected \(format.displayName)") }
        case .iso8601UTC, .rfc3339:
            guard case .string(let text) = value,
                  (try? TimestampParser(format: .iso8601).parse(text)) != nil,
                  text.utf8.count > 10 else {
                return problems.append("\(path()): expected \(format.displayName)")
            }
            if format == .iso8601UTC, !text.hasSuffix("Z") { problems.append("\(path()): expected a UTC time ending in Z") }
        }
    }

    private func checkNoEmptyArray(_ value: JSONValue, path: String, into problems: inout [String]) {
        switch value {
        case .array(let items):
            if items.isEmpty { problems.append("\(path): empty array") }
            for (index, item) in items.enumerated() { checkNoEmptyArray(item, path: "\(path)[\(index)]", into: &problems) }
        case .object(let object):
            for member in object.members { checkNoEmptyArray(member.value, path: path + "." + member.key, into: &problems) }
        default:
            break
        }
    }
}

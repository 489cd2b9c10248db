import FerryCore
import FerryMapping
import FerryVendors

/// One custom attribute the account defines (Talon.One GET /v1/attributes).
public struct AccountAttribute: Sendable, Equatable {
    public var entity: String
    public var name: String
    /// `string`, `number`, `boolean`, `time`, `location`, `(list string)`, ...
    public var type: String

    public init(entity: String, name: String, type: String) {
        self.entity = entity
        self.name = name
        self.type = type
    }
}

/// Compares the custom attributes a mapping writes with those the account defines.
public enum CustomAttributeCheck {
    /// One attribute the mapping writes, with the vendor type it produces when that is known.
    public struct Mapped: Sendable, Equatable {
        public var entity: String
        public var name: String
        /// nil when the mapping does not fix it (type: json).
        public var type: String?
        public var location: MappingLocation
    }

    /// Every attribute written under the target's custom-attribute objects, with the
    /// Talon.One type it would have. Column globs are reported separately (names unknown).
    public static func mappedAttributes(_ spec: MappingSpec, target: Target) -> (attributes: [Mapped], globs: [MappingLocation]) {
        var result: [Mapped] = []
        var globs: [MappingLocation] = []
        for scope in target.customAttributes {
            guard let object = objectSpec(at: scope.path, in: spec.root) else { continue }
            if let columns = object.columns { globs.append(columns.location) }
            for field in object.fields {
                result.append(Mapped(entity: scope.entity, name: field.name, type: vendorType(of: field.spec), location: field.location))
            }
        }
        return (result, globs)
    }

    static func objectSpec(at path: String, in root: ObjectSpec) -> ObjectSpec? {
        var current = root
        for segment in path.split(separator: ".") {
            let isArray = segment.hasSuffix("[]")
            let name = isArray ? String(segment.dropLast(2)) : String(segment)
            guard let field = current.fields.first(where: { $0.name == name }) else { return nil }
            switch field.spec {
            case .object(let object) where !isArray:
                current = object
            case .eachRow(let eachRow) where isArray:
                guard case .object(let object) = eachRow.item else { return nil }
                current = object
            default:
                return nil
            }
        }
        return current
    }

    /// The Talon.One attribute type a leaf produces.
    static func vendorType(of spec: FieldSpec) -> String? {
        guard case .leaf(let leaf) = spec else { return nil }
        if leaf.timestamp != nil { return "time" }
        switch leaf.type?.value {
        case .int?, .float?: return "number"
        case .bool?: return "boolean"
        case .string?: return "string"
        case .array?: return "list"
        case .json?: return nil
        case nil: break
        }
        switch leaf.source.value {
        case .value(.int), .value(.double), .aggregate(.count), .aggregate(.sum): return "number"
        case .value(.bool): return "boolean"
        default: return "string"
        }
    }

    /// Problems as diagnostics at the mapping's lines: attributes the account does not define
    /// (with a suggestion) and attributes whose type differs.
    public static func compare(_ mapped: [Mapped], with account: [AccountAttribute], file: String) -> [MappingDiagnostic] {
        var diagnostics: [MappingDiagnostic] = []
        for attribute in mapped {
            let sameEntity = account.filter { $0.entity == attribute.entity }
            guard let defined = sameEntity.first(where: { $0.name == attribute.name }) else {
                var message = "the account defines no \(attribute.entity) attribute '\(attribute.name)'"
                if let suggestion = Suggestions.closest(to: attribute.name, in: sameEntity.map(\.name)) {
                    message += "; did you mean '\(suggestion)'?"
                } else if let elsewhere = account.first(where: { $0.name == attribute.name }) {
                    message += " (it exists for \(elsewhere.entity))"
                }
                diagnostics.append(MappingDiagnostic(.error, file: file, at: attribute.location, message))
                continue
            }
            if let type = attribute.type, !typesMatch(mapped: type, account: defined.type) {
                diagnostics.append(MappingDiagnostic(.error, file: file, at: attribute.location,
                    "\(attribute.entity) attribute '\(attribute.name)' is \(defined.type) in the account, but the mapping makes \(type)"))
            }
        }
        return diagnostics
    }

    static func typesMatch(mapped: String, account: String) -> Bool {
        if mapped == account { return true }
        if mapped == "list" { return account.hasPrefix("(list") }
        return false
    }

    /// Reads GET /v1/attributes pages: `{"data": [{"entity", "name", "type", ...}], ...}`.
    public static func parseAttributes(_ body: [UInt8]) throws(JSONParseError) -> [AccountAttribute] {
        let value = try body.withUnsafeBufferPointer { buffer throws(JSONParseError) in try JSONParser.parse(buffer) }
        guard case .array(let items)? = value.value(atPath: "data") else { return [] }
        return items.compactMap { item in
            guard case .string(let entity)? = item.value(atPath: "entity"),
                  case .string(let name)? = item.value(atPath: "name"),
                  case .string(let type)? = item.value(atPath: "type") else { return nil }
            return AccountAttribute(entity: entity, name: name, type: type)
        }
    }
}

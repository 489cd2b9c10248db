import FerryMapping

/// Human-readable descriptions of targets for `ferry targets`.
public enum TargetDescription {
    public static func list(_ targets: [Target]) -> String {
        let width = targets.map(\.name.count).max() ?? 10
        var lines = ["Targets (ferry targets NAME shows one in full):"]
        for target in targets {
            let padding = String(repeating: " ", count: width - target.name.count)
            lines.append("  \(target.name)\(padding)  \(target.endpoint.method.rawValue) \(target.endpoint.path)  \(target.summary)")
        }
        return lines.joined(separator: "\n")
    }

    public static func full(_ target: Target) -> String {
        var lines: [String] = []
        lines.append("\(target.name) — \(target.vendor.displayName): \(target.summary)")
        lines.append("")
        let base = target.endpoint.defaultBaseURL ?? "(your deployment's URL: --endpoint)"
        if target.endpoint.regions.isEmpty {
            lines.append("  request     \(target.endpoint.method.rawValue) \(base)\(target.endpoint.path)")
        } else {
            lines.append("  request     \(target.endpoint.method.rawValue) {region}\(target.endpoint.path), --region picks:")
            for region in target.endpoint.regions {
                lines.append("                \(region.name): \(region.baseURL)\(target.endpoint.path)")
            }
        }
        for parameter in target.endpoint.pathParameters {
            lines.append("  path param  {\(parameter.name)} from field \(parameter.field)\(parameter.alsoInBody ? " (also in the body)" : "")")
        }
        lines.append("  content     \(target.endpoint.contentType)")
        lines.append("  auth        \(target.auth.headerExample)  (secret from $\(target.auth.environmentVariable))")
        lines.append("  body        \(target.envelope.displayName)")
        var limits = "\(target.limits.maxRecords) record\(target.limits.maxRecords == 1 ? "" : "s") and \(target.limits.maxBytes) bytes per request"
        if let maxFields = target.limits.maxFields { limits += ", at most \(maxFields) fields across its records" }
        lines.append("  limits      \(limits)")
        lines.append("  success     \(target.response.displayName)")
        lines.append("  times       \(target.defaultTimestampFormat.displayName) (inside free-form properties too)")
        if target.destructive { lines.append("  DESTRUCTIVE: ferry sends nothing without --yes") }
        if target.emptyArrays == .reject { lines.append("  arrays      never sent empty: a record that would carry an empty array is invalid") }
        for group in target.schema.atLeastOneOf {
            lines.append("  needs       at least one of \(group.joined(separator: ", "))")
        }
        lines.append("")
        lines.append("  record fields:")
        appendFields(target.schema, indent: "    ", into: &lines)
        if !target.decisions.isEmpty {
            lines.append("")
            lines.append("  where the vendor's document is unclear, ferry chose:")
            for decision in target.decisions { lines.append("    - \(decision)") }
        }
        return lines.joined(separator: "\n")
    }

    static func appendFields(_ schema: RecordSchema, indent: String, into lines: inout [String]) {
        let width = min(28, schema.fields.map(\.name.count).max() ?? 8)
        for field in schema.fields {
            let padding = String(repeating: " ", count: max(1, width - field.name.count + 1))
            var line = "\(indent)\(field.name)\(padding)\(field.required ? "required" : "optional")  \(field.type.displayName)"
            if field.nullable { line += ", null allowed" }
            if !field.summary.isEmpty { line += " — \(field.summary)" }
            lines.append(line)
            if case .object(let nested) = field.type, !nested.fields.isEmpty {
                appendFields(nested, indent: indent + "  ", into: &lines)
            }
        }
        if schema.allowsOtherMembers && !schema.fields.isEmpty {
            lines.append("\(indent)(other members allowed)")
        }
    }
}

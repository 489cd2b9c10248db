import Foundation

extension InspectReport {
    /// The report as a JSON value, for `ferry inspect --json`.
    public var json: JSONValue {
        var object = JSONObject()
        object.append("file", .string(file))
        object.append("compression", .string(compression.rawValue))
        if let inflater { object.append("inflater", .string(inflater.rawValue)) }
        object.append("format", .string(format.rawValue))
        if let delimiter {
            object.append("delimiter", .string(String(UnicodeScalar(delimiter))))
            object.append("header", .bool(hasHeader))
        }
        object.append("stored_bytes", .int(storedBytes))
        object.append("decoded_bytes", .int(decodedBytes))
        object.append("records", .int(Int64(records)))
        object.append("row_errors", .int(Int64(rowErrors)))
        var kinds = JSONObject()
        for kind in RowError.Kind.allCases {
            if let count = errorsByKind[kind] { kinds.append(kind.rawValue, .int(Int64(count))) }
        }
        object.append("row_errors_by_kind", .object(kinds))
        object.append("sampled_records", .int(Int64(sampledRecords)))
        object.append("columns", .array(columns.map { column in
            var entry = JSONObject()
            entry.append("name", .string(column.name))
            entry.append("type", .string(column.type.rawValue))
            if let note = column.note { entry.append("note", .string(note)) }
            entry.append("empty", .int(Int64(column.empty)))
            entry.append("empty_share", .double(share(column.empty)))
            if format == .ndjson {
                entry.append("missing", .int(Int64(column.missing)))
                entry.append("missing_share", .double(share(column.missing)))
            }
            entry.append("example", column.example.map(JSONValue.string) ?? .null)
            return .object(entry)
        }))
        object.append("first_errors", .array(firstErrors.map { error in
            var entry = JSONObject()
            entry.append("kind", .string(error.kind.rawValue))
            entry.append("line", .int(Int64(error.line)))
            entry.append("record", .int(Int64(error.recordNumber)))
            if let column = error.column { entry.append("column", .string(column)) }
            entry.append("message", .string(error.message))
            entry.append("text", .string(error.rawText))
            return .object(entry)
        }))
        object.append("head", .array(head))
        if let failure {
            var entry = JSONObject()
            entry.append("kind", .string(failure.kind.rawValue))
            entry.append("message", .string(failure.message))
            if let offset = failure.offset { entry.append("offset", .int(offset)) }
            object.append("failure", .object(entry))
        }
        return .object(object)
    }

    /// The report as text for a terminal.
    public var text: String {
        var out = "\(file)\n"
        var format = self.format.rawValue
        if let delimiter {
            format += " (delimiter \(Self.quoted(CSVOptions.name(ofDelimiter: delimiter)))"
            format += hasHeader ? ", header row)" : ", no header row)"
        }
        out += "  compression  \(compression.rawValue)"
        if compression == .gzip, storedBytes > 0 {
            let library = inflater.map { $0 == .isal ? ", inflated by ISA-L" : ", inflated by zlib" } ?? ""
            out += " (\(Self.bytes(storedBytes)) stored, \(Self.bytes(decodedBytes)) decoded\(library))"
        } else {
            out += " (\(Self.bytes(decodedBytes)))"
        }
        out += "\n  format       \(format)\n"
        out += "  records      \(Self.grouped(records))"
        if rowErrors > 0 {
            let kinds = RowError.Kind.allCases.compactMap { kind in
                errorsByKind[kind].map { "\(kind.rawValue) \(Self.grouped($0))" }
            }
            out += ", row errors \(Self.grouped(rowErrors)) (\(kinds.joined(separator: ", ")))"
        } else {
            out += ", no row errors"
        }
        out += "\n"
        if let failure {
            out += "  STOPPED      \(failure.description)\n"
        }
        if !columns.isEmpty {
            let keyword = self.format == .ndjson ? "keys and nested paths" : "columns"
            out += "  \(keyword) (\(columns.count)), types from the first \(Self.grouped(sampledRecords)) records:\n"
            let nameWidth = min(32, max(4, columns.map { $0.name.count }.max() ?? 4))
            let typeWidth = ValueType.allCases.map { $0.rawValue.count }.max() ?? 10
            var headerLine = "    " + Self.pad("name", nameWidth) + "  " + Self.pad("type", typeWidth) + "  " + Self.pad("empty", 6)
            if self.format == .ndjson { headerLine += "  " + Self.pad("missing", 7) }
            out += headerLine + "  example\n"
            for column in columns {
                var line = "    " + Self.pad(column.name, nameWidth) + "  " + Self.pad(column.type.rawValue, typeWidth)
                line += "  " + Self.pad(Self.percent(share(column.empty)), 6)
                if self.format == .ndjson { line += "  " + Self.pad(Self.percent(share(column.missing)), 7) }
                line += "  " + Self.clip(column.example ?? "", 40)
                if let note = column.note { line += "  (\(note))" }
                out += line + "\n"
            }
        }
        if !firstErrors.isEmpty {
            out += "  first row errors:\n"
            for error in firstErrors {
                out += "    \(error.description)\n"
                out += "      \(Self.clip(error.rawText, 100))\n"
            }
        }
        if !head.isEmpty {
            out += head.count == 1 ? "  first record:\n" : "  first \(head.count) records:\n"
            for record in head {
                out += "    " + (JSONWriter.serialize(record) as String) + "\n"
            }
        }
        return out
    }

    static func quoted(_ s: String) -> String { s == "tab" ? s : "\"\(s)\"" }

    static func pad(_ s: String, _ width: Int) -> String {
        let clipped = clip(s, width)
        return clipped + String(repeating: " ", count: max(0, width - clipped.count))
    }

    static func clip(_ s: String, _ width: Int) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        guard flat.count > width else { return flat }
        return String(flat.prefix(max(1, width - 1))) + "…"
    }

    static func percent(_ share: Double) -> String {
        let tenths = Int((share * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    static func grouped(_ n: Int) -> String { DisplayNumbers.grouped(n) }

    static func bytes(_ n: Int64) -> String { DisplayNumbers.bytes(n) }
}

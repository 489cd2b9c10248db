import FerryCore

/// Turns mapped records into CSV lines for uploads that take a CSV file: members in the
/// upload's column order, text as is, numbers and booleans as JSON writes them, objects and
/// arrays as JSON text, null or missing as an empty field. Fields are quoted (RFC 4180) when
/// they hold a comma, a quote or a line break.
enum CSVRecordEncoder {
    static func line(_ record: JSONObject, columns: [String]) -> [UInt8] {
        var fields: [String] = []
        fields.reserveCapacity(columns.count)
        for column in columns {
            switch record[column] {
            case nil, .null?: fields.append("")
            case .string(let s)?: fields.append(escape(s))
            case let value?: fields.append(escape(JSONWriter.serialize(value) as String))
            }
        }
        return Array(fields.joined(separator: ",").utf8)
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

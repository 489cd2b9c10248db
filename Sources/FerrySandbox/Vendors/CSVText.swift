/// A whole CSV document in memory (RFC 4180: quoted fields with doubled quotes, delimiters and
/// line breaks inside quotes, CRLF or LF line ends), as rows of text fields. For the small
/// files of a coupons import; FerryCore's streaming `CSVReader` reads files, not request bodies.
enum CSVText {
    /// Rows with the line number each starts on; empty lines are skipped.
    static func rows(_ bytes: [UInt8]) throws(MultipartError) -> [(line: Int, fields: [String])] {
        var rows: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var afterQuote = false
        var line = 1
        var rowLine = 1
        var index = 0
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        func endRow() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty && !afterQuote) { rows.append((rowLine, fields)) }
            fields.removeAll()
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte); index += 1
                    } else {
                        inQuotes = false; afterQuote = true
                    }
                } else {
                    if byte == 10 { line += 1 }
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: ",") {
                endField(); afterQuote = false
            } else if byte == 10 || byte == 13 {
                if byte == 13, index + 1 < bytes.count, bytes[index + 1] == 10 { index += 1 }
                endRow(); afterQuote = false
                line += 1; rowLine = line
            } else if byte == UInt8(ascii: "\"") && field.isEmpty && !afterQuote {
                inQuotes = true
            } else if afterQuote {
                throw MultipartError("line \(line): characters after a closing quote")
            } else {
                field.append(byte)
            }
            index += 1
        }
        if inQuotes { throw MultipartError("line \(rowLine): a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty || afterQuote { endRow() }
        return rows
    }
}

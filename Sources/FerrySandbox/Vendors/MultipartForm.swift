import Foundation

/// A multipart/form-data body (RFC 7578) split into its parts.
struct MultipartForm: Sendable {
    struct Part: Sendable, Equatable {
        /// `name` of the part's Content-Disposition.
        var name: String?
        /// `filename` of the part's Content-Disposition.
        var fileName: String?
        var contentType: String?
        var body: [UInt8]
    }

    var parts: [Part]

    /// The boundary parameter of a `multipart/form-data; boundary=...` content type.
    static func boundary(ofContentType contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// Splits `body` at `--boundary` lines. Throws a message when the body is not multipart
    /// with that boundary (no opening delimiter, no closing `--boundary--`, a part without
    /// headers).
    init(parsing body: [UInt8], boundary: String) throws(MultipartError) {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n--\(boundary)".utf8)
        guard let first = Self.find(delimiter, in: body, from: 0) else {
            throw MultipartError("the body does not contain the boundary \(boundary)")
        }
        var parts: [Part] = []
        var position = first + delimiter.count
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            if body.count >= position + 2, body[position] == UInt8(ascii: "-"), body[position + 1] == UInt8(ascii: "-") {
                break
            }
            guard body.count >= position + 2, body[position] == 13, body[position + 1] == 10 else {
                throw MultipartError("a boundary line is not followed by a line break")
            }
            position += 2
            guard let end = Self.find(separator, in: body, from: position) else {
                throw MultipartError("the body ends without the closing boundary --\(boundary)--")
            }
            parts.append(try Self.part(Array(body[position..<end])))
            position = end + separator.count
        }
        self.parts = parts
    }

    /// A part: header lines, an empty line, the content.
    static func part(_ bytes: [UInt8]) throws(MultipartError) -> Part {
        guard let blank = find(Array("\r\n\r\n".utf8), in: bytes, from: 0) else {
            if bytes.starts(with: Array("\r\n".utf8)) { return Part(body: Array(bytes.dropFirst(2))) }
            throw MultipartError("a part has no blank line after its headers")
        }
        var part = Part(body: Array(bytes[(blank + 4)...]))
        let headerText = String(decoding: bytes[..<blank], as: UTF8.self)
        for line in headerText.split(separator: "\r\n") {
            let pair = line.split(separator: ":", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            switch pair[0].lowercased() {
            case "content-disposition":
                part.name = parameter("name", in: value)
                part.fileName = parameter("filename", in: value)
            case "content-type":
                part.contentType = value
            default:
                break
            }
        }
        return part
    }

    /// `name="x"` (or unquoted) out of a header value's parameters.
    static func parameter(_ name: String, in value: String) -> String? {
        for item in value.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            let text = pair[1].trimmingCharacters(in: .whitespaces)
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { return String(text.dropFirst().dropLast()) }
            return text
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

struct MultipartError: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// One record that could not be read. Reading continues after it.
public struct RowError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case fieldCount = "field_count"
        case unterminatedQuote = "unterminated_quote"
        case badQuoting = "bad_quoting"
        case invalidUTF8 = "invalid_utf8"
        case invalidJSON = "invalid_json"
        case notAnObject = "not_an_object"
        /// The input ended (damaged gzip) in the middle of this record; it is not used.
        case incompleteRecord = "incomplete_record"
    }

    public let kind: Kind
    public let file: String
    /// 1-based number of the data record in its file (header not counted).
    public let recordNumber: Int
    /// 1-based physical line where the record starts.
    public let line: Int
    /// The column concerned, when one is.
    public let column: String?
    public let message: String
    /// The record's original text (capped), for dead letters and error reports.
    public let rawText: String

    public init(kind: Kind, file: String, recordNumber: Int, line: Int, column: String? = nil,
                message: String, rawText: String) {
        self.kind = kind
        self.file = file
        self.recordNumber = recordNumber
        self.line = line
        self.column = column
        self.message = message
        self.rawText = rawText
    }

    public var description: String {
        var text = "\(file):\(line): record \(recordNumber): "
        if let column { text += "column \(column): " }
        return text + message
    }

    /// Longest raw text kept with an error.
    public static let rawTextLimit = 4096

    static func rawText(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let capped = UnsafeBufferPointer(rebasing: bytes.prefix(rawTextLimit))
        return String(decoding: capped, as: UTF8.self)
    }
}

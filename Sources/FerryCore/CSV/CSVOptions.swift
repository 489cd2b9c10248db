/// How a delimited file is written.
public struct CSVOptions: Sendable, Equatable {
    /// Field separator: `,` `;` tab or `|` (any single ASCII byte other than the quote, CR, LF).
    public var delimiter: UInt8
    /// Quote character; nil reads quotes as ordinary characters.
    public var quote: UInt8?
    /// Whether the first record holds the column names.
    public var hasHeader: Bool
    /// Column names to use. With `hasHeader` the file's header row is skipped and replaced.
    public var columns: [String]?

    public init(delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8? = UInt8(ascii: "\""),
                hasHeader: Bool = true, columns: [String]? = nil) {
        self.delimiter = delimiter
        self.quote = quote
        self.hasHeader = hasHeader
        self.columns = columns
    }

    /// Checks the options make sense; the message says what to change.
    public func validate() -> String? {
        let forbidden: Set<UInt8> = [0x0A, 0x0D]
        if forbidden.contains(delimiter) { return "the delimiter cannot be a line break" }
        if delimiter >= 0x80 { return "the delimiter must be a single ASCII character" }
        if let quote {
            if quote == delimiter { return "the quote character cannot equal the delimiter" }
            if forbidden.contains(quote) || quote >= 0x80 { return "the quote must be a single ASCII character other than a line break" }
        }
        if !hasHeader && columns == nil { return "without a header row, give the column names" }
        return nil
    }

    /// Parses a delimiter as users write it: `,` `;` `|` `tab` `\t` or a literal tab.
    public static func delimiter(named name: String) -> UInt8? {
        switch name {
        case "tab", "\\t", "\t", "TAB": return 0x09
        case "comma": return UInt8(ascii: ",")
        case "semicolon": return UInt8(ascii: ";")
        case "pipe": return UInt8(ascii: "|")
        default:
            let bytes = Array(name.utf8)
            guard bytes.count == 1, bytes[0] < 0x80, bytes[0] != 0x0A, bytes[0] != 0x0D else { return nil }
            return bytes[0]
        }
    }

    /// A readable name for a delimiter byte.
    public static func name(ofDelimiter byte: UInt8) -> String {
        switch byte {
        case 0x09: return "tab"
        default: return String(UnicodeScalar(byte))
        }
    }
}

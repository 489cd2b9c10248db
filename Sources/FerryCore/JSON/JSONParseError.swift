/// Why a JSON text was rejected, and where.
///
/// `offset` is the zero-based byte offset in the parsed text at which the problem was
/// found; `message` says in plain words what was wrong there.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Zero-based byte offset in the JSON text.
    public var offset: Int
    /// What was wrong, for example "expected ',' or '}' after object member".
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String {
        "invalid JSON at byte \(offset): \(message)"
    }

    /// A short human description of one input byte, for error messages:
    /// `'x'` for printable ASCII, a name for whitespace, `byte 0xNN` otherwise.
    static func describe(_ byte: UInt8) -> String {
        switch byte {
        case 0x20: return "space"
        case 0x09: return "tab"
        case 0x0A: return "line feed"
        case 0x0D: return "carriage return"
        case 0x21...0x7E: return "'" + String(UnicodeScalar(byte)) + "'"
        default: return "byte " + hex(byte)
        }
    }

    static func hex(_ byte: UInt8) -> String {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
        return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}

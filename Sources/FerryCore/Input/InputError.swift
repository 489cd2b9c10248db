/// A problem that stops reading one input file. Rows read before it are still accounted for.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case notFound = "not_found"
        case unreadable = "unreadable"
        case gzipTruncated = "gzip_truncated"
        case gzipCorrupt = "gzip_corrupt"
        case gzipTrailingData = "gzip_trailing_data"
        case badHeader = "bad_header"
        case badOptions = "bad_options"
    }

    public let kind: Kind
    /// The input's display name (a path, or `<stdin>`).
    public let file: String
    /// Byte offset in the file as stored (compressed bytes for gzip), when it applies.
    public let offset: Int64?
    public let message: String

    public init(_ kind: Kind, file: String, offset: Int64? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(file): \(detail)" }

    /// The message with the offset, without the file name.
    public var detail: String {
        offset.map { "\(message) (at byte \($0))" } ?? message
    }
}

/// Why the sandbox refuses a vendor request, before the vendor's own wording is put on it.
struct Rejection: Error, Sendable, Equatable {
    enum Reason: Sendable, Equatable {
        /// No credential, or a wrong one (HTTP 401; Toplyne answers 200 with its failure body).
        case unauthenticated
        /// A credential that is not allowed here (Pyze: an app key of another app, 403).
        case forbidden
        /// The content: malformed JSON, wrong envelope, a bad record, too many records (400).
        case content
        /// A body over the request size limit (413).
        case tooLarge
        /// Not the media type the vendor takes (415).
        case unsupportedMediaType
        /// Talon.One: the record conflicts with the deployment's state (409).
        case conflict
        /// The path exists, the method does not (405).
        case methodNotAllowed
    }

    var reason: Reason
    /// One line for the vendor's message member.
    var message: String
    /// The problems found, each `where: what` (records named by their index in the request).
    var details: [String] = []

    var status: Int {
        switch reason {
        case .unauthenticated: return 401
        case .forbidden: return 403
        case .content: return 400
        case .tooLarge: return 413
        case .unsupportedMediaType: return 415
        case .conflict: return 409
        case .methodNotAllowed: return 405
        }
    }

    static func content(_ message: String, details: [String] = []) -> Rejection {
        Rejection(reason: .content, message: message, details: details)
    }

    /// The message with the first problems appended (vendors that have only one text member).
    var messageWithDetails: String {
        guard !details.isEmpty else { return message }
        let shown = details.prefix(10).joined(separator: "; ")
        let more = details.count > 10 ? "; and \(details.count - 10) more" : ""
        return "\(message): \(shown)\(more)"
    }
}

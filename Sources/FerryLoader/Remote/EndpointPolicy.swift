import Foundation

/// Which URLs ferry sends to: HTTPS anywhere, plain HTTP only to this machine (loopback)
/// unless explicitly allowed.
public enum EndpointPolicy {
    public static func check(_ text: String, allowInsecureHTTP: Bool = false) throws(RemoteError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw RemoteError("'\(text)' is not a URL such as https://yourcompany.talon.one")
        }
        switch scheme {
        case "https":
            return url
        case "http":
            if isLoopback(host) || allowInsecureHTTP { return url }
            throw RemoteError("plain http is only used for this machine (loopback); use https for \(host), or --allow-insecure-http")
        default:
            throw RemoteError("unsupported URL scheme '\(scheme)' in \(text)")
        }
    }

    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return h == "localhost" || h == "::1" || h.hasPrefix("127.")
    }
}

/// A problem talking to a vendor.
public struct RemoteError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

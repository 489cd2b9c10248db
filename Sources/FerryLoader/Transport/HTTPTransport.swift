/// One request as the senders hand it to a transport: the request target is the path (and
/// query) on the transport's origin, the base URL's own path already in front of it.
struct OutgoingRequest: Sendable {
    var method: String
    var target: String
    var headers: [(name: String, value: String)]
    /// nil sends no body (and no Content-Type or Content-Length).
    var body: [UInt8]?

    func header(_ name: String) -> String? { firstHeader(name, in: headers) }

    /// Refuses what would break the request on the wire: a control character (but tab) in a
    /// header's name or value, or a space or control character in the method or target. The
    /// error names the header, never its value (it may be the credential).
    func validate() throws(TransportError) {
        for header in headers {
            guard Self.isToken(header.name) else {
                throw TransportError(.invalidRequest, "a header name holds a character HTTP does not allow")
            }
            guard !header.value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else {
                throw TransportError(.invalidRequest, "the \(header.name) header holds a line break or another control character; check the credential")
            }
        }
        guard Self.isToken(method) else { throw TransportError(.invalidRequest, "the method \(method) is not an HTTP token") }
        guard !target.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw TransportError(.invalidRequest, "the request path holds a space or a control character (check --endpoint): \(target)")
        }
    }

    /// RFC 9110's token: visible ASCII but separators.
    private static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && !"\"(),/:;<=>?@[\\]{}".utf8.contains(byte)
        }
    }
}

/// An answer read whole: status, headers in the order received, body.
struct ReceivedResponse: Sendable {
    var status: Int
    var headers: ResponseHeaders
    var body: [UInt8]

    /// The first header of that name, compared without case.
    func header(_ name: String) -> String? { headers.value(named: name) }
}

/// The first header of that name, compared without case.
func firstHeader(_ name: String, in headers: [(name: String, value: String)]) -> String? {
    headers.first { sameIgnoringASCIICase($0.name.utf8, name.utf8) }?.value
}

/// Whether two header names are the same bytes but for ASCII letter case (without
/// allocating lowercased copies: it runs for every answer).
func sameIgnoringASCIICase<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy(sameIgnoringASCIICase)
}

/// Whether two bytes are equal but for the case of an ASCII letter.
@inline(__always)
func sameIgnoringASCIICase(_ x: UInt8, _ y: UInt8) -> Bool {
    x == y || ((x | 0x20) == (y | 0x20) && (x | 0x20) >= 97 && (x | 0x20) <= 122)
}

/// Why an exchange got no answer. `description` never holds the request (so never a secret).
struct TransportError: Error, CustomStringConvertible {
    enum Kind: String {
        case timeout
        case connect
        case connectionClosed = "connection_closed"
        /// The answer broke HTTP/1.1's rules, or was larger than ferry reads.
        case malformedResponse = "malformed_response"
        /// The request cannot be sent as it is (a header holding a line break): no retry
        /// can help, so the run stops.
        case invalidRequest = "invalid_request"
        case other
    }

    var kind: Kind
    var detail: String
    /// The connection closed before any byte of an answer arrived.
    var nothingReceived: Bool

    init(_ kind: Kind, _ detail: String, nothingReceived: Bool = false) {
        self.kind = kind
        self.detail = detail
        self.nothingReceived = nothingReceived
    }

    var description: String { detail }
}

/// Sends one request and reads its whole answer, or throws a `TransportError`.
protocol HTTPTransport: Sendable {
    func send(_ request: OutgoingRequest, timeout: Duration) async throws(TransportError) -> ReceivedResponse
    /// Closes the connections; called once after the last request.
    func shutdown() async
    /// Where the senders should run (one per event loop) so that their requests need no
    /// thread switch; empty for the default executor.
    var executors: [any TaskExecutor] { get }
}

extension HTTPTransport {
    var executors: [any TaskExecutor] { [] }
}

/// Where a base URL points: scheme, host, port, and the path every request target starts
/// with (without a trailing slash).
struct Origin: Sendable, Equatable {
    var scheme: String
    var host: String
    var port: Int
    var basePath: String

    /// nil when `url` is not an absolute http(s) URL with a host.
    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        var port = scheme == "https" ? 443 : 80
        if let portText, !portText.isEmpty {
            guard let value = Int(portText), (1...65535).contains(value) else { return nil }
            port = value
        }
        var path = String(rest[authorityEnd...])
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<end]) }
        while path.hasSuffix("/") { path.removeLast() }
        self.scheme = scheme
        self.host = String(host)
        self.port = port
        basePath = path
    }

    /// The `Host` header's value: the port only when it is not the scheme's default.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        let standard = scheme == "https" ? 443 : 80
        return port == standard ? name : "\(name):\(port)"
    }

    /// scheme://host[:port], without the base path.
    var prefix: String { "\(scheme)://\(hostHeader)" }
}

/// A base URL that is not http(s)://host...: every request fails to connect, saying so.
struct UnusableTransport: HTTPTransport {
    let baseURL: String

    func send(_ request: OutgoingRequest, timeout: Duration) async throws(TransportError) -> ReceivedResponse {
        throw TransportError(.connect, "the base URL \(baseURL) is not an http:// or https:// URL with a host")
    }

    func shutdown() async {}
}

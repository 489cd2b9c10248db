import AsyncHTTPClient
import Foundation
import FerryCore
import NIOCore

/// The Talon.One management API's credentials, from the environment, as the value of an
/// `Authorization` header. In order of preference:
/// - `TALONONE_MANAGEMENT_TOKEN`: a session token, sent as `Bearer <token>`;
/// - `TALONONE_MANAGEMENT_KEY`: a management key, sent as `ManagementKey-v1 <key>` (DESIGN.md's
///   "or a management key"; the vendor document describes only sessions);
/// - `TALONONE_EMAIL` and `TALONONE_PASSWORD`: ferry logs in with POST /v1/sessions (the
///   document's createSession) and uses the token it returns for this run.
/// Secrets are never printed; errors name the variables, not their values.
public enum ManagementCredentials {
    public static let tokenVariable = "TALONONE_MANAGEMENT_TOKEN"
    public static let keyVariable = "TALONONE_MANAGEMENT_KEY"
    public static let emailVariable = "TALONONE_EMAIL"
    public static let passwordVariable = "TALONONE_PASSWORD"

    public static func authorization(baseURL: URL, environment: [String: String] = ProcessInfo.processInfo.environment,
                                     timeout: TimeAmount = .seconds(30)) async throws(RemoteError) -> String {
        if let token = EnvironmentCredential.value(tokenVariable, in: environment) { return "Bearer \(token)" }
        if let key = EnvironmentCredential.value(keyVariable, in: environment) { return "ManagementKey-v1 \(key)" }
        guard let email = EnvironmentCredential.value(emailVariable, in: environment),
              let password = EnvironmentCredential.value(passwordVariable, in: environment, keepingSpaces: true) else {
            throw RemoteError("the management API needs $\(tokenVariable), $\(keyVariable), or $\(emailVariable) and $\(passwordVariable)")
        }
        return "Bearer \(try await login(baseURL: baseURL, email: email, password: password, timeout: timeout))"
    }

    /// POST /v1/sessions {"email", "password"} -> {"token": ...}.
    static func login(baseURL: URL, email: String, password: String, timeout: TimeAmount) async throws(RemoteError) -> String {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var result: Result<String, RemoteError>
        do {
            var request = HTTPClientRequest(url: baseURL.appendingPathComponent("v1/sessions").absoluteString)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            var body = JSONWriter(capacity: 128)
            body.beginObject()
            body.writeKey("email"); body.writeString(email)
            body.writeKey("password"); body.writeString(password)
            body.endObject()
            request.body = .bytes(ByteBuffer(bytes: body.bytes))
            let response = try await client.execute(request, timeout: timeout)
            let bytes = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            let status = Int(response.status.code)
            if status == 401 || status == 403 {
                result = .failure(RemoteError("logging in to the management API failed (HTTP \(status)); check $\(emailVariable) and $\(passwordVariable)"))
            } else if !(200..<300).contains(status) {
                result = .failure(RemoteError("POST /v1/sessions answered HTTP \(status)"))
            } else if case .string(let token)? = (try? bytes.withUnsafeBufferPointer { try JSONParser.parse($0) })?.value(atPath: "token"),
                      !token.isEmpty {
                result = .success(token)
            } else {
                result = .failure(RemoteError("POST /v1/sessions answered without a token"))
            }
        } catch {
            result = .failure(RemoteError("cannot reach \(baseURL.host ?? baseURL.absoluteString): \(error)"))
        }
        try? await client.shutdown()
        return try result.get()
    }
}

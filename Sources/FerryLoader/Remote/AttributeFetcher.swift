import AsyncHTTPClient
import Foundation
import FerryCore
import NIOCore

/// Fetches the account's custom attributes (Talon.One management API, GET /v1/attributes),
/// page by page, with an `Authorization` value from `ManagementCredentials` (never printed).
public enum AttributeFetcher {
    public static func fetch(baseURL: URL, authorization: String, pageSize: Int = 1000,
                             timeout: TimeAmount = .seconds(30)) async throws(RemoteError) -> [AccountAttribute] {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var attributes: [AccountAttribute] = []
        var failure: RemoteError?
        do {
            var skip = 0
            while true {
                let url = baseURL.appendingPathComponent("v1/attributes").absoluteString + "?pageSize=\(pageSize)&skip=\(skip)"
                var request = HTTPClientRequest(url: url)
                request.headers.add(name: "Authorization", value: authorization)
                request.headers.add(name: "Accept", value: "application/json")
                let response = try await client.execute(request, timeout: timeout)
                let body = try await response.body.collect(upTo: 32 << 20)
                let bytes = Array(body.readableBytesView)
                let status = Int(response.status.code)
                guard (200..<300).contains(status) else {
                    if status == 401 || status == 403 {
                        throw RemoteError("authentication failed (HTTP \(status)) reading the account's attributes; check the management credentials")
                    }
                    throw RemoteError("GET /v1/attributes answered HTTP \(status)")
                }
                let page: [AccountAttribute]
                do {
                    page = try CustomAttributeCheck.parseAttributes(bytes)
                } catch {
                    throw RemoteError("GET /v1/attributes answered something that is not the expected JSON (\(error.message))")
                }
                attributes += page
                if page.count < pageSize { break }
                skip += page.count
            }
        } catch let error as RemoteError {
            failure = error
        } catch {
            failure = RemoteError("cannot reach \(baseURL.host ?? baseURL.absoluteString): \(error)")
        }
        try? await client.shutdown()
        if let failure { throw failure }
        return attributes
    }
}

import NIOCore
import Testing
import FerryVendors
@testable import FerrySandbox

/// The Authorization and Content-Type headers a route accepts: the byte comparison of what
/// senders write, and the slower reading of everything else, give one answer.
@Suite struct RouteHeaderTests {
    static func route(_ name: String) throws -> VendorRoute {
        VendorRoute(target: try target(name), prefix: "")
    }

    static func accepts(_ route: VendorRoute, authorization: String?) -> Bool {
        (try? route.authenticate(authorization)) != nil
    }

    static func accepts(_ route: VendorRoute, contentType: String?) -> Bool {
        let request = VendorRoute.Incoming(authorization: nil, contentType: contentType, path: "", parameters: [:],
                                           body: ByteBuffer())
        return (try? route.checkMediaType(request)) != nil
    }

    @Test func bearerCredentialsInAnyCaseOfTheSchemeAndSpacedOut() throws {
        let route = try Self.route("toplyne.user_events")
        let token = SandboxCredentials.secret(for: route.target)
        for header in ["Bearer \(token)", "bearer \(token)", "BEARER \(token)", "bEaReR \(token)",
                       "Bearer  \(token)", "Bearer \(token) ", "Bearer \(token)\t", "  Bearer \(token)"] {
            #expect(Self.accepts(route, authorization: header), "\(header)")
        }
        for header in [nil, "", "Bearer", "Bearer ", token, "Bearer \(token)x", "Bearer x\(token)",
                       "Bearer \(token.uppercased())", "Basic \(token)", "Bearer\t\(token)", "Bearerx \(token)",
                       "Bearer \(String(token.dropLast()))"] {
            #expect(!Self.accepts(route, authorization: header), "\(String(describing: header))")
        }
    }

    @Test func apiKeyAndManagementSchemes() throws {
        func route(_ kind: AuthScheme.Kind) -> VendorRoute? {
            TargetCatalog.all.first { $0.auth.kind == kind }.map { VendorRoute(target: $0, prefix: "") }
        }
        guard let apiKey = route(.apiKeyV1), let management = route(.managementSession) else {
            Issue.record("no target with an ApiKey-v1 or a management session credential")
            return
        }
        let key = SandboxCredentials.secret(for: apiKey.target)
        let apiKeyAnswers = ["ApiKey-v1 \(key)", "apikey-v1 \(key)", "Bearer \(key)", "ApiKey-v2 \(key)"].map { Self.accepts(apiKey, authorization: $0) }
        #expect(apiKeyAnswers == [true, true, false, false])
        let managementAnswers = ["Bearer \(SandboxCredentials.talonOneSessionToken)",
                                 "ManagementKey-v1 \(SandboxCredentials.talonOneManagementKey)",
                                 "Bearer \(SandboxCredentials.talonOneManagementKey)"].map { Self.accepts(management, authorization: $0) }
        #expect(managementAnswers == [true, true, false])
    }

    @Test func jsonMediaTypesWithParametersCaseAndSpaces() throws {
        let route = try Self.route("toplyne.user_events")
        for type in ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8",
                     " application/json ", "application/json ; charset=utf-8", "APPLICATION/JSON; charset=utf-8"] {
            #expect(Self.accepts(route, contentType: type), "\(type)")
        }
        for type in [nil, "", "text/plain", "application/jsonx", "application/x-ndjson", "application/json+x; charset=utf-8",
                     "multipart/form-data; boundary=x"] {
            #expect(!Self.accepts(route, contentType: type), "\(String(describing: type))")
        }
    }
}

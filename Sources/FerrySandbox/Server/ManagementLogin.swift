import FerryCore
import Hummingbird

/// Talon.One management API's createSession, POST /v1/sessions `{"email", "password"}`: with
/// the sandbox's email and password, 201 `{"created", "token", "userId"}` where the token is
/// `SandboxCredentials.talonOneSessionToken`; otherwise 401 in Talon.One's error shape.
enum ManagementLogin {
    static func respond(to request: Request) async throws -> Response {
        let (body, _) = try await VendorExchange.collect(request.body, limit: 64 << 10)
        let value = try? JSONParser.parse(Array(body.readableBytesView))
        guard case .string(let email)? = value?.value(atPath: "email"),
              case .string(let password)? = value?.value(atPath: "password") else {
            return SandboxRouter.response(.refused(.content("the body must be {\"email\": ..., \"password\": ...}"), vendor: .talonone))
        }
        guard email == SandboxCredentials.talonOneEmail, password == SandboxCredentials.talonOnePassword else {
            return SandboxRouter.response(.refused(Rejection(reason: .unauthenticated, message: "Unauthorized: wrong email or password"),
                                                   vendor: .talonone))
        }
        return SandboxRouter.json(jsonObject([
            "created": .string("2026-01-01T00:00:00Z"),
            "token": .string(SandboxCredentials.talonOneSessionToken),
            "userId": .int(1),
        ]), status: 201)
    }
}

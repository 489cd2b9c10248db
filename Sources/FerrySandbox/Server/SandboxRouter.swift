import Foundation
import FerryCore
import FerryVendors
import HTTPTypes
import Hummingbird

/// The sandbox's routes. Every target's endpoint is served at its documented method and
/// path behind a vendor prefix, so a client's base URL for a target is
/// `http://HOST:PORT` + the prefix (`SandboxServer.baseURL(for:region:)`):
///
/// | prefix | serves |
/// |---|---|
/// | `/toplyne` | POST /v1/upload/accounts/events, /v1/upload/accounts/profiles, /v1/upload/users/events, /v1/upload/users/profiles |
/// | `/pyze` | POST /users/profile, POST /v1/events |
/// | `/talonone` | integration API: PUT /v2/customer_profiles/{customerProfileId}, PUT /v2/customer_sessions/{customerSessionId}, POST /v1/events, POST /v1/coupon_reservations/{couponValue}, POST /v1/referrals, DELETE /v1/customer_data/{integrationId}; management API: POST /v1/sessions, POST /v1/applications/{applicationId}/campaigns/{campaignId}/import_coupons (multipart CSV) |
/// | `/netcore/us`, `/netcore/in`, `/netcore/eu` | POST /v1/activity/upload |
/// | `/_sandbox` | control: GET ledger/{target}, GET counts, GET duplicates, POST reset, GET and POST faults |
///
/// Path parameters are percent-decoded (`/v1/coupon_reservations/VIP%202024%2FA` reserves
/// `VIP 2024/A`). Another method on a served path is answered 405 in the vendor's shape. A
/// request may force a fault with the header `X-Sandbox-Fault: 429|500|502|503|drop|lost|slow`.
enum SandboxRouter {
    /// The header that forces a fault on one request.
    static let faultHeader = HTTPField.Name("X-Sandbox-Fault")

    /// Where a target's endpoints live: one prefix per vendor, one per region for Netcore.
    static func prefixes(for target: Target) -> [String] {
        if !target.endpoint.regions.isEmpty {
            return target.endpoint.regions.map { "/\(target.vendor.rawValue)/\($0.name)" }
        }
        return ["/\(target.vendor.rawValue)"]
    }

    /// The prefix of `target` in `region` (a regional target's first region when nil).
    static func prefix(for target: Target, region: String?) -> String {
        if let first = target.endpoint.regions.first {
            return "/\(target.vendor.rawValue)/\(region ?? first.name)"
        }
        return "/\(target.vendor.rawValue)"
    }

    static var routes: [VendorRoute] {
        TargetCatalog.all.flatMap { target in prefixes(for: target).map { VendorRoute(target: target, prefix: $0) } }
    }

    static func method(_ method: FerryVendors.HTTPMethod) -> HTTPRequest.Method {
        switch method {
        case .get: return .get
        case .post: return .post
        case .put: return .put
        case .delete: return .delete
        }
    }

    static func make(state: SandboxState) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        for route in routes {
            router.on(RouterPath(route.routerPath), method: method(route.target.endpoint.method)) { request, context in
                try await VendorExchange(route: route, state: state).respond(to: request, context: context)
            }
        }
        var served: [String: Set<HTTPRequest.Method>] = [:]
        for route in routes { served[route.routerPath, default: []].insert(method(route.target.endpoint.method)) }
        for route in routes {
            for other in [HTTPRequest.Method.get, .post, .put, .delete, .patch] where served[route.routerPath]?.contains(other) == false {
                served[route.routerPath]?.insert(other)
                let vendor = route.target.vendor
                router.on(RouterPath(route.routerPath), method: other) { _, _ in
                    response(.refused(Rejection(reason: .methodNotAllowed, message: "Method Not Allowed"), vendor: vendor))
                }
            }
        }
        router.post("/talonone/v1/sessions") { request, _ in
            try await ManagementLogin.respond(to: request)
        }
        ControlRoutes(state: state).register(on: router)
        return router
    }

    /// A response carrying a vendor answer.
    static func response(_ answer: VendorAnswer) -> Response {
        var headers = HTTPFields()
        if !answer.body.isEmpty { headers[.contentType] = "application/json; charset=utf-8" }
        if let retryAfter = answer.retryAfter { headers[.retryAfter] = String(retryAfter) }
        let body = answer.body.isEmpty ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
        return Response(status: HTTPResponse.Status(code: answer.status), headers: headers, body: body)
    }

    /// A response that never completes: its head promises the whole answer (Content-Length),
    /// half of the body is written, then the connection is closed.
    static func cutOff(_ answer: VendorAnswer) -> Response {
        let body = answer.body.isEmpty ? Array(#"{"message":"response lost"}"#.utf8) : answer.body
        let status = answer.status == 204 ? 200 : answer.status
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(body.count)
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody { writer in
            try await writer.write(ByteBuffer(bytes: body.prefix(body.count / 2)))
            throw ConnectionCut()
        })
    }

    /// A JSON response for control endpoints.
    static func json(_ value: JSONValue, status: Int = 200) -> Response {
        response(VendorAnswer(status: status, json: value))
    }
}

/// Thrown from a response body to make Hummingbird close the connection mid-response.
struct ConnectionCut: Error {}

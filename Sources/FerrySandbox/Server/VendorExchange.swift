import Foundation
import FerryCore
import HTTPTypes
import Hummingbird

/// One vendor request through the sandbox: numbered and maybe faulted (`SandboxTraffic`),
/// checked (`VendorRoute`), recorded (`SandboxLedger`), answered in the vendor's shape.
///
/// Order: the body is read (kept up to the target's `maxBytes`); the request gets its
/// sequence number and fault; the plan's latency is waited; a rate-limited request is
/// answered 429; 429/500/502/503 and `drop` are answered without looking at the request;
/// otherwise it is checked and, when acceptable, its records go to the ledger; `lost` then
/// cuts the connection instead of answering, and `slow` waits `slowDelay` before answering.
struct VendorExchange: Sendable {
    let route: VendorRoute
    let state: SandboxState

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let (body, tooLarge) = try await Self.collect(request.body, into: state.bodyBuffers.take(), limit: route.target.limits.maxBytes,
                                                      expectedLength: request.headers[.contentLength].flatMap { Int($0) })
        let response = try await answer(request, context: context, body: body, tooLarge: tooLarge)
        // Nothing holds the body now (the check reads it in place): its buffer serves the next request.
        state.bodyBuffers.give(consume body)
        return response
    }

    /// The response to `request`, whose body has been read into `body`.
    private func answer(_ request: Request, context: BasicRequestContext, body: ByteBuffer, tooLarge: Bool) async throws -> Response {
        let authorization = request.headers[.authorization]
        var forced: FaultPlan.Kind?
        if let name = SandboxRouter.faultHeader, let value = request.headers[name] {
            guard let kind = FaultPlan.Kind(rawValue: value.lowercased()) else {
                let known = FaultPlan.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                return SandboxRouter.json(jsonObject(["error": .string("unknown X-Sandbox-Fault '\(value)'; known: \(known)")]), status: 400)
            }
            forced = kind
        }
        let admission = await state.traffic.admit(credential: authorization ?? "", forced: forced)
        if admission.plan.latency > .zero { try await Task.sleep(for: admission.plan.latency) }
        let vendor = route.target.vendor
        if let wait = admission.rateLimitedFor {
            return SandboxRouter.response(.fault(status: 429, vendor: vendor, retryAfter: wait))
        }
        if let fault = admission.fault {
            switch fault {
            case .tooManyRequests, .internalServerError, .badGateway, .serviceUnavailable:
                let status = Int(fault.rawValue) ?? 500
                return SandboxRouter.response(.fault(status: status, vendor: vendor, retryAfter: admission.plan.retryAfter))
            case .drop:
                return SandboxRouter.cutOff(.fault(status: 200, vendor: vendor, retryAfter: 0))
            case .lost, .slow:
                break
            }
        }
        var parameters: [String: String] = [:]
        for parameter in route.target.endpoint.pathParameters {
            if let raw = context.parameters.get(parameter.name) { parameters[parameter.name] = raw.removingPercentEncoding ?? raw }
        }
        let incoming = VendorRoute.Incoming(
            authorization: authorization, contentType: request.headers[.contentType],
            path: String(request.uri.path.dropFirst(route.prefix.count)), parameters: parameters,
            body: body, bodyTooLarge: tooLarge)
        let answer: VendorAnswer
        var checked = route.check(incoming, countOnly: state.ledger.onlyCounts)
        // Only Talon.One's sessions have state to check against (an actor's turn per request).
        if route.target.vendor == .talonone, case .success(let accepted) = checked,
           let conflict = await state.talonOne.admit(target: route.target.name, records: accepted.records) {
            checked = .failure(conflict)
        }
        switch checked {
        case .success(let accepted):
            await state.ledger.append(target: route.target.name, sequence: admission.sequence, accepted: accepted, fault: admission.fault)
            answer = .accepted(route.target, sequence: admission.sequence, accepted: accepted, parameters: parameters)
        case .failure(let rejection):
            answer = .refused(rejection, vendor: vendor)
        }
        if admission.fault == FaultPlan.Kind.lost { return SandboxRouter.cutOff(answer) }
        if admission.fault == FaultPlan.Kind.slow { try await Task.sleep(for: admission.plan.slowDelay) }
        return SandboxRouter.response(answer)
    }

    /// The body's bytes, or (with `tooLarge`) none when it is longer than `limit`; the body is
    /// read to its end either way. With `expectedLength` (the request's Content-Length), room
    /// for the whole body is made at once, so the chunks are copied into it once each, not
    /// again every time a growing buffer doubles; the bytes are handed on in NIO's buffer,
    /// which the checks read in place. The bytes are written into `buffer` (emptied first), one
    /// the pool handed out.
    static func collect(_ body: RequestBody, into buffer: consuming ByteBuffer = ByteBuffer(), limit: Int,
                        expectedLength: Int? = nil) async throws -> (bytes: ByteBuffer, tooLarge: Bool) {
        var buffer = consume buffer   // not a copy: `clear()` would then allocate new storage
        buffer.clear()
        if let expectedLength, expectedLength > 0, expectedLength <= limit, buffer.capacity < expectedLength {
            // An eighth more: a batch's bodies differ a little in length, and a reused buffer
            // grown for each slightly longer one would be a new allocation every time.
            buffer.reserveCapacity(min(limit, expectedLength + expectedLength / 8))
        }
        var tooLarge = false
        for try await var chunk in body {
            if tooLarge { continue }
            if buffer.readableBytes + chunk.readableBytes > limit {
                tooLarge = true
                buffer.clear()
            } else {
                buffer.writeBuffer(&chunk)
            }
        }
        return (buffer, tooLarge)
    }
}

extension ByteBuffer {
    /// Calls `body` with the readable bytes as a buffer of `UInt8`s, as the scanners and
    /// parsers take them.
    func withReadableUInt8s<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        withUnsafeReadableBytes { raw in raw.withMemoryRebound(to: UInt8.self) { body($0) } }
    }
}

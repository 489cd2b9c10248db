import Foundation
import Testing
import FerryCore
import FerryVendors
@testable import FerrySandbox

/// Every shipped sample, as `ferry convert` writes it, is accepted by the sandbox and lands in
/// its ledger exactly.
@Suite struct ShippedRequestsTests {
    @Test func everyTargetHasShippedRequests() throws {
        let covered = Set(try ShippedRequest.directories.map { try ShippedRequest.target(ofDirectory: $0).name })
        #expect(covered == Set(TargetCatalog.names))
        #expect(TargetCatalog.all.count == 14)
    }

    @Test(arguments: ShippedRequest.directories)
    func shippedRequestsAreAcceptedAndLedgered(directory: String) async throws {
        let requests = try ShippedRequest.load(directory)
        #expect(!requests.isEmpty)
        try await withSandbox { server in
            var expected: [JSONValue] = []
            var sequences: [UInt64] = []
            for (index, shipped) in requests.enumerated() {
                let target = shipped.target
                #expect(shipped.method == target.endpoint.method.rawValue)
                let body = shipped.body.map(Self.withSandboxAppKey)
                let reply = try await SandboxHTTP.send(target, on: server, path: shipped.path, body: body)
                #expect((200..<300).contains(reply.status), "\(directory) request \(index + 1): \(reply.status) \(reply.text)")
                #expect(reply.verdict(target) == .accepted, "\(directory) request \(index + 1): \(reply.text)")
                Self.expectSuccessShape(reply, target: target)
                let records = try Self.ledgerRecords(of: shipped, body: body)
                expected += records
                sequences += Array(repeating: UInt64(index + 1), count: records.count)
            }
            let target = try #require(requests.first?.target)
            let entries = await server.ledger.entries(for: target.name)
            #expect(entries.map(\.record) == expected)
            #expect(entries.allSatisfy { $0.fault == nil })
            // Requests are numbered in arrival order, one sequence number per request.
            #expect(entries.map(\.sequence) == sequences)
            // Records sent twice (the Pyze events sample has two identical rows) are reported.
            var groups: [String: [UInt64]] = [:]
            var order: [String] = []
            for (record, sequence) in zip(expected, sequences) {
                let key: String = JSONWriter.serialize(record)
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(sequence)
            }
            let twice = order.compactMap { groups[$0] }.filter { $0.count > 1 }
            #expect(await server.ledger.duplicates(for: target.name).map(\.sequences) == twice)
        }
    }

    /// Pyze events carry their app key in the body: the fixtures were written with a test key,
    /// the sandbox accepts its own.
    static func withSandboxAppKey(_ body: [UInt8]) -> [UInt8] {
        let text = String(decoding: body, as: UTF8.self)
            .replacingOccurrences(of: "\"appKey\":\"test-app-key-0001\"", with: "\"appKey\":\"\(SandboxCredentials.pyzeAppKey)\"")
        return Array(text.utf8)
    }

    static func expectSuccessShape(_ reply: Reply, target: Target) {
        switch target.vendor {
        case .toplyne:
            #expect(reply.json?.value(atPath: "status") == .string("success"))
            #expect(reply.json?.value(atPath: "MsgCode") == .string("100"))
        case .netcore:
            #expect(reply.json == jsonObject(["status": .string("success")]))
        case .pyze:
            #expect(reply.status == (target.envelope == .single ? 202 : 200))
        case .talonone:
            if target.destructive { #expect(reply.status == 204 && reply.body.isEmpty) }
        }
    }

    /// What the ledger should hold for one request, derived from the request as sent (see
    /// `SandboxLedger` for the shape).
    static func ledgerRecords(of shipped: ShippedRequest, body: [UInt8]?) throws -> [JSONValue] {
        let target = shipped.target
        let parsed = target.envelope.isJSON ? try body.map { try JSONParser.parse($0) } : nil
        switch target.envelope {
        case .objectArray(let key):
            guard case .array(let items)? = parsed?.value(atPath: key) else { throw FixtureError("no \(key) array") }
            return items
        case .array:
            guard case .array(let items)? = parsed else { throw FixtureError("not an array") }
            return items
        case .single:
            let record = try #require(parsed)
            if target.endpoint.pathParameters.isEmpty { return [record] }
            return [pathRecord(shipped, body: record)]
        case .none:
            return [pathRecord(shipped, body: nil)]
        case .multipartCSV:
            #expect(shipped.path == "/v1/applications/42/campaigns/97/import_coupons")
            let rows = try JSONParser.parse("""
                [{"value":"SUMMER-01","expiryDate":"2025-08-31T23:59:00+02:00","startDate":"2025-06-01T00:00:00+02:00","recipientIntegrationId":"cust-1","usageLimit":1,"attributes":{"channel":"email","discountPercent":10}},
                 {"value":"SUMMER-02","expiryDate":"2025-08-31T23:59:00+02:00","startDate":"2025-06-01T00:00:00+02:00","usageLimit":3,"attributes":{"channel":"social, paid","discountPercent":15}},
                 {"value":"WINTER-03","expiryDate":"2026-02-28T23:59:00+01:00","startDate":"2025-12-01T00:00:00+01:00","recipientIntegrationId":"cust-3","usageLimit":1,"attributes":{"channel":"app","discountPercent":20}}]
                """)
            guard case .array(let coupons) = rows else { return [] }
            return coupons.map { pathRecord(shipped, body: $0) }
        }
    }

    /// `{"path", "parameters", "body"}` with the parameters read off the path by the template.
    static func pathRecord(_ shipped: ShippedRequest, body: JSONValue?) -> JSONValue {
        var parameters = JSONObject()
        let template = shipped.target.endpoint.path.split(separator: "/")
        let segments = shipped.path.split(separator: "/")
        for (pattern, segment) in zip(template, segments) where pattern.hasPrefix("{") {
            parameters.append(String(pattern.dropFirst().dropLast()), .string(String(segment).removingPercentEncoding ?? ""))
        }
        var record = JSONObject([(key: "path", value: .string(shipped.path)), (key: "parameters", value: .object(parameters))])
        if let body { record.append("body", body) }
        return .object(record)
    }
}

extension Envelope {
    var isJSON: Bool {
        switch self {
        case .objectArray, .array, .single: return true
        case .none, .multipartCSV: return false
        }
    }
}

import Foundation
import Testing

/// `ferry convert` output for the shipped Talon.One integration samples, read back
/// (ShippedMappingsTests compares the bytes with hand-checked fixtures): one request per
/// record, identifiers in the path (percent-encoded) and not in the body, sessions wrapped as
/// {"customerSession": ...} with cart items grouped from rows, reservations grouped per coupon,
/// RFC 3339 times in the source's offset, and deletions without a body.
@Suite struct TalonOneConvertTests {
    static let objects = ["customer_profiles", "customer_sessions", "events", "coupon_reservations", "referrals",
                          "customer_data_deletion"]

    let directory: URL

    init() throws {
        directory = try makeTestDirectory("ferry-talonone-convert")
    }

    func convert(_ object: String, report: URL? = nil) throws -> (CLIRunner.Result, URL) {
        let pair = try #require(ShippedPairs.all().first { $0.mapping == "mappings/talonone/\(object).yaml" })
        let out = directory.appendingPathComponent("out-\(object)")
        var arguments = ["convert", "-m", pair.mapping, pair.sample, "-o", out.path]
        if let report { arguments += ["--report", report.path] }
        return (try CLIRunner.run(arguments), out)
    }

    func listing(_ out: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: out.appendingPathComponent("requests.ndjson"), encoding: .utf8)
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test(arguments: objects)
    func everyRequestHoldsOneRecordAndNoPathIdentifierInItsBody(object: String) throws {
        let (result, out) = try convert(object)
        #expect(result.status == 0, "convert: \(result.stderr)")
        let requests = try listing(out)
        #expect(!requests.isEmpty)
        for request in requests {
            #expect(request["records"] as? Int == 1)
            guard let file = request["file"] as? String else { continue }
            let body = try Data(contentsOf: out.appendingPathComponent(file))
            #expect(request["bytes"] as? Int == body.count)
            let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any], "\(file) is one JSON object")
            for key in ["customerProfileId", "customerSessionId", "couponValue", "integrationId"] {
                #expect(json[key] == nil, "\(object)/\(file) repeats \(key) in the body")
            }
        }
    }

    /// The sessions sample: 10 order lines of 5 sessions become 5 PUTs, one per session, whose
    /// cart items are the session's rows in order; a session id with a slash is encoded.
    @Test func sessionsAreOneRequestPerSessionWithItsCart() throws {
        let (result, out) = try convert("customer_sessions")
        #expect(result.status == 0, "convert: \(result.stderr)")
        let requests = try listing(out)
        #expect(requests.compactMap { $0["path"] as? String } == [
            "/v2/customer_sessions/S-1001", "/v2/customer_sessions/S-1002", "/v2/customer_sessions/S-1003",
            "/v2/customer_sessions/POS-7%2F118", "/v2/customer_sessions/S-1004",
        ])
        #expect(requests.allSatisfy { $0["method"] as? String == "PUT" })
        var items = 0
        for request in requests {
            let body = try Data(contentsOf: out.appendingPathComponent(try #require(request["file"] as? String)))
            let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            #expect(Array(json.keys) == ["customerSession"])
            let session = try #require(json["customerSession"] as? [String: Any])
            let cart = try #require(session["cartItems"] as? [[String: Any]])
            let attributes = try #require(session["attributes"] as? [String: Any])
            #expect(attributes["ItemCount"] as? Int == cart.count)
            #expect(["open", "closed", "cancelled"].contains(session["state"] as? String ?? ""))
            items += cart.count
        }
        #expect(items == 10, "every order line is a cart item")
    }

    @Test func reservationsAreGroupedPerCouponAndEmptyCustomersFiltered() throws {
        let report = directory.appendingPathComponent("reservations.json")
        let (result, out) = try convert("coupon_reservations", report: report)
        #expect(result.status == 0, "convert: \(result.stderr)")
        #expect(try listing(out).compactMap { $0["path"] as? String } == [
            "/v1/coupon_reservations/SPRING-25", "/v1/coupon_reservations/VIP%202024%2FA", "/v1/coupon_reservations/WELCOME5",
        ])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        #expect(json["totals"] as? [String: Int] == ["read": 7, "filtered": 1, "invalid": 0, "valid": 6])
    }

    /// Deletion is destructive, but convert (like check and validate) needs no --yes: it writes
    /// no body files, only the listing of DELETE requests.
    @Test func deletionsConvertWithoutYesAndWriteNoBodies() throws {
        let (result, out) = try convert("customer_data_deletion")
        #expect(result.status == 0, "convert: \(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["requests.ndjson"])
        let requests = try listing(out)
        #expect(requests.compactMap { $0["path"] as? String } == [
            "/v1/customer_data/cust-0917", "/v1/customer_data/old%2Fguest%2042", "/v1/customer_data/m.keller%40example.org",
        ])
        #expect(requests.allSatisfy { $0["method"] as? String == "DELETE" && $0["bytes"] as? Int == 0 && $0["file"] is NSNull })
        let validate = try CLIRunner.run(["validate", "-m", "mappings/talonone/customer_data_deletion.yaml",
                                          "samples/talonone/customer_data_deletion.csv"])
        #expect(validate.status == 0, "validate: \(validate.stderr)")
        #expect(validate.stderr.contains("read 5, filtered 2, invalid 0, valid 3"))
    }

    @Test func targetsCommandShowsTheDestructiveFlag() throws {
        let result = try CLIRunner.run(["targets", "talonone.customer_data_deletion"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("DESTRUCTIVE: ferry sends nothing without --yes"))
        #expect(result.stdout.contains("DELETE (your deployment's URL: --endpoint)/v1/customer_data/{integrationId}"))
        let list = try CLIRunner.run(["targets"])
        for object in Self.objects { #expect(list.stdout.contains("talonone.\(object) ")) }
    }
}

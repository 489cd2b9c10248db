import Foundation
import Testing

/// What the real CLI does with Talon.One input the vendor would refuse: missing required fields,
/// a session state outside the enum, cart rows of a session interleaved with another session's,
/// identifiers that need percent-encoding in the path, and empty identifiers.
@Suite struct TalonOneBadInputTests {
    static let mapping = "Tests/FerryCLITests/Fixtures/talonone_sessions_bad.yaml"
    static let input = "Tests/FerryCLITests/Fixtures/talonone_sessions_bad.csv"

    let directory: URL

    init() throws {
        directory = try makeTestDirectory("ferry-talonone-bad")
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func validate(_ mapping: String, _ input: String) throws -> CLIValidation {
        try CLIValidation.run(mapping, input, in: directory)
    }

    // MARK: The sessions sample

    @Test func theBadSessionsAreAccountedForRowByRow() throws {
        let v = try validate(Self.mapping, Self.input)
        #expect(v.result.status == 1)
        #expect(v.result.stderr.contains("read 11, filtered 0, invalid 6, valid 5"))
        #expect(v.report["totals"] as? [String: Int] == ["read": 11, "filtered": 0, "invalid": 6, "valid": 5])
        #expect(v.letters.keys.sorted() == [4, 5, 6, 9, 11, 12])
        #expect(v.errorCounts["not_allowed"] == 2)
        #expect(v.errorCounts["group_reopened"] == 1)
        #expect((v.errorCounts["missing_required"] ?? 0) >= 3)
        #expect(Set(v.errorCounts.keys) == ["not_allowed", "group_reopened", "missing_required"])
        #expect(v.report["exit_code"] as? Int == 1)
    }

    @Test func aStateOutsideTheEnumIsNotAllowed() throws {
        let v = try validate(Self.mapping, Self.input)
        let canceled = try #require(v.letters[4])
        #expect(canceled["kind"] as? String == "not_allowed")
        #expect(v.result.stderr.contains("\(Self.input):4 state=canceled: not one of open, closed, cancelled; did you mean cancelled?"))
        // partially_returned is the vendor's, but only through its return endpoint.
        let returned = try #require(v.letters[12])
        #expect(returned["kind"] as? String == "not_allowed")
        #expect(v.result.stderr.contains("\(Self.input):12 state=partially_returned: not one of open, closed, cancelled"))
    }

    @Test func aCartItemWithoutSkuOrQuantityMakesTheWholeSessionInvalid() throws {
        let v = try validate(Self.mapping, Self.input)
        for line in [5, 6] {
            let meta = try #require(v.letters[line], "line \(line) is not a dead letter")
            #expect(meta["kind"] as? String == "missing_required", "line \(line)")
        }
        #expect(v.result.stderr.contains("\(Self.input):5 sku=: required, but column sku is empty or missing"))
        #expect(v.result.stderr.contains("\(Self.input):6 qty=: required, but column qty is empty or missing"))
        let fields = ((v.letters[5]?["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
        #expect(fields.contains("customerSession.cartItems[].sku"))
    }

    @Test func interleavedCartRowsReportTheReopenedSessionWithBothLines() throws {
        let v = try validate(Self.mapping, Self.input)
        let meta = try #require(v.letters[9])
        #expect(meta["kind"] as? String == "group_reopened")
        let message = "session_id=A comes back at line 9 after its group ended at line 7; sort the input by the group key, or set group_order: any"
        #expect(meta["reason"] as? String == message)
        #expect(v.result.stderr.contains("\(Self.input):9: \(message)"))
        #expect(v.letters[7] == nil && v.letters[8] == nil, "the first A group and B are still sent")
    }

    @Test func anEmptySessionIdIsInvalid() throws {
        let v = try validate(Self.mapping, Self.input)
        let meta = try #require(v.letters[11])
        #expect(meta["kind"] as? String == "missing_required")
        #expect(v.result.stderr.contains("\(Self.input):11 session_id=: required, but column session_id is empty or missing"))
    }

    @Test func convertSendsTheValidSessionsWithEncodedPaths() throws {
        let out = directory.appendingPathComponent("sessions")
        let result = try CLIRunner.run(["convert", "-m", Self.mapping, Self.input, "-o", out.path])
        #expect(result.status == 1)
        let listing = try String(contentsOf: out.appendingPathComponent("requests.ndjson"), encoding: .utf8)
        let requests = try listing.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(requests.compactMap { $0["path"] as? String } == [
            "/v2/customer_sessions/S-1", "/v2/customer_sessions/A", "/v2/customer_sessions/B",
            "/v2/customer_sessions/user%2F1%20x",
        ])
        let first = try String(contentsOf: out.appendingPathComponent("request-000001.json"), encoding: .utf8)
        #expect(first == #"{"customerSession":{"profileId":"c1","state":"open","cartItems":[{"sku":"SKU-1","quantity":1,"price":10},{"sku":"SKU-2","quantity":2,"price":5.5}]}}"#)
        let encoded = try String(contentsOf: out.appendingPathComponent("request-000004.json"), encoding: .utf8)
        #expect(encoded == #"{"customerSession":{"profileId":"c6","state":"closed","cartItems":[{"sku":"SKU-5","quantity":1,"price":10}]}}"#,
                "the id is in the path only")
    }

    // MARK: Path parameters of other targets

    @Test func deletionPathsAreEncodedAndEmptyIdentifiersInvalid() throws {
        // With "NULL" as the only null text, an empty quoted field is an empty string, which the
        // path cannot take either.
        let mapping = try write("delete.yaml", """
        target: talonone.customer_data_deletion
        source:
          null_values: ["NULL"]
        fields:
          integrationId: id

        """)
        let input = try write("delete.csv", "id\nu1\nNULL\n\"user/1 x\"\n\"\"\nä ö?#\n")
        let out = directory.appendingPathComponent("delete")
        let result = try CLIRunner.run(["convert", "-m", mapping, input, "-o", out.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("read 5, filtered 0, invalid 2, valid 3"))
        #expect(result.stderr.contains("\(input):3 id=: required, but column id is empty or missing"))
        let emptyLine = result.stderr.split(separator: "\n").first { $0.contains("\(input):5") }
        #expect(emptyLine?.hasSuffix("needed in the request path {integrationId}, but empty") == true, "\(result.stderr)")
        let listing = try String(contentsOf: out.appendingPathComponent("requests.ndjson"), encoding: .utf8)
        #expect(listing == """
        {"request":1,"method":"DELETE","path":"/v1/customer_data/u1","records":1,"bytes":0,"file":null}
        {"request":2,"method":"DELETE","path":"/v1/customer_data/user%2F1%20x","records":1,"bytes":0,"file":null}
        {"request":3,"method":"DELETE","path":"/v1/customer_data/%C3%A4%20%C3%B6%3F%23","records":1,"bytes":0,"file":null}

        """)
    }

    @Test func aCouponValueWithSpacesAndSlashesIsEncodedAndItsIDsGrouped() throws {
        let mapping = try write("reserve.yaml", """
        target: talonone.coupon_reservations
        group_by: [coupon]
        fields:
          couponValue: coupon
          integrationIDs:
            each_row: customer

        """)
        let input = try write("reserve.csv", "coupon,customer\nuser/1 x,c1\nuser/1 x,c2\n,c3\n")
        let out = directory.appendingPathComponent("reserve")
        let result = try CLIRunner.run(["convert", "-m", mapping, input, "-o", out.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(input):4 coupon=: required, but column coupon is empty or missing"))
        let listing = try String(contentsOf: out.appendingPathComponent("requests.ndjson"), encoding: .utf8)
        #expect(listing.contains(#""path":"/v1/coupon_reservations/user%2F1%20x""#))
        let body = try String(contentsOf: out.appendingPathComponent("request-000001.json"), encoding: .utf8)
        #expect(body == #"{"integrationIDs":["c1","c2"]}"#)
    }

    @Test func aCouponGroupWithoutAnyIntegrationIDIsInvalid() throws {
        let mapping = try write("reserve-empty.yaml", """
        target: talonone.coupon_reservations
        group_by: [coupon]
        fields:
          couponValue: coupon
          integrationIDs:
            each_row: customer

        """)
        let input = try write("reserve-empty.csv", "coupon,customer\nC1,\nC1,\nC2,c9\n")
        let v = try validate(mapping, input)
        #expect(v.result.status == 1)
        #expect(v.report["totals"] as? [String: Int] == ["read": 3, "filtered": 0, "invalid": 2, "valid": 1])
        #expect(v.letters.keys.sorted() == [2, 3])
        #expect((v.letters[2]?["reason"] as? String)?.contains("empty_array") == true)
    }

    @Test func eventsAndReferralsWithoutTheirRequiredFieldsAreInvalid() throws {
        let events = try write("events.yaml", """
        target: talonone.events
        fields:
          sessionId: session
          type: event
          profileId: customer

        """)
        let eventInput = try write("events.csv", "session,event,customer\ns1,login,c1\n,login,c1\ns2,,\n")
        let e = try validate(events, eventInput)
        #expect(e.report["totals"] as? [String: Int] == ["read": 3, "filtered": 0, "invalid": 2, "valid": 1])
        #expect(e.result.stderr.contains("\(eventInput):3 session=: required, but column session is empty or missing"))
        #expect(e.result.stderr.contains("\(eventInput):4 event=: required, but column event is empty or missing"))

        let referrals = try write("referrals.yaml", """
        target: talonone.referrals
        fields:
          campaignId: campaign
          advocateProfileIntegrationId: advocate
          expiryDate: { column: until, timestamp: iso8601 }

        """)
        let referralInput = try write("referrals.csv", "campaign,advocate,until\n41,c1,2024-12-31T23:59:00+01:00\nforty,c2,\n41,,\n41,c3,31.12.2024\n")
        let r = try validate(referrals, referralInput)
        #expect(r.report["totals"] as? [String: Int] == ["read": 4, "filtered": 0, "invalid": 3, "valid": 1])
        #expect(r.result.stderr.contains("\(referralInput):3 campaign=forty: not an integer"))
        #expect(r.result.stderr.contains("\(referralInput):4 advocate=: required, but column advocate is empty or missing"))
        #expect(r.letters[5]?["kind"] as? String == "invalid_timestamp")
    }

    @Test func aMappingWithoutTheSessionIdIsRefusedBeforeReading() throws {
        let mapping = try write("nosession.yaml", """
        target: talonone.customer_sessions
        group_by: [session_id]
        fields:
          customerSession:
            fields:
              state: state
              cartItems:
                each_row:
                  fields:
                    sku: sku

        """)
        let check = try CLIRunner.run(["check", mapping])
        #expect(check.status == 2)
        #expect(check.stderr.contains("the target requires 'customerSessionId' (string)"))
        #expect(check.stderr.contains("the target requires 'customerSession.cartItems[].quantity' (integer)"))
    }
}

/// The per-request limits ferry chose where the document is silent, through the real CLI.
@Suite struct TalonOneLimitTests {
    let directory: URL

    init() throws {
        directory = try makeTestDirectory("ferry-talonone-limits")
    }

    @Test func aSessionOf1001CartItemsIsInvalidAndTheNextOneIsSent() throws {
        var text = "session_id,customer_id,state,sku,qty,price\n"
        for i in 1...1001 { text += "BIG,c1,open,SKU-\(i),1,1\n" }
        text += "SMALL,c2,open,SKU-1,1,1\n"
        let input = directory.appendingPathComponent("big.csv")
        try Data(text.utf8).write(to: input)
        let out = directory.appendingPathComponent("big")
        let result = try CLIRunner.run(["convert", "-m", TalonOneBadInputTests.mapping, input.path, "-o", out.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("read 1,002, filtered 0, invalid 1,001, valid 1"), "\(result.stderr)")
        #expect(result.stderr.contains("\(input.path):2 customerSession.cartItems: the group gives 1001 items; at most 1000 are allowed"), "\(result.stderr)")
        let listing = try String(contentsOf: out.appendingPathComponent("requests.ndjson"), encoding: .utf8)
        #expect(listing.split(separator: "\n").count == 1)
        #expect(listing.contains(#""path":"/v2/customer_sessions/SMALL""#))
    }

    @Test func a2500CustomerReservationIsSentAsThreeRequestsToTheSameCoupon() throws {
        let mapping = directory.appendingPathComponent("reserve.yaml")
        try Data("""
        target: talonone.coupon_reservations
        group_by: [coupon]
        fields:
          couponValue: coupon
          integrationIDs:
            each_row: customer

        """.utf8).write(to: mapping)
        var text = "coupon,customer\n"
        for i in 1...2500 { text += "VIP 1,u\(i)\n" }
        let input = directory.appendingPathComponent("reserve.csv")
        try Data(text.utf8).write(to: input)
        let out = directory.appendingPathComponent("reserve")
        let result = try CLIRunner.run(["convert", "-m", mapping.path, input.path, "-o", out.path])
        #expect(result.status == 0, "convert: \(result.stderr)")
        #expect(result.stderr.contains("read 2,500, filtered 0, invalid 0, valid 2,500"))
        let listing = try String(contentsOf: out.appendingPathComponent("requests.ndjson"), encoding: .utf8)
        let requests = try listing.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(requests.compactMap { $0["path"] as? String } == Array(repeating: "/v1/coupon_reservations/VIP%201", count: 3))
        var ids: [String] = []
        for request in requests {
            let body = try Data(contentsOf: out.appendingPathComponent(try #require(request["file"] as? String)))
            let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: [String]])
            ids += try #require(json["integrationIDs"])
        }
        #expect(ids == (1...2500).map { "u\($0)" }, "every customer once, in order, 1000 per request")
        #expect(requests.compactMap { $0["bytes"] as? Int }.allSatisfy { $0 < 10_000 })
    }
}

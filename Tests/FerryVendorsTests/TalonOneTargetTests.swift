import Foundation
import Testing
import FerryCore
import FerryMapping
@testable import FerryVendors

/// The Talon.One integration API targets, as the vendor document
/// (vendor-docs/talonone-integration-api.txt) defines them and as ferry fills its gaps.
@Suite struct TalonOneTargetTests {
    static let names = ["talonone.customer_profiles", "talonone.customer_sessions", "talonone.events",
                        "talonone.coupon_reservations", "talonone.referrals", "talonone.customer_data_deletion"]

    func target(_ name: String) throws -> Target {
        try #require(TargetCatalog.target(named: name), "\(name) is not in the catalog")
    }

    func field(_ schema: RecordSchema, _ name: String) throws -> FieldSchema {
        try #require(schema.field(named: name), "no field \(name)")
    }

    func object(_ type: FieldType) throws -> RecordSchema {
        guard case .object(let schema) = type else {
            Issue.record("\(type.displayName) is not an object")
            throw CancellationError()
        }
        return schema
    }

    // MARK: Catalog, endpoints, auth

    @Test func catalogListsTheSixIntegrationTargets() throws {
        #expect(TalonOne.targets.map(\.name) == Self.names)
        for name in Self.names {
            let t = try target(name)
            #expect(t.vendor == .talonone)
            #expect(TargetCatalog.names.filter { $0 == name }.count == 1, "\(name) once")
        }
        #expect(TargetCatalog.target(named: "talonone.customer_profile") == nil)
        #expect(Set(TargetCatalog.names).count == TargetCatalog.names.count, "every name once")
    }

    @Test(arguments: [
        ("talonone.customer_profiles", HTTPMethod.put, "/v2/customer_profiles/{customerProfileId}", "customerProfileId"),
        ("talonone.customer_sessions", .put, "/v2/customer_sessions/{customerSessionId}", "customerSessionId"),
        ("talonone.events", .post, "/v1/events", ""),
        ("talonone.coupon_reservations", .post, "/v1/coupon_reservations/{couponValue}", "couponValue"),
        ("talonone.referrals", .post, "/v1/referrals", ""),
        ("talonone.customer_data_deletion", .delete, "/v1/customer_data/{integrationId}", "integrationId"),
    ])
    func methodPathAndPathParameter(name: String, method: HTTPMethod, path: String, parameter: String) throws {
        let t = try target(name)
        #expect(t.endpoint.method == method)
        #expect(t.endpoint.path == path)
        #expect(t.endpoint.defaultBaseURL == nil, "each customer has its own deployment: --endpoint")
        #expect(t.endpoint.regions.isEmpty)
        if parameter.isEmpty {
            #expect(t.endpoint.pathParameters.isEmpty)
        } else {
            let parameters = t.endpoint.pathParameters
            #expect(parameters.count == 1)
            #expect(parameters.first?.name == parameter)
            #expect(parameters.first?.field == parameter, "the field has the document's name")
            #expect(parameters.first?.alsoInBody == false, "identifiers are not repeated in the body")
            let field = try field(t.schema, parameter)
            #expect(field.required)
            guard case .string = field.type else {
                Issue.record("\(parameter) is \(field.type.displayName)")
                return
            }
        }
    }

    @Test(arguments: names)
    func apiKeyV1FromTheEnvironmentOneRecordPerRequest(name: String) throws {
        let t = try target(name)
        #expect(t.auth.kind == .apiKeyV1)
        #expect(t.auth.environmentVariable == "TALONONE_API_KEY")
        #expect(t.auth.headerExample == "Authorization: ApiKey-v1 $TALONONE_API_KEY")
        #expect(t.limits.maxRecords == 1)
        #expect(t.limits.maxBytes == 1 << 20)
        #expect(t.limits.maxFields == nil)
        #expect(t.defaultTimestampFormat == .rfc3339)
        #expect(t.response == .talonOneIntegration)
        #expect(t.emptyArrays == .allow)
    }

    @Test func envelopesAndTheOneDestructiveTarget() throws {
        for name in Self.names {
            let t = try target(name)
            if name == "talonone.customer_data_deletion" {
                #expect(t.envelope == .none)
                #expect(t.destructive)
            } else {
                #expect(t.envelope == .single, "\(name): the record is the body")
                #expect(!t.destructive, "\(name)")
            }
        }
    }

    // MARK: Schemas

    @Test func customerProfilesSchema() throws {
        let t = try target("talonone.customer_profiles")
        #expect(t.schema.fields.map(\.name) == ["customerProfileId", "attributes", "audiencesChanges"])
        #expect(t.schema.requiredFields.map(\.name) == ["customerProfileId"])
        #expect(!t.schema.allowsOtherMembers)
        let attributes = try object(try field(t.schema, "attributes").type)
        #expect(attributes.allowsOtherMembers && attributes.fields.isEmpty)
        let changes = try object(try field(t.schema, "audiencesChanges").type)
        #expect(changes.fields.map(\.name) == ["adds", "deletes"])
        for name in ["adds", "deletes"] {
            guard case .array(.integer, nil) = try field(changes, name).type else {
                Issue.record("\(name) is not an array of integers")
                continue
            }
        }
    }

    @Test func customerSessionsSchemaNestsTheSessionAndItsCart() throws {
        let t = try target("talonone.customer_sessions")
        #expect(t.schema.fields.map(\.name) == ["customerSessionId", "customerSession"])
        #expect(t.schema.requiredFields.map(\.name) == ["customerSessionId", "customerSession"])
        let session = try object(try field(t.schema, "customerSession").type)
        #expect(session.fields.map(\.name)
                == ["profileId", "couponCodes", "referralCode", "state", "cartItems", "additionalCosts", "identifiers", "attributes"])
        #expect(session.requiredFields.isEmpty)
        #expect(!session.allowsOtherMembers)
        guard case .enumeration(let states) = try field(session, "state").type else {
            Issue.record("state is not an enumeration")
            return
        }
        #expect(states == ["open", "closed", "cancelled"])
        guard case .array(.object(let item), let maxItems) = try field(session, "cartItems").type else {
            Issue.record("cartItems is not an array of objects")
            return
        }
        #expect(maxItems == 1000)
        #expect(item.fields.map(\.name)
                == ["name", "sku", "quantity", "price", "category", "weight", "height", "width", "length", "attributes", "additionalCosts"])
        #expect(item.requiredFields.map(\.name) == ["sku", "quantity"])
        guard case .integer = try field(item, "quantity").type, case .number = try field(item, "price").type else {
            Issue.record("quantity must be an integer and price a number")
            return
        }
        for computed in ["position", "returnedQuantity", "remainingQuantity"] {
            #expect(item.field(named: computed) == nil, "\(computed) is computed by the vendor")
        }
        guard case .array(.string, nil) = try field(session, "couponCodes").type else {
            Issue.record("couponCodes is not an array of strings")
            return
        }
    }

    @Test func eventsSchema() throws {
        let t = try target("talonone.events")
        #expect(t.schema.fields.map(\.name) == ["profileId", "type", "attributes", "sessionId"])
        #expect(Set(t.schema.requiredFields.map(\.name)) == ["type", "sessionId"])
    }

    @Test func couponReservationsSchema() throws {
        let t = try target("talonone.coupon_reservations")
        #expect(t.schema.fields.map(\.name) == ["couponValue", "integrationIDs"])
        #expect(t.schema.requiredFields.map(\.name) == ["couponValue", "integrationIDs"])
        guard case .array(.string, nil) = try field(t.schema, "integrationIDs").type else {
            Issue.record("integrationIDs is not an array of strings")
            return
        }
    }

    @Test func referralsSchema() throws {
        let t = try target("talonone.referrals")
        #expect(t.schema.fields.map(\.name) == ["campaignId", "advocateProfileIntegrationId", "friendProfileIntegrationId",
                                               "startDate", "expiryDate", "usageLimit", "attributes"])
        #expect(t.schema.requiredFields.map(\.name) == ["campaignId", "advocateProfileIntegrationId"])
        guard case .integer = try field(t.schema, "campaignId").type, case .integer = try field(t.schema, "usageLimit").type else {
            Issue.record("campaignId and usageLimit are integers")
            return
        }
        for name in ["startDate", "expiryDate"] {
            guard case .timestamp(.rfc3339) = try field(t.schema, name).type else {
                Issue.record("\(name) is not an RFC 3339 timestamp")
                continue
            }
        }
    }

    @Test func customerDataDeletionSchemaIsTheIdentifierAlone() throws {
        let t = try target("talonone.customer_data_deletion")
        #expect(t.schema.fields.map(\.name) == ["integrationId"])
        #expect(!t.schema.allowsOtherMembers)
    }

    @Test func noFieldAcceptsNull() throws {
        func walk(_ schema: RecordSchema) {
            for field in schema.fields {
                #expect(!field.nullable, "\(field.name)")
                if case .object(let nested) = field.type { walk(nested) }
                if case .array(.object(let nested), _) = field.type { walk(nested) }
            }
        }
        for name in Self.names { walk(try target(name).schema) }
    }

    // MARK: Adjusters

    func adjust(_ name: String, _ json: String) throws -> [String] {
        let t = try target(name)
        guard case .object(let record) = try JSONParser.parse(json) else { throw CancellationError() }
        let adjuster = try #require(t.adjuster, "\(name) has no adjuster")
        return try adjuster.adjust(record).map { JSONWriter.serialize(.object($0)) as String }
    }

    func adjustmentError(_ name: String, _ json: String) throws -> AdjustmentError? {
        do {
            _ = try adjust(name, json)
            return nil
        } catch let error as AdjustmentError {
            return error
        }
    }

    @Test func audiencesChangesGetsBothListsOrIsLeftOut() throws {
        let name = "talonone.customer_profiles"
        #expect(try adjust(name, #"{"customerProfileId":"u1","audiencesChanges":{"adds":[1,2]}}"#)
                == [#"{"customerProfileId":"u1","audiencesChanges":{"adds":[1,2],"deletes":[]}}"#])
        #expect(try adjust(name, #"{"customerProfileId":"u1","audiencesChanges":{"deletes":[7]},"attributes":{"a":1}}"#)
                == [#"{"customerProfileId":"u1","audiencesChanges":{"adds":[],"deletes":[7]},"attributes":{"a":1}}"#])
        #expect(try adjust(name, #"{"customerProfileId":"u1","attributes":{},"audiencesChanges":{}}"#)
                == [#"{"customerProfileId":"u1","attributes":{}}"#])
        #expect(try adjust(name, #"{"customerProfileId":"u1","audiencesChanges":{"adds":[],"deletes":[]}}"#)
                == [#"{"customerProfileId":"u1"}"#])
        #expect(try adjust(name, #"{"customerProfileId":"u1"}"#) == [#"{"customerProfileId":"u1"}"#])
    }

    @Test func eventsAlwaysCarryAttributes() throws {
        let name = "talonone.events"
        #expect(try adjust(name, #"{"sessionId":"s1","type":"login"}"#) == [#"{"sessionId":"s1","type":"login","attributes":{}}"#])
        #expect(try adjust(name, #"{"sessionId":"s1","type":"login","attributes":{"a":1}}"#)
                == [#"{"sessionId":"s1","type":"login","attributes":{"a":1}}"#])
    }

    /// The cap is the schema's (the mapper enforces maxItems for each_row and JSON arrays alike).
    @Test func aSessionHoldsAtMost1000CartItems() throws {
        let target = try #require(TargetCatalog.target(named: "talonone.customer_sessions"))
        let session = try #require(target.schema.field(named: "customerSession"))
        guard case .object(let schema) = session.type, case .array(_, let maxItems)? = schema.field(named: "cartItems")?.type else {
            Issue.record("cartItems is not an array")
            return
        }
        #expect(maxItems == 1000)
    }

    @Test func additionalCostsMustBeNamedPrices() throws {
        let name = "talonone.customer_sessions"
        let good = #"{"customerSessionId":"s1","customerSession":{"additionalCosts":{"shipping":{"price":4.95}},"cartItems":[{"sku":"A","quantity":1,"additionalCosts":{"wrap":{"price":1}}}]}}"#
        #expect(try adjust(name, good) == [good])
        let bad: [(String, String)] = [
            (#"{"shipping":{"price":"4.95"}}"#, "customerSession.additionalCosts.shipping.price must be a number"),
            (#"{"shipping":{}}"#, "customerSession.additionalCosts.shipping needs a price"),
            (#"{"shipping":4.95}"#, "customerSession.additionalCosts.shipping must be an object"),
            (#"{"shipping":{"price":1,"tax":0.2}}"#, "may only hold price"),
        ]
        for (costs, message) in bad {
            let error = try #require(try adjustmentError(name, #"{"customerSessionId":"s1","customerSession":{"additionalCosts":"# + costs + "}}"))
            #expect(error.kind == "invalid_cost")
            #expect(error.message.contains(message), "\(error.message)")
        }
        let item = try #require(try adjustmentError(name, #"{"customerSessionId":"s1","customerSession":{"cartItems":[{"sku":"A","quantity":1},{"sku":"B","quantity":1,"additionalCosts":{"wrap":{"price":null}}}]}}"#))
        #expect(item.message.contains("customerSession.cartItems[1].additionalCosts.wrap.price"))
    }

    @Test func longReservationListsAreSplitPerThousandAndEmptyOnesRefused() throws {
        let name = "talonone.coupon_reservations"
        let ids = (1...2500).map { "\"u\($0)\"" }
        let parts = try adjust(name, #"{"couponValue":"C 1","integrationIDs":["# + ids.joined(separator: ",") + "]}")
        #expect(parts.count == 3)
        #expect(parts[0] == #"{"couponValue":"C 1","integrationIDs":["# + ids[0..<1000].joined(separator: ",") + "]}")
        #expect(parts[1] == #"{"couponValue":"C 1","integrationIDs":["# + ids[1000..<2000].joined(separator: ",") + "]}")
        #expect(parts[2] == #"{"couponValue":"C 1","integrationIDs":["# + ids[2000..<2500].joined(separator: ",") + "]}")
        #expect(try adjust(name, #"{"couponValue":"C","integrationIDs":["a"]}"#) == [#"{"couponValue":"C","integrationIDs":["a"]}"#])
        let error = try #require(try adjustmentError(name, #"{"couponValue":"C","integrationIDs":[]}"#))
        #expect(error.kind == "empty_array")
    }

    @Test func referralsAndDeletionsNeedNoAdjustment() throws {
        #expect(try target("talonone.referrals").adjuster == nil)
        #expect(try target("talonone.customer_data_deletion").adjuster == nil)
    }

    // MARK: Decisions

    @Test func decisionsExplainEachChoice() throws {
        for name in Self.names {
            let text = try target(name).decisions.joined(separator: "\n")
            #expect(text.contains("--endpoint"), "\(name)")
            #expect(text.contains("1 MiB"), "\(name)")
            #expect(text.contains("does not define them"), "\(name): the document names the models only")
            #expect(text.contains("409") && text.contains("404"), "\(name)")
            #expect(text.contains("RFC 3339"), "\(name)")
            let hasPath = !(try target(name)).endpoint.pathParameters.isEmpty
            #expect(text.contains("user%2F1%20x") == hasPath, "\(name)")
        }
        let profiles = try target("talonone.customer_profiles").decisions.joined(separator: "\n")
        #expect(profiles.contains("customerProfileId") && profiles.contains("NewCustomerProfile"))
        #expect(profiles.contains("audiencesChanges") && profiles.contains("[]"))
        let sessions = try target("talonone.customer_sessions").decisions.joined(separator: "\n")
        #expect(sessions.contains("IntegrationRequest") && sessions.contains("{\"customerSession\": {...}}"))
        #expect(sessions.contains("partially_returned is refused"))
        #expect(sessions.contains("At most 1000 cart items"))
        #expect(sessions.contains("invalid_cost"))
        let events = try target("talonone.events").decisions.joined(separator: "\n")
        #expect(events.contains("sends {}"))
        let reservations = try target("talonone.coupon_reservations").decisions.joined(separator: "\n")
        #expect(reservations.contains("1000 integration IDs per request") && reservations.contains("several requests"))
        #expect(reservations.contains("empty_array"))
        let deletion = try target("talonone.customer_data_deletion").decisions.joined(separator: "\n")
        #expect(deletion.contains("Destructive") && deletion.contains("--yes"))
        #expect(deletion.contains("no body"))
    }

    // MARK: Responses

    func verdict(_ status: Int, _ body: String = "", retryAfter: Double? = nil) throws -> ResponseVerdict {
        try target("talonone.events").response.verdict(status: status, body: Array(body.utf8), retryAfter: retryAfter)
    }

    @Test func any2xxIsAccepted() throws {
        #expect(try verdict(200, #"{"customerSession":{},"effects":[]}"#) == .accepted)
        #expect(try verdict(201, #"{"code":"REF-1"}"#) == .accepted)
        #expect(try verdict(204) == .accepted, "deletion answers with an empty body")
        #expect(try verdict(200, "not json") == .accepted, "the body is not examined")
    }

    @Test(arguments: [401, 403])
    func credentialsStopTheRun(_ status: Int) throws {
        guard case .authenticationFailed(let reason) = try verdict(status, #"{"message":"invalid api key"}"#) else {
            Issue.record("expected authenticationFailed for \(status)")
            return
        }
        #expect(reason.contains("\(status)"))
    }

    @Test(arguments: [400, 413, 422, 409])
    func contentErrorsAndConflictsRejectTheRecord(_ status: Int) throws {
        let body = #"{"message":"Session belongs to another profile","errors":[{"title":"conflict"}]}"#
        #expect(try verdict(status, body) == .rejected(reason: "HTTP \(status): Session belongs to another profile"))
        guard case .rejected = try verdict(status, "") else {
            Issue.record("\(status) without a body is still a rejection")
            return
        }
    }

    @Test func aTalonOne404RejectsTheRecordAProxy404StopsTheRun() throws {
        #expect(try verdict(404, #"{"message":"Customer profile not found"}"#)
                == .rejected(reason: "HTTP 404: Customer profile not found"))
        #expect(try verdict(404, #"{"errors":[{"title":"not found"}]}"#) == .rejected(reason: "HTTP 404"))
        #expect(try verdict(404, "<html>404 Not Found</html>") == .fatal(reason: "HTTP 404"))
        #expect(try verdict(404) == .fatal(reason: "HTTP 404"))
        #expect(try verdict(404, #"{"detail":"no route"}"#) == .fatal(reason: "HTTP 404: no route"))
        #expect(try verdict(405) == .fatal(reason: "HTTP 405"))
    }

    @Test(arguments: [408, 425, 429, 500, 502, 503])
    func throttlingAndServerErrorsAreRetried(_ status: Int) throws {
        guard case .retry(let reason, let after) = try verdict(status, "", retryAfter: 7) else {
            Issue.record("expected retry for \(status)")
            return
        }
        #expect(reason.contains("\(status)"))
        #expect(after == 7)
    }

    @Test func otherRulesKeep404And409AsBefore() {
        #expect(ResponseRule.httpStatus.verdict(status: 409, body: [], retryAfter: nil) == .fatal(reason: "HTTP 409"))
        #expect(ResponseRule.httpStatus.verdict(status: 404, body: Array(#"{"message":"x"}"#.utf8), retryAfter: nil)
                == .fatal(reason: "HTTP 404: x"))
    }

    // MARK: ferry targets

    @Test func fullDescriptionShowsPathParametersAuthAndDestructiveFlag() throws {
        for name in Self.names {
            let t = try target(name)
            let text = TargetDescription.full(t)
            #expect(text.contains("\(t.endpoint.method.rawValue) (your deployment's URL: --endpoint)\(t.endpoint.path)"))
            #expect(text.contains("Authorization: ApiKey-v1 $TALONONE_API_KEY"))
            #expect(text.contains("1 record and 1048576 bytes per request"))
            for parameter in t.endpoint.pathParameters {
                #expect(text.contains("path param  {\(parameter.name)} from field \(parameter.field)\n"))
            }
            #expect(text.contains("DESTRUCTIVE: ferry sends nothing without --yes") == (name == "talonone.customer_data_deletion"))
            for decision in t.decisions { #expect(text.contains(decision)) }
        }
        let sessions = TargetDescription.full(try target("talonone.customer_sessions"))
        #expect(sessions.contains("one of open | closed | cancelled"))
        #expect(sessions.contains("array of object, at most 1000"))
        let list = TargetDescription.list(TargetCatalog.all)
        #expect(list.contains("DELETE /v1/customer_data/{integrationId}"))
    }

    // MARK: Shipped mappings

    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: names)
    func shippedMappingLoads(_ name: String) throws {
        let object = String(name.dropFirst("talonone.".count))
        let path = Self.repoRoot.appendingPathComponent("mappings/talonone/\(object).yaml").path
        do throws(MappingError) {
            let loaded = try MappingLoader.load(path: path, environment: [:])
            #expect(loaded.target.name == name)
        } catch {
            Issue.record("\(object).yaml does not load:\n\(error)")
        }
    }
}

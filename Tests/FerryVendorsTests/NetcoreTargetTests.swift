import Foundation
import Testing
import FerryCore
import FerryMapping
@testable import FerryVendors

/// The Netcore target, as the vendor document (vendor-docs/netcore-activity-api.txt) defines it
/// and as ferry resolves the document's contradictions and omissions.
@Suite struct NetcoreTargetTests {
    func target() throws -> Target {
        try #require(TargetCatalog.target(named: "netcore.activities"), "netcore.activities is not in the catalog")
    }

    @Test func catalogListsTheOneNetcoreTarget() throws {
        #expect(TargetCatalog.names.filter { $0.hasPrefix("netcore.") } == ["netcore.activities"])
        #expect(TargetCatalog.target(named: "netcore.activity") == nil)
        #expect(TargetCatalog.target(named: "Netcore.Activities") == nil, "names are exact")
        #expect(try target().vendor == .netcore)
        #expect(Netcore.targets.map(\.name) == ["netcore.activities"])
        #expect(Set(TargetCatalog.names).count == TargetCatalog.names.count, "every name once")
    }

    @Test func endpointHasThreeRegionsAndNoDefault() throws {
        let t = try target()
        #expect(t.endpoint.method == .post)
        #expect(t.endpoint.path == "/v1/activity/upload")
        #expect(t.endpoint.defaultBaseURL == nil, "the user must pick a region")
        #expect(t.endpoint.regions == [
            Region("us", baseURL: "https://api2.netcoresmartech.com"),
            Region("in", baseURL: "https://apiin2.netcoresmartech.com"),
            Region("eu", baseURL: "https://apieu2.netcoresmartech.com"),
        ])
        #expect(t.endpoint.pathParameters.isEmpty)
        #expect(t.endpoint.contentType == "application/json")
        for region in t.endpoint.regions {
            #expect(region.baseURL.hasPrefix("https://"))
            #expect(!region.baseURL.hasSuffix("/"))
        }
    }

    @Test func bearerKeyFromTheEnvironment() throws {
        let t = try target()
        #expect(t.auth.kind == .bearer)
        #expect(t.auth.environmentVariable == "NETCORE_API_KEY")
        #expect(t.auth.headerExample == "Authorization: Bearer $NETCORE_API_KEY")
        #expect(!t.destructive)
    }

    @Test func aJSONArrayOfUpTo1000ActivitiesAndFourMiB() throws {
        let t = try target()
        #expect(t.envelope == .array)
        #expect(t.limits.maxRecords == 1000)
        #expect(t.limits.maxBytes == 4 * 1024 * 1024)
        #expect(t.defaultTimestampFormat == .rfc3339)
        #expect(t.emptyArrays == .reject)
    }

    // MARK: Schema

    @Test func requiredFieldsFollowTheParameterTable() throws {
        let t = try target()
        #expect(Set(t.schema.requiredFields.map(\.name))
                == ["activity_name", "asset_id", "timestamp", "activity_source", "activity_params"])
        #expect(t.schema.fields.map(\.name)
                == ["activity_name", "asset_id", "timestamp", "identity", "annonid", "activity_source", "activity_params"])
        #expect(!t.schema.allowsOtherMembers)
        #expect(t.schema.fields.allSatisfy { !$0.nullable })
        // identity is not required on its own: either it or annonid is.
        #expect(try #require(t.schema.field(named: "identity")).required == false)
        #expect(try #require(t.schema.field(named: "annonid")).required == false)
        #expect(t.schema.atLeastOneOf == [["identity", "annonid"]])
    }

    @Test func fieldTypes() throws {
        let t = try target()
        for name in ["activity_name", "asset_id", "identity", "annonid"] {
            let field = try #require(t.schema.field(named: name))
            guard case .string(let maxLength) = field.type else {
                Issue.record("\(name) is \(field.type.displayName), not a string")
                continue
            }
            #expect(maxLength == nil)
        }
        let time = try #require(t.schema.field(named: "timestamp"))
        guard case .timestamp(let format) = time.type else {
            Issue.record("timestamp is \(time.type.displayName)")
            return
        }
        #expect(format == .rfc3339)

        let source = try #require(t.schema.field(named: "activity_source"))
        guard case .enumeration(let values) = source.type else {
            Issue.record("activity_source is \(source.type.displayName)")
            return
        }
        #expect(values == ["web", "app"])

        let params = try #require(t.schema.field(named: "activity_params"))
        guard case .object(let bag) = params.type else {
            Issue.record("activity_params is \(params.type.displayName)")
            return
        }
        #expect(bag.fields.isEmpty)
        #expect(bag.allowsOtherMembers)
    }

    // MARK: Decisions

    func decisions() throws -> String {
        try target().decisions.joined(separator: "\n")
    }

    @Test func decisionsExplainEachChoice() throws {
        let text = try decisions()
        // Regions, no default.
        for url in ["https://api2.netcoresmartech.com", "https://apiin2.netcoresmartech.com", "https://apieu2.netcoresmartech.com"] {
            #expect(text.contains(url))
        }
        #expect(text.contains("--region"))
        // asset_id required although the bulk sample leaves it out.
        #expect(text.contains("asset_id is required"))
        #expect(text.contains("bulk sample"))
        // identity or annonid.
        #expect(text.contains("identity") && text.contains("annonid"))
        #expect(text.contains("mandatory when identity is not passed"))
        // identity as text although String/Integer.
        #expect(text.contains("String/Integer"))
        // Timestamps: offset kept, else Z; the samples' offset-less form never sent.
        #expect(text.contains("+05:30"))
        #expect(text.contains("2020-04-28T16:47:37"))
        #expect(text.contains("RFC 3339"))
        // Empty arrays refused loudly.
        #expect(text.contains("Do Not Pass an Empty Array"))
        #expect(text.contains("empty_array"))
        // The malformed samples.
        #expect(text.contains("not valid JSON"))
        #expect(text.contains("Purchase") && text.contains("CUSTOMER_ID") && text.contains("unbalanced braces"))
        // Mixed number types in the bulk sample.
        #expect(text.contains("2 in one activity and \"2\""))
        // Limits.
        #expect(text.contains("1000"))
        #expect(text.contains("--batch-size 1"))
        #expect(text.contains("4 MiB"))
        #expect(text.contains("no size limit"))
        // Success body, empty body.
        #expect(text.contains("{\"status\": \"success\"}"))
        #expect(text.contains("empty body"))
    }

    // MARK: Responses

    func verdict(_ status: Int, _ body: String, retryAfter: Double? = nil) throws -> ResponseVerdict {
        try target().response.verdict(status: status, body: Array(body.utf8), retryAfter: retryAfter)
    }

    @Test func successBodyIsAccepted() throws {
        #expect(try verdict(200, #"{"status":"success"}"#) == .accepted)
        // As pretty-printed in the document.
        #expect(try verdict(200, "{\n\"status\": \"success\"\n}") == .accepted)
        #expect(try verdict(202, #"{"status":"Success","message":"queued"}"#) == .accepted)
    }

    @Test func anEmpty2xxBodyIsAccepted() throws {
        #expect(try verdict(200, "") == .accepted)
        #expect(try verdict(204, "") == .accepted)
        #expect(try verdict(200, " \r\n") == .accepted)
    }

    @Test func another2xxStatusIsAFailure() throws {
        guard case .rejected(let reason) = try verdict(200, #"{"status":"fail","message":"Missing Parameter - Activity Name"}"#) else {
            Issue.record("expected rejected")
            return
        }
        #expect(reason.contains("Missing Parameter - Activity Name"))
        guard case .authenticationFailed = try verdict(200, #"{"status":"error","message":"Invalid API Key"}"#) else {
            Issue.record("expected authenticationFailed for an invalid key reported with HTTP 200")
            return
        }
        guard case .authenticationFailed = try verdict(200, #"{"status":"failure","message":"wrong api-key"}"#) else {
            Issue.record("expected authenticationFailed for a wrong api-key")
            return
        }
        // A content error that merely names a key is not about credentials.
        guard case .rejected = try verdict(200, #"{"status":"failure","message":"activity_params key items is invalid"}"#) else {
            Issue.record("expected rejected for a content error")
            return
        }
    }

    @Test(arguments: ["not json", #"["success"]"#, #"{"message":"ok"}"#, #"{"status":true}"#, #"{"status":"success""#])
    func unknown2xxBodiesAreRetried(_ body: String) throws {
        guard case .retry = try verdict(200, body) else {
            Issue.record("expected retry for \(body.debugDescription), got \(try verdict(200, body))")
            return
        }
    }

    @Test func unauthorisedIsAnAuthenticationFailure() throws {
        guard case .authenticationFailed(let reason) = try verdict(401, #"{"message":"Invalid API Key"}"#) else {
            Issue.record("expected authenticationFailed for 401")
            return
        }
        #expect(reason.contains("401"))
        #expect(reason.contains("Invalid API Key"))
    }

    @Test func badRequestIsARejectionOfTheContent() throws {
        guard case .rejected(let reason) = try verdict(400, #"{"message":"Missing Parameter - Activity Name"}"#) else {
            Issue.record("expected rejected for 400")
            return
        }
        #expect(reason.contains("400"))
        #expect(reason.contains("Activity Name"))
    }

    @Test func methodNotAllowedIsFatal() throws {
        #expect(try verdict(405, "") == .fatal(reason: "HTTP 405"))
    }

    @Test(arguments: [408, 429, 500, 502, 503])
    func timeoutsAndServerErrorsAreRetried(_ status: Int) throws {
        guard case .retry(let reason, let after) = try verdict(status, "Internal Server Error", retryAfter: 3) else {
            Issue.record("expected retry for \(status)")
            return
        }
        #expect(reason.contains("\(status)"))
        #expect(after == 3)
        // A success-looking body does not make an error status a success.
        #expect(try verdict(status, #"{"status":"success"}"#) != .accepted)
    }

    // MARK: ferry targets netcore.activities

    @Test func fullDescriptionShowsTheRegionsAndEveryChoice() throws {
        let t = try target()
        let text = TargetDescription.full(t)
        #expect(text.contains("POST {region}/v1/activity/upload"))
        #expect(text.contains("us: https://api2.netcoresmartech.com/v1/activity/upload"))
        #expect(text.contains("in: https://apiin2.netcoresmartech.com/v1/activity/upload"))
        #expect(text.contains("eu: https://apieu2.netcoresmartech.com/v1/activity/upload"))
        #expect(!text.contains("(your deployment's URL"))
        #expect(text.contains("Authorization: Bearer $NETCORE_API_KEY"))
        #expect(text.contains("[record, ...]"))
        #expect(text.contains("1000 records and 4194304 bytes"))
        #expect(text.contains("at least one of identity, annonid"))
        #expect(text.contains("never sent empty"))
        #expect(text.contains("one of web | app"))
        for decision in t.decisions {
            #expect(text.contains(decision), "decision missing from the description: \(decision)")
        }
        let list = TargetDescription.list(TargetCatalog.all)
        #expect(list.split(separator: "\n").contains { $0.contains("netcore.activities ") && $0.contains("POST /v1/activity/upload") })
    }

    // MARK: Shipped mappings

    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["activities.yaml", "purchases.yaml"])
    func shippedMappingLoads(_ file: String) throws {
        let path = Self.repoRoot.appendingPathComponent("mappings/netcore/\(file)").path
        do throws(MappingError) {
            let loaded = try MappingLoader.load(path: path, environment: [:])
            #expect(loaded.target.name == "netcore.activities")
        } catch {
            Issue.record("\(file) does not load:\n\(error)")
        }
    }
}

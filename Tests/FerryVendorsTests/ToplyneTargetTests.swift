import Testing
import FerryCore
import FerryMapping
@testable import FerryVendors

/// The four Toplyne targets, as the vendor document (vendor-docs/toplyne-upload-api.txt)
/// defines them and as ferry resolves the document's contradictions.
@Suite struct ToplyneTargetTests {
    struct Expected: Sendable, CustomStringConvertible {
        var name: String
        var path: String
        var key: String
        var maxRecords: Int
        var identifier: String
        var timeField: String
        var description: String { name }
    }

    static let expected: [Expected] = [
        Expected(name: "toplyne.account_events", path: "/v1/upload/accounts/events", key: "events",
                 maxRecords: 500, identifier: "accountId", timeField: "timestamp"),
        Expected(name: "toplyne.account_profiles", path: "/v1/upload/accounts/profiles", key: "accounts",
                 maxRecords: 100, identifier: "accountId", timeField: "creationTime"),
        Expected(name: "toplyne.user_events", path: "/v1/upload/users/events", key: "events",
                 maxRecords: 500, identifier: "userId", timeField: "timestamp"),
        Expected(name: "toplyne.user_profiles", path: "/v1/upload/users/profiles", key: "profiles",
                 maxRecords: 100, identifier: "userId", timeField: "creationTime"),
    ]

    func target(_ name: String) throws -> Target {
        try #require(TargetCatalog.target(named: name), "\(name) is not in the catalog")
    }

    @Test func catalogListsTheFourToplyneTargets() {
        let names = TargetCatalog.names.filter { $0.hasPrefix("toplyne.") }
        #expect(Set(names) == Set(Self.expected.map(\.name)))
        #expect(names.count == 4, "each Toplyne target is listed once")
        #expect(TargetCatalog.target(named: "toplyne.nothing") == nil)
        #expect(TargetCatalog.target(named: "Toplyne.User_Events") == nil, "names are exact")
    }

    @Test(arguments: expected)
    func endpointMethodAndAuth(_ e: Expected) throws {
        let t = try target(e.name)
        #expect(t.vendor == .toplyne)
        #expect(t.endpoint.method == .post)
        #expect(t.endpoint.defaultBaseURL == "https://api.toplyne.io")
        #expect(t.endpoint.path == e.path)
        #expect(t.endpoint.pathParameters.isEmpty)
        #expect(t.endpoint.contentType.lowercased().hasPrefix("application/json"))
        #expect(t.auth.kind == .bearer)
        #expect(t.auth.environmentVariable == "TOPLYNE_API_TOKEN")
        #expect(t.auth.headerExample == "Authorization: Bearer $TOPLYNE_API_TOKEN")
        #expect(!t.destructive)
    }

    @Test(arguments: expected)
    func envelopeAndLimits(_ e: Expected) throws {
        let t = try target(e.name)
        #expect(t.envelope == .objectArray(key: e.key))
        #expect(t.limits.maxRecords == e.maxRecords)
        #expect(t.limits.maxBytes == 1_048_576)
        #expect(t.defaultTimestampFormat == .epochSeconds)
    }

    @Test func eventTargetsBothUseEventsAndProfilesDiffer() throws {
        #expect(try target("toplyne.account_events").envelope == .objectArray(key: "events"))
        #expect(try target("toplyne.user_events").envelope == .objectArray(key: "events"))
        #expect(try target("toplyne.account_profiles").envelope == .objectArray(key: "accounts"))
        #expect(try target("toplyne.user_profiles").envelope == .objectArray(key: "profiles"))
    }

    @Test(arguments: expected)
    func requiredFieldsAndEpochSecondTimes(_ e: Expected) throws {
        let t = try target(e.name)
        let required = Set(t.schema.requiredFields.map(\.name))
        var want: Set<String> = [e.identifier, e.timeField]
        if e.name.hasSuffix("_events") { want.insert("eventName") }
        #expect(required == want)

        let time = try #require(t.schema.field(named: e.timeField))
        guard case .timestamp(let format) = time.type else {
            Issue.record("\(e.timeField) is \(time.type.displayName), not a timestamp")
            return
        }
        #expect(format == .epochSeconds)
        #expect(time.required)
        #expect(!time.nullable)

        // The sample's `timeStamp` and the table's `usertId` are not fields ferry sends.
        #expect(t.schema.field(named: "timeStamp") == nil)
        #expect(t.schema.field(named: "usertId") == nil)
        if e.name.hasSuffix("_events") {
            let name = try #require(t.schema.field(named: "eventName"))
            guard case .string = name.type else {
                Issue.record("eventName is \(name.type.displayName)")
                return
            }
            let props = try #require(t.schema.field(named: "eventProperties"))
            #expect(!props.required)
            #expect(props.type.isObject)
        }
        let id = try #require(t.schema.field(named: e.identifier))
        guard case .string = id.type else {
            Issue.record("\(e.identifier) is \(id.type.displayName)")
            return
        }
    }

    // MARK: Decisions about the document's contradictions

    func decisions(_ name: String) throws -> String {
        try target(name).decisions.joined(separator: "\n")
    }

    @Test(arguments: ["toplyne.account_events", "toplyne.user_events"])
    func decisionsExplainTimestampVersusTimeStamp(_ name: String) throws {
        let text = try decisions(name)
        #expect(text.contains("`timestamp`") || text.contains("timestamp"))
        #expect(text.contains("timeStamp"), "the sample's timeStamp spelling is mentioned")
    }

    @Test func decisionsExplainAccountsVersusProfiles() throws {
        let text = try decisions("toplyne.account_profiles")
        #expect(text.contains("accounts"))
        #expect(text.contains("profiles"))
    }

    @Test func decisionsExplainUsertIdTypo() throws {
        let text = try decisions("toplyne.user_events")
        #expect(text.contains("usertId"))
        #expect(text.contains("userId"))
    }

    @Test func decisionsExplainTheUnstatedUserEventsLimit() throws {
        let text = try decisions("toplyne.user_events")
        #expect(text.contains("500"))
        #expect(text.lowercased().contains("no limit") || text.lowercased().contains("not stated")
                || text.lowercased().contains("silent"))
    }

    @Test(arguments: expected)
    func decisionsExplainStatusFailureWithHTTP200(_ e: Expected) throws {
        let text = try decisions(e.name)
        #expect(text.contains("200"))
        #expect(text.contains("\"status\": \"failure\""))
        #expect(text.contains("\"status\": \"success\""))
        #expect(text.contains("1 MiB"), "the unstated size limit is explained")
    }

    @Test(arguments: expected)
    func responseRuleJudgesTheBody(_ e: Expected) throws {
        let t = try target(e.name)
        guard case .toplyneStatusBody = t.response else {
            Issue.record("\(e.name) does not judge the body's status")
            return
        }
        // HTTP 200 alone is not success.
        let failure = Array(#"{"MsgCode":400,"Msg":"Authentication Failure","status":"failure"}"#.utf8)
        #expect(t.response.verdict(status: 200, body: failure, retryAfter: nil) != .accepted)
    }

    // MARK: ferry targets NAME

    @Test(arguments: expected)
    func fullDescription(_ e: Expected) throws {
        let t = try target(e.name)
        let text = TargetDescription.full(t)
        #expect(text.contains("POST https://api.toplyne.io\(e.path)"))
        #expect(text.contains("Authorization: Bearer $TOPLYNE_API_TOKEN"))
        #expect(text.contains("$TOPLYNE_API_TOKEN"))
        #expect(text.contains("{\"\(e.key)\": [record, ...]}"))
        #expect(text.contains("\(e.maxRecords) records and 1048576 bytes"))
        #expect(text.contains(e.identifier))
        #expect(text.contains(e.timeField))
        for decision in t.decisions {
            #expect(text.contains(decision), "decision missing from the description: \(decision)")
        }
        // Never a secret: every Bearer is followed by the variable's name, never a value,
        // and the document's placeholder token is not echoed.
        var rest = Substring(text)
        var bearers = 0
        while let range = rest.range(of: "Bearer ") {
            bearers += 1
            #expect(rest[range.upperBound...].hasPrefix("$TOPLYNE_API_TOKEN"))
            rest = rest[range.upperBound...]
        }
        #expect(bearers >= 1)
        #expect(!text.contains("ToplyneAPIToken"))
    }

    @Test func fullDescriptionDoesNotReadTheEnvironment() throws {
        // The description is built from the target alone: the same text whatever the environment holds.
        let t = try target("toplyne.user_events")
        let first = TargetDescription.full(t)
        #expect(first == TargetDescription.full(t))
        #expect(!first.contains("(your deployment's URL"), "Toplyne has a default base URL")
    }

    @Test func listShowsEveryTargetWithMethodAndPath() {
        let text = TargetDescription.list(TargetCatalog.all)
        for e in Self.expected {
            let line = text.split(separator: "\n").first { $0.contains(e.name + " ") }
            #expect(line?.contains("POST \(e.path)") == true, "no list line for \(e.name)")
        }
    }
}

import Foundation
import Testing
import FerryCore
import FerryVendors
@testable import FerrySandbox

@Suite struct ControlAndLedgerTests {
    static let body = FaultInjectionTests.event

    @Test func controlEndpointsShowLedgerCountsAndDuplicates() async throws {
        let events = try target("toplyne.user_events")
        try await withSandbox { server in
            for _ in 0..<2 { #expect(try await SandboxHTTP.send(events, on: server, body: Self.body).status == 200) }
            let ledger = try await SandboxHTTP.json(server.baseURL + "/_sandbox/ledger/toplyne.user_events")
            #expect(ledger.value(atPath: "count") == .int(4))
            guard case .array(let entries)? = ledger.value(atPath: "entries") else {
                Issue.record("no entries")
                return
            }
            #expect(entries.map { $0.value(atPath: "sequence") } == [.int(1), .int(1), .int(2), .int(2)])
            #expect(entries.first?.value(atPath: "record") == (try JSONParser.parse(#"{"userId":"u1","eventName":"login","timestamp":1700000000}"#)))
            let counts = try await SandboxHTTP.json(server.baseURL + "/_sandbox/counts")
            #expect(counts.value(atPath: "requests") == .int(2))
            #expect(numbers(counts.value(atPath: "records")) == [events.name: 4])
            let duplicates = try await SandboxHTTP.json(server.baseURL + "/_sandbox/duplicates")
            guard case .object(let byTarget) = duplicates, case .array(let twice)? = byTarget[events.name] else {
                Issue.record("no duplicates: \(duplicates)")
                return
            }
            #expect(twice.count == 2)
            #expect(twice.first?.value(atPath: "sequences") == .array([.int(1), .int(2)]))
            let unknown = try await SandboxHTTP.send("GET", server.baseURL + "/_sandbox/ledger/toplyne.nothing")
            #expect(unknown.status == 404)
            let reset = try await SandboxHTTP.send("POST", server.baseURL + "/_sandbox/reset")
            #expect(reset.status == 200)
            #expect(await server.ledger.counts.isEmpty)
            #expect(await server.requestCount == 0)
            #expect(try await SandboxHTTP.send(events, on: server, body: Self.body).status == 200)
            #expect(await server.ledger.entries(for: events.name).map(\.sequence) == [1, 1])
        }
    }

    @Test func duplicatesCompareCanonicalJSON() async throws {
        let ledger = try SandboxLedger()
        let a = try JSONParser.parse(#"{"a":1,"b":{"x":true,"y":[1,2]}}"#)
        let sameReordered = try JSONParser.parse(#"{"b":{"y":[1,2],"x":true},"a":1}"#)
        let different = try JSONParser.parse(#"{"a":1,"b":{"x":true,"y":[2,1]}}"#)
        await ledger.append(target: "t", sequence: 1, records: [a, different], fault: nil)
        await ledger.append(target: "t", sequence: 5, records: [sameReordered], fault: .lost)
        let duplicates = await ledger.duplicates(for: "t")
        #expect(duplicates.map(\.sequences) == [[1, 5]])
        #expect(duplicates.first?.record == a)
        #expect(await ledger.lostCounts == ["t": 1])
        await ledger.reset()
        #expect(await ledger.records(for: "t").isEmpty)
    }

    @Test func ledgerFileGetsOneLinePerAcceptedRecord() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-sandbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("ledger.ndjson").path
        let events = try target("toplyne.user_events")
        let deletion = try target("talonone.customer_data_deletion")
        try await withSandbox(SandboxConfiguration(ledgerFile: file)) { (server: SandboxServer) async throws in
            #expect(try await SandboxHTTP.send(events, on: server, body: Self.body).status == 200)
            #expect(try await SandboxHTTP.send(events, on: server, body: bytes("{}")).status == 400)
            #expect(try await SandboxHTTP.send(deletion, on: server, path: "/v1/customer_data/a%20b", body: nil).status == 204)
            _ = try? await SandboxHTTP.send(events, on: server, body: Self.body, extraHeaders: [("X-Sandbox-Fault", "lost")])
        }
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(lines.count == 5)
        #expect(lines.map { $0.value(atPath: "target") } == [.string(events.name), .string(events.name), .string(deletion.name),
                                                              .string(events.name), .string(events.name)])
        #expect(lines.map { $0.value(atPath: "sequence") } == [.int(1), .int(1), .int(3), .int(4), .int(4)])
        #expect(lines[2].value(atPath: "record") == (try JSONParser.parse(#"{"path":"/v1/customer_data/a%20b","parameters":{"integrationId":"a b"}}"#)))
        #expect(lines[3].value(atPath: "fault") == .string("lost"))
        #expect(lines[0].value(atPath: "fault") == nil)
    }

    @Test func credentialsCoverEveryTargetsVariable() {
        let environment = SandboxCredentials.environment
        for target in TargetCatalog.all {
            #expect(environment[target.auth.environmentVariable] == SandboxCredentials.secret(for: target), "\(target.name)")
        }
        for name in ["TOPLYNE_API_TOKEN", "PYZE_API_TOKEN", "PYZE_APP_KEY", "TALONONE_API_KEY", "TALONONE_MANAGEMENT_TOKEN",
                     "TALONONE_MANAGEMENT_KEY", "TALONONE_EMAIL", "TALONONE_PASSWORD", "NETCORE_API_KEY"] {
            #expect(environment[name]?.isEmpty == false, "\(name)")
        }
    }

    @Test func baseURLsPutTheVendorPrefixBeforeTheDocumentedPath() async throws {
        try await withSandbox { server in
            #expect(server.port > 0)
            #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
            #expect(server.baseURL(for: Toplyne.userEvents) == server.baseURL + "/toplyne")
            #expect(server.baseURL(for: Pyze.events) == server.baseURL + "/pyze")
            #expect(server.baseURL(for: try target("talonone.coupons_import")) == server.baseURL + "/talonone")
            #expect(server.baseURL(for: Netcore.activities) == server.baseURL + "/netcore/us")
            #expect(server.baseURL(for: Netcore.activities, region: "eu") == server.baseURL + "/netcore/eu")
            let notThere = try await SandboxHTTP.send("POST", server.baseURL + "/netcore/v1/activity/upload")
            #expect(notThere.status == 404)
        }
    }

    @Test func aTakenPortIsAClearError() async throws {
        try await withSandbox { server in
            await #expect {
                _ = try await SandboxServer.start(SandboxConfiguration(port: server.port))
            } throws: { error in
                "\(error)".contains("cannot listen on 127.0.0.1:\(server.port)")
            }
        }
    }
}

@Suite struct ServerLifecycleTests {
    @Test func waitRunsUntilCancelledThenTheServerIsGone() async throws {
        let server = try await SandboxServer.start()
        let url = server.baseURL + "/_sandbox/counts"
        #expect(try await SandboxHTTP.send("GET", url).status == 200)
        let running = Task { await server.wait() }
        running.cancel()
        await running.value
        await #expect(throws: (any Error).self) { _ = try await SandboxHTTP.send("GET", url, timeout: .seconds(2)) }
    }

    @Test func manyServersRunSideBySide() async throws {
        var servers: [SandboxServer] = []
        for _ in 0..<5 { servers.append(try await SandboxServer.start()) }
        #expect(Set(servers.map(\.port)).count == 5)
        for server in servers {
            #expect(try await SandboxHTTP.send(Toplyne.userEvents, on: server, body: FaultInjectionTests.event).status == 200)
            #expect(await server.ledger.counts == [Toplyne.userEvents.name: 2])
        }
        for server in servers { await server.stop() }
    }
}

@Suite struct CountingLedgerTests {
    /// `keepsRecords: false` (what `ferry load --sandbox` uses): counts, no records, constant memory.
    @Test func aCountingLedgerKeepsCountsOnly() async throws {
        let ledger = try SandboxLedger(keepsRecords: false)
        await ledger.append(target: "toplyne.user_events", sequence: 1, records: [.int(1), .int(2)], fault: nil)
        await ledger.append(target: "toplyne.user_events", sequence: 2, records: [.int(2)], fault: .lost)
        #expect(await ledger.counts == ["toplyne.user_events": 3])
        #expect(await ledger.lostCounts == ["toplyne.user_events": 1])
        #expect(await ledger.records(for: "toplyne.user_events").isEmpty)
        #expect(await ledger.targets == ["toplyne.user_events"])
        await ledger.reset()
        #expect(await ledger.counts.isEmpty)
    }
}

import Foundation
import Testing
import FerryCore
import FerrySandbox
import FerryVendors

/// `ferry load`, the real CLI, against the real sandbox on loopback.
@Suite struct LoadEndToEndTests {
    let directory: URL

    init() throws {
        directory = try makeTestDirectory("ferry-load-e2e")
    }

    func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static let mapping = "mappings/toplyne/user_events.yaml"

    /// Every shipped pair: the ledger after `load` equals the ledger after replaying what
    /// `convert` writes, record for record (Pyze's send-time `sentAt` aside). Requests are sent
    /// concurrently, so records are compared per resource: the requests naming one path must
    /// arrive in input order; with one request, the whole order must match.
    @Test(arguments: ShippedPairs.all().map { "\($0.mapping) \($0.sample)" })
    func everyShippedPairLoadsExactlyWhatConvertWrites(pair: String) async throws {
        let parts = pair.split(separator: " ").map(String.init)
        let targetName = try #require(try String(contentsOfFile: CLIRunner.repoRoot.appendingPathComponent(parts[0]).path, encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("target:") }?.dropFirst(7).trimmingCharacters(in: .whitespaces))
        let target = try #require(TargetCatalog.target(named: targetName))
        let loaded = try await SandboxServer.start()
        let replayed = try await SandboxServer.start()
        let out = file("convert-\(UUID().uuidString)")
        let report = file("report-\(UUID().uuidString).json")
        let yes = target.destructive ? ["--yes"] : []
        let load = try await SandboxHarness.run(["load", "-m", parts[0], parts[1], "--endpoint", loaded.baseURL(for: target),
                                                 "--report", report.path] + yes)
        let convert = try await SandboxHarness.run(["convert", "-m", parts[0], parts[1], "-o", out.path])
        #expect(load.status == 0, "load: \(load.stderr)")
        #expect(convert.status == 0, "convert: \(convert.stderr)")
        try await SandboxHarness.replay(convertOutput: out, target: target, into: replayed)
        let sent = await SandboxHarness.records(loaded, targetName)
        let expected = await SandboxHarness.records(replayed, targetName)
        #expect(!expected.isEmpty)
        #expect(Self.byResource(sent) == Self.byResource(expected))
        let requests = try String(contentsOf: out.appendingPathComponent("requests.ndjson"), encoding: .utf8).split(separator: "\n").count
        if requests == 1 { #expect(sent == expected, "one request: the same records in the same order") }
        if target.sendTimeField != nil {
            for record in await loaded.ledger.records(for: targetName) {
                guard case .string(let sentAt)? = record.value(atPath: "sentAt") else {
                    Issue.record("no sentAt in \(record)")
                    continue
                }
                #expect(sentAt.hasSuffix("Z") && sentAt.count >= 20)
            }
        }
        let json = try SandboxHarness.report(report)
        let totals = try #require(json["totals"] as? [String: Int])
        #expect(totals["read"] == (totals["filtered"] ?? 0) + (totals["invalid"] ?? 0) + (totals["delivered"] ?? 0)
                + (totals["rejected"] ?? 0) + (totals["pending"] ?? 0))
        #expect(totals["pending"] == 0 && totals["rejected"] == 0)
        await loaded.stop()
        await replayed.stop()
    }

    /// Records grouped by the path they were sent to (one resource), in arrival order;
    /// records of fixed-path targets under their own text.
    static func byResource(_ records: [JSONValue]) -> [String: [String]] {
        var groups: [String: [String]] = [:]
        for record in records {
            let text: String = JSONWriter.serialize(record)
            if case .string(let path)? = record.value(atPath: "path") {
                groups[path, default: []].append(text)
            } else {
                groups[text, default: []].append(text)
            }
        }
        return groups
    }

    @Test func underFaultsEveryRecordIsDeliveredAndDuplicatesOnlyComeFromAnswersTheClientLost() async throws {
        let plan = try FaultPlan(parsing: "503=0.2,429=0.1,drop=0.05,lost=0.03,slow=0.03,slow-delay=4s,retry-after=1,seed=11")
        let sandbox = try await SandboxServer.start(SandboxConfiguration(faults: plan))
        let input = try SandboxHarness.eventsCSV(2000, in: directory)
        let report = file("faults.json")
        let result = try await SandboxHarness.run(["load", "-m", Self.mapping, input.path, "--endpoint",
                                                   sandbox.baseURL(for: Toplyne.userEvents), "--batch-size", "40",
                                                   "--concurrency", "8", "--timeout", "2", "--max-retries", "12",
                                                   "--report", report.path])
        #expect(result.status == 0, "\(result.stderr)")
        let entries = await sandbox.ledger.entries(for: "toplyne.user_events")
        let ids = SandboxHarness.userIds(entries.map(\.record))
        #expect(Set(ids) == Set((1...2000).map { "u\($0)" }), "every record delivered")
        // A record is in the ledger twice only when a request carrying it was applied but its
        // answer never reached ferry (lost, or slower than --timeout).
        var firstFault: [String: FaultPlan.Kind?] = [:]
        var duplicated = 0
        for entry in entries {
            guard case .string(let id)? = entry.record.value(atPath: "userId") else { continue }
            if let earlier = firstFault[id] {
                duplicated += 1
                #expect(earlier == .lost || earlier == .slow, "\(id) sent twice although its first answer arrived")
            } else {
                firstFault[id] = entry.fault
            }
        }
        let faults = await sandbox.faultCounts
        let faulted = faults.values.reduce(0, +)
        #expect(faulted > 0 && (faults[.serviceUnavailable] ?? 0) > 0 && (faults[.tooManyRequests] ?? 0) > 0 && (faults[.drop] ?? 0) > 0)
        #expect(duplicated <= ((faults[.lost] ?? 0) + (faults[.slow] ?? 0)) * 40)
        let json = try SandboxHarness.report(report)
        let delivery = try #require(json["delivery"] as? [String: Any])
        let requests = try #require(delivery["requests"] as? Int)
        let retries = try #require(delivery["retries"] as? Int)
        #expect(requests == Int(await sandbox.requestCount), "every request the sandbox saw is counted")
        #expect(retries == requests - 50, "one retry per failed attempt: \(requests) requests for 50 batches")
        #expect(retries == faulted, "each injected fault cost exactly one retry")
        let totals = try #require(json["totals"] as? [String: Int])
        #expect(totals["delivered"] == 2000 && totals["pending"] == 0)
        await sandbox.stop()
    }

    @Test func aBatchWithOneRefusedRecordDeliversTheOthersAndDeadLettersThatOne() async throws {
        let sandbox = try await SandboxServer.start()
        let input = try SandboxHarness.eventsCSV(500, poisoned: [137], in: directory)
        let dead = file("dead.ndjson")
        let report = file("refused.json")
        let result = try await SandboxHarness.run(["load", "-m", Self.mapping, input.path, "--endpoint",
                                                   sandbox.baseURL(for: Toplyne.userEvents), "--dead-letters", dead.path,
                                                   "--report", report.path])
        #expect(result.status == 1, "some rows refused: exit 1. \(result.stderr)")
        let ids = SandboxHarness.userIds(await sandbox.ledger.records(for: "toplyne.user_events"))
        #expect(ids.count == 499 && Set(ids) == Set((1...500).filter { $0 != 137 }.map { "u\($0)" }))
        let letters = try String(contentsOf: dead, encoding: .utf8).split(separator: "\n")
        try #require(letters.count == 1)
        let letter = try JSONParser.parse(String(letters[0]))
        #expect(letter.value(atPath: "user_id") == .string("u137"))
        #expect(letter.value(atPath: "note") == .string(SandboxServer.refusedRecordMarker))
        #expect(letter.value(atPath: "_ferry.stage") == .string("deliver"))
        #expect(letter.value(atPath: "_ferry.line") == .int(138))
        guard case .string(let reason)? = letter.value(atPath: "_ferry.reason") else { throw HarnessError("no reason") }
        #expect(reason.contains("events[0]"), "the vendor's message names the record: \(reason)")
        let json = try SandboxHarness.report(report)
        let totals = try #require(json["totals"] as? [String: Int])
        #expect(totals["delivered"] == 499 && totals["rejected"] == 1)
        #expect((json["delivery"] as? [String: Any])?["splits"] as? Int == 9)
        // The dead letter reads back as input with the same mapping: sent again, refused again.
        let again = try await SandboxHarness.run(["load", "-m", Self.mapping, dead.path, "--format", "ndjson", "--endpoint",
                                                  sandbox.baseURL(for: Toplyne.userEvents), "--report", file("again.json").path])
        #expect(again.status == 1, "\(again.stderr)")
        let againTotals = try #require(try SandboxHarness.report(file("again.json"))["totals"] as? [String: Int])
        #expect(againTotals["read"] == 1 && againTotals["rejected"] == 1 && againTotals["invalid"] == 0)
        await sandbox.stop()
    }

    @Test func aWrongTokenExitsThreeAfterOneRequest() async throws {
        let sandbox = try await SandboxServer.start()
        let input = try SandboxHarness.eventsCSV(3000, in: directory)
        let started = Date()
        var environment = SandboxHarness.credentials
        environment["TOPLYNE_API_TOKEN"] = "not-the-token"
        let result = try await SandboxHarness.run(["load", "-m", Self.mapping, input.path, "--endpoint",
                                                   sandbox.baseURL(for: Toplyne.userEvents), "--batch-size", "10"],
                                                  environment: environment)
        #expect(result.status == 3)
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(await sandbox.requestCount == 1, "no retry storm")
        #expect(result.stderr.contains("refused the credentials"))
        #expect(!result.stderr.contains("not-the-token"), "the secret is never printed")
        #expect(await sandbox.ledger.records(for: "toplyne.user_events").isEmpty)
        await sandbox.stop()
    }

    @Test func aDestructiveTargetIsRefusedWithoutYes() async throws {
        let sandbox = try await SandboxServer.start()
        let target = TalonOne.customerDataDeletion
        let arguments = ["load", "-m", "mappings/talonone/customer_data_deletion.yaml", "samples/talonone/customer_data_deletion.csv",
                         "--endpoint", sandbox.baseURL(for: target)]
        let refused = try await SandboxHarness.run(arguments)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("destructive") && refused.stderr.contains("--yes"))
        #expect(await sandbox.requestCount == 0, "nothing was sent")
        let confirmed = try await SandboxHarness.run(arguments + ["--yes"])
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        #expect(await sandbox.ledger.records(for: target.name).count == 3)
        await sandbox.stop()
    }

    @Test func killNineThenResumeSendsNoAcknowledgedBatchAgainAndLosesNone() async throws {
        let sandbox = try await SandboxServer.start(SandboxConfiguration(faults: try FaultPlan(parsing: "latency=15ms")))
        let input = try SandboxHarness.eventsCSV(20000, in: directory)
        let checkpoint = file("kill.ckpt")
        let arguments = ["load", "-m", Self.mapping, input.path, "--endpoint", sandbox.baseURL(for: Toplyne.userEvents),
                         "--batch-size", "50", "--concurrency", "4", "--checkpoint", checkpoint.path]
        let process = try SandboxHarness.start(arguments, stderr: file("kill.stderr"))
        // Kill once some 40 batches are acknowledged.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let lines = (try? String(contentsOf: checkpoint, encoding: .utf8))?.split(separator: "\n").count ?? 0
            if lines > 40 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        kill(process.processIdentifier, SIGKILL)
        let status = await SandboxHarness.waitForExit(process)
        #expect(process.terminationReason == .uncaughtSignal && status == SIGKILL)
        let acknowledged = try String(contentsOf: checkpoint, encoding: .utf8).split(separator: "\n").dropFirst().compactMap { line -> Int? in
            guard case .int(let index)? = (try? JSONParser.parse(String(line)))?.value(atPath: "batch") else { return nil }
            return Int(index)
        }
        #expect(acknowledged.count >= 40 && acknowledged.count < 400, "killed mid-run: \(acknowledged.count) of 400 batches")
        let before = await sandbox.ledger.records(for: "toplyne.user_events").count

        let resumed = try await SandboxHarness.run(arguments + ["--resume", "--report", file("resume.json").path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let ids = SandboxHarness.userIds(await sandbox.ledger.records(for: "toplyne.user_events"))
        #expect(Set(ids) == Set((1...20000).map { "u\($0)" }), "no record lost")
        // Batch i holds users 50i+1 ... 50i+50: none of an acknowledged batch is in the ledger twice.
        var seen: [String: Int] = [:]
        for id in ids { seen[id, default: 0] += 1 }
        for batch in acknowledged {
            for n in (batch * 50 + 1)...(batch * 50 + 50) {
                #expect(seen["u\(n)"] == 1, "u\(n) of acknowledged batch \(batch) sent \(seen["u\(n)"] ?? 0) times")
            }
        }
        let duplicates = seen.values.filter { $0 > 1 }.count
        #expect(duplicates <= 4 * 50, "only the requests in flight at the kill are sent again")
        #expect(ids.count - before <= 20000 - acknowledged.count * 50 + 4 * 50)
        let json = try SandboxHarness.report(file("resume.json"))
        let delivery = try #require(json["delivery"] as? [String: Any])
        #expect(delivery["resumed_batches"] as? Int == Set(acknowledged).count)
        let totals = try #require(json["totals"] as? [String: Int])
        #expect(totals["delivered"] == 20000 && totals["read"] == 20000)
        await sandbox.stop()
    }

    @Test func sigintDrainsSavesAndExits130ThenAResumeFinishes() async throws {
        let sandbox = try await SandboxServer.start(SandboxConfiguration(faults: try FaultPlan(parsing: "latency=40ms")))
        let input = try SandboxHarness.eventsCSV(5000, in: directory)
        let checkpoint = file("int.ckpt")
        let report = file("int.json")
        let arguments = ["load", "-m", Self.mapping, input.path, "--endpoint", sandbox.baseURL(for: Toplyne.userEvents),
                         "--batch-size", "25", "--concurrency", "2", "--checkpoint", checkpoint.path, "--report", report.path]
        let process = try SandboxHarness.start(arguments, stderr: file("int.stderr"))
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if ((try? String(contentsOf: checkpoint, encoding: .utf8))?.split(separator: "\n").count ?? 0) > 5 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        kill(process.processIdentifier, SIGINT)
        let status = await SandboxHarness.waitForExit(process)
        let stderr = (try? String(contentsOf: file("int.stderr"), encoding: .utf8)) ?? ""
        #expect(status == 130, "\(stderr)")
        #expect(stderr.contains("INTERRUPTED"), "the summary says so: \(stderr)")
        let json = try SandboxHarness.report(report)
        let totals = try #require(json["totals"] as? [String: Int])
        let delivered = totals["delivered"] ?? -1
        #expect(delivered > 0 && (totals["pending"] ?? 0) > 0, "stopped part way: \(totals)")
        #expect(totals["read"] == (totals["delivered"] ?? 0) + (totals["pending"] ?? 0))
        #expect(await sandbox.ledger.records(for: "toplyne.user_events").count == delivered,
                "every request in flight was answered before exiting, and counted")
        let resumed = try await SandboxHarness.run(arguments + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let ids = SandboxHarness.userIds(await sandbox.ledger.records(for: "toplyne.user_events"))
        #expect(ids.count == 5000 && Set(ids).count == 5000, "a drained stop resumes without a duplicate")
        await sandbox.stop()
    }

    @Test func maxInvalidStopsAClearlyWrongMappingEarly() async throws {
        let sandbox = try await SandboxServer.start()
        var text = "user_id,event,occurred_at,plan,seats,country,note,user_agent\n"
        for n in 1...5000 { text += "u\(n),view,not-a-time,pro,1,US,x,curl\n" }
        let input = file("wrong.csv")
        try Data(text.utf8).write(to: input)
        let report = file("invalid.json")
        let result = try await SandboxHarness.run(["load", "-m", Self.mapping, input.path, "--endpoint",
                                                   sandbox.baseURL(for: Toplyne.userEvents), "--max-invalid", "100",
                                                   "--report", report.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--max-invalid"))
        let totals = try #require(try SandboxHarness.report(report)["totals"] as? [String: Int])
        #expect(totals["invalid"] == 101 && totals["read"] == 101, "stopped at the 101st invalid row: \(totals)")
        #expect(await sandbox.requestCount == 0)
        await sandbox.stop()
    }

    /// A credential exported from an env file with CRLF line ends keeps its "\r": it is
    /// trimmed, as --token-file is, and the load goes through.
    @Test func aCredentialWithATrailingLineEndIsTrimmed() async throws {
        let sandbox = try await SandboxServer.start()
        var environment = SandboxHarness.credentials
        environment["TOPLYNE_API_TOKEN"] = (SandboxHarness.credentials["TOPLYNE_API_TOKEN"] ?? nil).map { $0 + "\r\n" }
        let result = try await SandboxHarness.run(["load", "-m", Self.mapping, "samples/toplyne/user_events.csv.gz",
                                                   "--endpoint", sandbox.baseURL(for: Toplyne.userEvents)], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(await sandbox.ledger.records(for: "toplyne.user_events").count == 200)
        await sandbox.stop()
    }

    @Test func aTimeoutBeyondADayIsAUsageError() async throws {
        for value in ["inf", "1e10", "0"] {
            let result = try await SandboxHarness.run(["load", "-m", Self.mapping, "samples/toplyne/user_events.csv.gz",
                                                       "--endpoint", "http://127.0.0.1:9", "--timeout", value])
            #expect(result.status == 2, "--timeout \(value): \(result.stderr)")
            #expect(result.stderr.contains("--timeout"))
        }
    }

    @Test func missingCredentialStopsBeforeReading() async throws {
        var environment = SandboxHarness.credentials
        environment["TOPLYNE_API_TOKEN"] = nil
        let result = try await SandboxHarness.run(["load", "-m", Self.mapping, "samples/toplyne/user_events.csv.gz",
                                                   "--endpoint", "http://127.0.0.1:9"], environment: environment)
        #expect(result.status == 2)
        #expect(result.stderr.contains("$TOPLYNE_API_TOKEN"))
    }

    @Test func theReadmeCommandLoadsTheSampleIntoTheEmbeddedSandbox() async throws {
        let result = try await SandboxHarness.run(["load", "-m", Self.mapping, "samples/toplyne/user_events.csv.gz", "--sandbox"],
                                                  environment: [:])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("delivered 200, rejected 0, pending 0"))
        #expect(result.stderr.contains("the ledger holds 200 records for toplyne.user_events"))
    }
}

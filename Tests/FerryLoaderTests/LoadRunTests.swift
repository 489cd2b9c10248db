import Foundation
import Testing
import FerryCore
import FerryMapping
import FerryVendors
@testable import FerryLoader

/// `LoadRun` against a stub vendor on loopback: splitting, stopping on a wrong credential,
/// retries, and a checkpoint that lets a second run send only what the first did not.
@Suite final class LoadRunTests {
    let directory: URL

    init() throws {
        directory = try makeTemporaryDirectory("ferry-load")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// `count` valid user-event rows, users `u1...`, with `bad` among them where asked.
    func input(_ count: Int, bad: Set<Int> = []) throws -> String {
        var text = "user_id,event,occurred_at,plan\n"
        for n in 1...count {
            text += "\(bad.contains(n) ? "bad-user" : "u\(n)"),view,2024-01-01T00:00:\(String(format: "%02d", n % 60))Z,pro\n"
        }
        let p = path("events-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    func mapping() throws -> LoadedMapping {
        let p = path("mapping.yaml")
        try Data(userEventsMapping.utf8).write(to: URL(fileURLWithPath: p))
        return try MappingLoader.load(path: p, environment: [:])
    }

    static let fastRetries = RetryPolicy(maxAttempts: 6, baseDelay: 0.005, maxDelay: 0.02, maxTotal: 5)

    func load(_ inputPath: String, server: StubHTTPServer, settings: LoadSettings = LoadSettings(concurrency: 4, retry: fastRetries),
              checkpoint: CheckpointJournal? = nil, deadLetters: DeadLetterWriter? = nil, batchSize: Int? = nil,
              authorization: String = "Bearer test-token") async throws -> RunReport {
        let loaded = try mapping()
        let run = LoadRun(LoadRun.Job(
            target: loaded.target, mapping: loaded.compiled, mappingPath: loaded.path, inputs: [InputFile(path: inputPath)],
            pipeline: PipelineOptions(batchSize: batchSize), settings: settings, baseURL: server.baseURL,
            authorization: authorization, checkpoint: checkpoint, deadLetters: deadLetters))
        return await run.run()
    }

    /// User ids of the events in a request body.
    static func users(_ body: String) -> [String] {
        guard case .array(let events)? = (try? JSONParser.parse(Array(body.utf8)))?.value(atPath: "events") else { return [] }
        return events.compactMap { if case .string(let id)? = $0.value(atPath: "userId") { return id } else { return nil } }
    }

    static let success = (status: 200, body: #"{"status":"success","MsgCode":200,"Msg":"Success"}"#)

    /// A credential holding a line break cannot be sent: the run stops on the first request
    /// (exit 3) instead of retrying, nothing reaches the server, and the secret is not printed.
    @Test func aCredentialWithALineBreakStopsTheRunAtOnce() async throws {
        let server = try StubHTTPServer { _ in Self.success }
        defer { server.shutdown() }
        let report = try await load(try input(20), server: server, authorization: "Bearer s3cret\r\nX-Injected: 1")
        #expect(report.exitCode == 3)
        #expect(server.requests.isEmpty)
        let delivery = try #require(report.delivery)
        #expect(delivery.retries == 0)
        #expect(delivery.transportErrors["invalid_request"] == 1)
        #expect(report.totals.delivered == 0 && report.totals.pending == 20)
        #expect(report.failures.contains { $0.contains("line break") })
        #expect(!report.failures.contains { $0.contains("s3cret") })
    }

    @Test func aRefusedRecordIsIsolatedAndEveryOtherRecordDelivered() async throws {
        let accepted = LockedList()
        let server = try StubHTTPServer { seen in
            let users = Self.users(seen.body)
            if users.contains("bad-user") { return (400, #"{"status":"failure","MsgCode":400,"Msg":"invalid event"}"#) }
            accepted.append(users)
            return Self.success
        }
        defer { server.shutdown() }
        let file = try input(500, bad: [321])
        let deadLetters = try DeadLetterWriter(path: path("dead.ndjson"))
        let report = try await load(file, server: server, deadLetters: deadLetters)

        let totals = report.totals
        #expect(totals.read == 500 && totals.delivered == 499 && totals.rejected == 1 && totals.pending == 0)
        #expect(report.exitCode == 1)
        #expect(accepted.items.count == 499 && Set(accepted.items).count == 499, "each good record delivered once")
        #expect(!accepted.items.contains("bad-user"))
        let delivery = try #require(report.delivery)
        #expect(delivery.splits == 9, "500 -> 250 -> ... -> 1: nine halvings find one record")
        #expect(delivery.statusCounts[400] == 10)
        #expect(delivery.requests == 19, "the first request and two halves per split")
        let lines = try String(contentsOfFile: path("dead.ndjson"), encoding: .utf8).split(separator: "\n")
        try #require(lines.count == 1)
        let letter = try JSONParser.parse(Array(lines[0].utf8))
        #expect(letter.value(atPath: "user_id") == .string("bad-user"), "the original fields, readable as input")
        #expect(letter.value(atPath: "_ferry.stage") == .string("deliver"))
        #expect(letter.value(atPath: "_ferry.line") == .int(322))
        #expect(letter.value(atPath: "_ferry.reason") == .string("the vendor refused it: HTTP 400: 400 invalid event"))
        #expect(report.errorCounts["vendor_rejected"] == 1)
    }

    @Test func aResumeCountsEarlierRefusalsWithoutWritingTheirDeadLettersAgain() async throws {
        let server = try StubHTTPServer { seen in
            Self.users(seen.body).contains("bad-user") ? (400, #"{"status":"failure","MsgCode":400,"Msg":"invalid event"}"#) : Self.success
        }
        defer { server.shutdown() }
        let file = try input(40, bad: [7])
        _ = try mapping()
        let print = try JobFingerprint(target: "toplyne.user_events", mappingPath: path("mapping.yaml"), inputs: [InputFile(path: file)],
                                       batchSize: 10, limit: nil, groupMemory: 64)
        let checkpointPath = path("refusal.checkpoint")
        let deadPath = path("refusal.dead.ndjson")
        let first = try await load(file, server: server,
                                   checkpoint: try CheckpointJournal(path: checkpointPath, fingerprint: print, target: "toplyne.user_events", resume: false),
                                   deadLetters: try DeadLetterWriter(path: deadPath), batchSize: 10)
        #expect(first.totals.rejected == 1 && first.totals.delivered == 39)
        let sentBefore = server.requests.count
        let second = try await load(file, server: server,
                                    checkpoint: try CheckpointJournal(path: checkpointPath, fingerprint: print, target: "toplyne.user_events", resume: true),
                                    deadLetters: try DeadLetterWriter(path: deadPath, append: true), batchSize: 10)
        #expect(server.requests.count == sentBefore, "nothing sent again")
        #expect(second.totals.rejected == 1 && second.totals.delivered == 39 && second.exitCode == 1)
        let letters = try String(contentsOfFile: deadPath, encoding: .utf8).split(separator: "\n")
        #expect(letters.count == 1, "the refusal's dead letter is written once")
    }

    @Test func aWrongCredentialStopsAfterOneRequestWithoutRetrying() async throws {
        let server = try StubHTTPServer { _ in (401, #"{"status":"failure","MsgCode":401,"Msg":"Authentication Failure"}"#) }
        defer { server.shutdown() }
        let file = try input(300)
        let report = try await load(file, server: server, settings: LoadSettings(concurrency: 8, retry: Self.fastRetries), batchSize: 10)
        #expect(report.exitCode == 3)
        #expect(server.requests.count == 1, "one request, not one per worker: \(server.requests.count)")
        let delivery = try #require(report.delivery)
        #expect(delivery.retries == 0)
        #expect(report.totals.delivered == 0 && report.totals.read == report.totals.pending + report.totals.filtered + report.totals.invalid)
        #expect(report.failures.contains { $0.contains("refused the credentials") })
        #expect(!report.failures.joined().contains("test-token"), "the secret is never in the report")
    }

    @Test func retryableAnswersAreRetriedUntilTheVendorAccepts() async throws {
        let attempts = LockedList()
        let server = try StubHTTPServer { seen in
            attempts.append(["x"])
            if attempts.items.count <= 3 { return (503, #"{"error":"busy"}"#) }
            return Self.success
        }
        defer { server.shutdown() }
        let report = try await load(try input(50), server: server)
        #expect(report.exitCode == 0)
        #expect(report.totals.delivered == 50)
        #expect(report.delivery?.retries == 3)
        #expect(report.delivery?.statusCounts == [503: 3, 200: 1])
    }

    @Test func theVendorStayingDownStopsTheRunAndAResumeSendsOnlyTheRest() async throws {
        let file = try input(100)
        // First run: three requests accepted, then the vendor answers 503 for good.
        let firstAccepted = LockedList()
        let first = try StubHTTPServer { seen in
            if firstAccepted.items.count >= 30 { return (503, "{}") }
            firstAccepted.append(Self.users(seen.body))
            return Self.success
        }
        let checkpointPath = path("run.checkpoint")
        _ = try mapping()
        let print = try JobFingerprint(target: "toplyne.user_events", mappingPath: path("mapping.yaml"), inputs: [InputFile(path: file)],
                                       batchSize: 10, limit: nil, groupMemory: 64)
        let journal1 = try CheckpointJournal(path: checkpointPath, fingerprint: print, target: "toplyne.user_events", resume: false)
        let report1 = try await load(file, server: first, settings: LoadSettings(concurrency: 1, retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.001, maxDelay: 0.002)),
                                     checkpoint: journal1, batchSize: 10)
        first.shutdown()
        #expect(report1.exitCode == 3)
        #expect(report1.totals.delivered == 30)
        #expect(report1.totals.pending == report1.totals.read - 30, "reading stopped soon after the vendor did")

        // A second run without --resume refuses to reuse the checkpoint.
        #expect(throws: CheckpointError.self) {
            try CheckpointJournal(path: checkpointPath, fingerprint: print, target: "toplyne.user_events", resume: false)
        }
        // The resume sends exactly the 70 records the first run did not deliver.
        let secondAccepted = LockedList()
        let second = try StubHTTPServer { seen in
            secondAccepted.append(Self.users(seen.body))
            return Self.success
        }
        defer { second.shutdown() }
        let journal2 = try CheckpointJournal(path: checkpointPath, fingerprint: print, target: "toplyne.user_events", resume: true)
        #expect(journal2.previous.count == 3)
        let report2 = try await load(file, server: second, checkpoint: journal2, batchSize: 10)
        #expect(report2.exitCode == 0)
        #expect(report2.totals.delivered == 100, "delivered counts the resumed records too")
        #expect(report2.delivery?.resumedBatches == 3)
        #expect(secondAccepted.items.count == 70)
        #expect(Set(firstAccepted.items).isDisjoint(with: secondAccepted.items), "nothing acknowledged is sent again")
        #expect(Set(firstAccepted.items + secondAccepted.items) == Set((1...100).map { "u\($0)" }))
    }
}

/// A list several server threads append to.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []

    func append(_ new: [String]) {
        lock.lock()
        values += new
        lock.unlock()
    }

    var items: [String] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }
}

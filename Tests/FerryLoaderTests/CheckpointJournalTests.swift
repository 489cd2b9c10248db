import Foundation
import FerryTestSupport
import Testing
import FerryCore
import FerryVendors
@testable import FerryLoader

/// The checkpoint: bound to one job, append-only, and readable after a crash cut its last line.
@Suite final class CheckpointJournalTests {
    let directory: URL

    init() throws {
        directory = try makeTemporaryDirectory("ferry-checkpoint")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func file(_ name: String, _ text: String) throws -> String {
        let p = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    func fingerprint(mapping: String = "target: toplyne.user_events\n", input: String = "a,b\n1,2\n", batchSize: Int? = nil) throws -> JobFingerprint {
        let m = try file("mapping.yaml", mapping)
        let i = try file("input.csv", input)
        return try JobFingerprint(target: "toplyne.user_events", mappingPath: m, inputs: [InputFile(path: i)],
                                  batchSize: batchSize, limit: nil, groupMemory: 64)
    }

    @Test func settledBatchesAreReadBackWholeOrInParts() throws {
        let print = try fingerprint()
        let path = directory.appendingPathComponent("job.checkpoint").path
        let journal = try CheckpointJournal(path: path, fingerprint: print, target: "toplyne.user_events", resume: false)
        try journal.settle(batch: 0)
        try journal.settle(batch: 1, rejected: [3])
        try journal.settle(batch: 2, part: [0, 1], rejected: [1])
        try journal.settle(batch: 2, part: [2, 3], rejected: [])
        let again = try CheckpointJournal(path: path, fingerprint: print, target: "toplyne.user_events", resume: true)
        #expect(again.previous[0] == .init(whole: true, positions: [], rejected: []))
        #expect(again.previous[1] == .init(whole: true, positions: [], rejected: [3]))
        #expect(again.previous[2] == .init(whole: false, positions: [0, 1, 2, 3], rejected: [1]))
        #expect(again.previous[2]?.isComplete(records: 4) == true)
        #expect(again.previous[2]?.isComplete(records: 5) == false)
        #expect(again.previous[3] == nil)
        // The header is written once.
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines[0].contains("\"job\":\"\(print.digest)\""))
    }

    @Test func aLastLineCutShortByACrashIsIgnored() throws {
        let print = try fingerprint()
        let path = directory.appendingPathComponent("cut.checkpoint").path
        let journal = try CheckpointJournal(path: path, fingerprint: print, target: "toplyne.user_events", resume: false)
        try journal.settle(batch: 0)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"batch":1,"par"#.utf8))
        try handle.close()
        let again = try CheckpointJournal(path: path, fingerprint: print, target: "toplyne.user_events", resume: true)
        #expect(Array(again.previous.keys) == [0])
    }

    @Test func damageInsideTheJournalIsRefused() throws {
        let print = try fingerprint()
        let header = #"{"ferry_checkpoint":1,"job":"\#(print.digest)","target":"t"}"#
        let path = try file("damaged.checkpoint", header + "\n{\"batch\":0}\ngarbage\n{\"batch\":2}\n")
        #expect(throws: CheckpointError.self) {
            try CheckpointJournal(path: path, fingerprint: print, target: "toplyne.user_events", resume: true)
        }
    }

    @Test func anotherJobsCheckpointIsRefused() throws {
        let first = try fingerprint()
        let path = directory.appendingPathComponent("other.checkpoint").path
        _ = try CheckpointJournal(path: path, fingerprint: first, target: "toplyne.user_events", resume: false)
        for changed in [try fingerprint(mapping: "target: toplyne.user_events\n# edited\n"),
                        try fingerprint(input: "a,b\n1,3\n"),
                        try fingerprint(batchSize: 10)] {
            #expect(changed.digest != first.digest)
            do {
                _ = try CheckpointJournal(path: path, fingerprint: changed, target: "toplyne.user_events", resume: true)
                Issue.record("a changed job resumed")
            } catch {
                #expect(error.message.contains("belongs to another job"))
            }
        }
        #expect(try fingerprint().digest == first.digest, "the same job has the same fingerprint")
    }

    @Test func standardInputCannotBeCheckpointed() throws {
        let m = try file("m.yaml", "target: toplyne.user_events\n")
        #expect(throws: CheckpointError.self) {
            try JobFingerprint(target: "toplyne.user_events", mappingPath: m, inputs: [.stdin], batchSize: nil, limit: nil, groupMemory: 64)
        }
    }
}

@Suite struct LoadPartsTests {
    @Test func invalidBudgetsParseAndJudge() {
        #expect(InvalidBudget("100") == .count(100))
        #expect(InvalidBudget("2.5%") == .percent(2.5))
        #expect(InvalidBudget("-1") == nil && InvalidBudget("abc") == nil && InvalidBudget("101%") == nil)
        #expect(InvalidBudget.count(2).isExceeded(invalid: 3, read: 3))
        #expect(!InvalidBudget.count(2).isExceeded(invalid: 2, read: 3))
        #expect(!InvalidBudget.percent(10).isExceeded(invalid: 5, read: 10), "not judged before 1000 rows")
        #expect(InvalidBudget.percent(10).isExceeded(invalid: 101, read: 1000))
        #expect(!InvalidBudget.percent(10).isExceeded(invalid: 100, read: 1000))
    }

    @Test func latencyPercentilesAreWithinABucket() throws {
        var histogram = LatencyHistogram()
        for n in 1...1000 { histogram.record(Double(n) / 1000) }   // 1 ms ... 1 s
        let p50 = try #require(histogram.percentile(0.5))
        let p99 = try #require(histogram.percentile(0.99))
        #expect(abs(p50 - 0.5) / 0.5 < 0.03, "\(p50)")
        #expect(abs(p99 - 0.99) / 0.99 < 0.03, "\(p99)")
        #expect(histogram.percentile(1) == 1.0)
        #expect(LatencyHistogram().percentile(0.5) == nil)
    }

    @Test func sendTimeIsAddedToSingleRecordBodies() throws {
        let target = Pyze.eventsTarget(environment: ["PYZE_APP_KEY": "k"])
        let builder = RequestBuilder(target: target, baseURL: "https://events.example.com/", authorization: nil)
        let batch = Batch(index: 0, body: Array(#"{"type":"event","event":"login"}"#.utf8), records: [], recordRanges: [])
        let body = String(decoding: builder.body(of: batch, now: Date(timeIntervalSince1970: 1_700_000_000.25)), as: UTF8.self)
        #expect(body == #"{"type":"event","event":"login","sentAt":"2023-11-14T22:13:20.250Z"}"#)
        // A whole second has no fraction, an empty object gets no comma, and the text is the report's.
        let empty = Batch(index: 1, body: Array("{}".utf8), records: [], recordRanges: [])
        let second = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(String(decoding: builder.body(of: empty, now: second), as: UTF8.self) == #"{"sentAt":"2023-11-14T22:13:20Z"}"#)
        #expect(second.iso8601UTC == "2023-11-14T22:13:20Z")
        #expect(builder.url(for: batch) == "https://events.example.com/v1/events")
        let request = builder.request(for: batch)
        #expect(request.header("Authorization") == nil, "Pyze events send no Authorization header")
        #expect(request.header("content-type") == "application/json")
        #expect(request.target == "/v1/events")
        #expect(request.method == "POST")
    }

    @Test func authorizationHeadersFollowTheScheme() {
        #expect(RequestBuilder.authorization(for: Toplyne.userEvents.auth, secret: "s") == "Bearer s")
        #expect(RequestBuilder.authorization(for: TalonOne.customerProfiles.auth, secret: "s") == "ApiKey-v1 s")
    }
}

@Suite struct PathSequencerTests {
    /// Batches for one path go in registration order, whatever order their senders ask in;
    /// another path is not held back.
    @Test func requestsToOneResourceKeepTheirOrder() async {
        let sequencer = PathSequencer()
        for index in 0..<3 { sequencer.register(path: "/v2/customer_profiles/a", index: index) }
        sequencer.register(path: "/v2/customer_profiles/b", index: 3)
        let order = LockedList()
        await withTaskGroup(of: Void.self) { group in
            for index in [2, 1, 0] {
                group.addTask {
                    await sequencer.turn(path: "/v2/customer_profiles/a", index: index)
                    order.append(["a\(index)"])
                    try? await Task.sleep(for: .milliseconds(5))
                    sequencer.done(path: "/v2/customer_profiles/a", index: index)
                }
                try? await Task.sleep(for: .milliseconds(2))
            }
            group.addTask {
                await sequencer.turn(path: "/v2/customer_profiles/b", index: 3)
                order.append(["b3"])
                sequencer.done(path: "/v2/customer_profiles/b", index: 3)
            }
        }
        #expect(order.items.filter { $0.hasPrefix("a") } == ["a0", "a1", "a2"])
        #expect(order.items.contains("b3"))
    }
}

/// A new empty directory under the system's temporary directory, removed when the tests end.
func makeTemporaryDirectory(_ prefix: String) throws -> URL {
    try TemporaryDirectories.make(prefix)
}

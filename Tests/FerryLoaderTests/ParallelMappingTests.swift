import Foundation
import Testing
import FerryCore
import FerryMapping
import FerryVendors
@testable import FerryLoader

/// Rows mapped on other threads (`--threads`) must give exactly what mapping every row on the
/// reading thread gives: the same request bodies, records, paths, counts, errors and dead
/// letters, in the same order. Tiny blocks put block boundaries everywhere.
@Suite final class ParallelMappingTests {
    let directory: URL

    init() throws { directory = try makeTemporaryDirectory("ferry-parallel") }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Serial, then threads and block sizes that cut the input at many places.
    static let settings: [(threads: Int, rowsPerBlock: Int)] = [(1, 2048), (2, 1), (2, 7), (3, 3), (4, 64), (2, 2048)]

    /// What one run produced, for comparing runs.
    struct Outcome: Equatable {
        var bodies: [[UInt8]]
        var paths: [String?]
        var records: [RecordRef]
        var counts: [[Int]]
        var recordCount: Int
        var batches: Int
        var errors: [String: Int]
        var examples: [String]
        var exitCode: Int32
        var limitReached: Bool
        var invalidBudgetExceeded: Bool
        var deadLetters: String
        /// Each kept record's serial and its rows' lines (`keepRows`).
        var kept: [String] = []
    }

    func run(mappingPath: String, inputs: [String], threads: Int, rowsPerBlock: Int,
             limit: Int? = nil, maxInvalid: InvalidBudget? = nil, batchSize: Int? = nil,
             groupLimit: Int = 16 << 20, keepRows: Bool = false,
             wanted: (@Sendable () -> Bool)? = nil) throws -> Outcome {
        let mapping = try MappingLoader.load(path: mappingPath, environment: ["PYZE_APP_KEY": "app-key-for-tests"])
        var options = PipelineOptions(limit: limit, batchSize: batchSize, maxInvalid: maxInvalid)
        options.mappingThreads = threads
        options.rowsPerBlock = rowsPerBlock
        options.groupLimit = groupLimit
        let deadPath = directory.appendingPathComponent("dead-\(UUID().uuidString).ndjson").path
        let deadLetters = try DeadLetterWriter(path: deadPath)
        let sink = CollectingSink()
        sink.keepsRows = keepRows
        sink.batchesWanted = wanted
        let report = ConversionPipeline(command: "convert", target: mapping.target, mapping: mapping.compiled,
                                        mappingPath: mapping.path, inputs: inputs.map(InputFile.init(path:)),
                                        sink: sink, deadLetters: deadLetters, options: options).run()
        let examples = report.errorExamples.sorted { $0.key < $1.key }.flatMap { kind, list in
            list.map { "\(kind) \($0.file):\($0.line) \($0.field ?? "-") \($0.value ?? "-") \($0.message)" }
        }
        return Outcome(bodies: sink.batches.map(\.body), paths: sink.batches.map(\.path), records: sink.records,
                       counts: report.files.map { [$0.counts.read, $0.counts.filtered, $0.counts.invalid, $0.counts.valid] },
                       recordCount: report.records, batches: report.batches, errors: report.errorCounts,
                       examples: examples, exitCode: report.exitCode,
                       limitReached: report.limitReached, invalidBudgetExceeded: report.invalidBudgetExceeded,
                       deadLetters: try String(contentsOfFile: deadPath, encoding: .utf8),
                       kept: sink.kept.map { "\($0.serial): \($0.lines)" })
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `rows` rows of every kind: valid, filtered, invalid when mapped, unreadable, quoted
    /// with line breaks inside. `reversed` writes the columns in the other order.
    static func mixedEvents(rows: Int, seed: Int, reversed: Bool = false) -> String {
        var text = reversed ? "plan,occurred_at,event,user_id\n" : "user_id,event,occurred_at,plan\n"
        for i in 0..<rows {
            var fields = ["u\(seed)-\(i)", "login", "2024-0\(i % 9 + 1)-1\(i % 10)T0\(i % 10):00:00Z", "pro"]
            switch (i * 7 + seed) % 23 {
            case 0: fields[0] = ""                          // filtered (where: not_empty)
            case 1: fields[2] = "yesterday"                 // invalid timestamp
            case 2: fields[1] = ""                          // missing required
            case 3: fields[3] = "\"multi\nline, plan\""     // a quoted line break
            case 4: fields.append("extra")                  // a row that cannot be read (field count)
            default: break
            }
            if reversed, fields.count == 4 { fields.reverse() }
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    @Test func everySettingGivesTheSerialOutcome() throws {
        let mappingPath = try write("events.yaml", userEventsMapping)
        let a = try write("a.csv", Self.mixedEvents(rows: 3000, seed: 1))
        let b = try write("b.csv", Self.mixedEvents(rows: 777, seed: 2, reversed: true))
        let c = try write("empty.csv", "user_id,event,occurred_at,plan\n")
        let serial = try run(mappingPath: mappingPath, inputs: [a, c, b], threads: 1, rowsPerBlock: 2048, batchSize: 100)
        #expect(serial.counts.map { $0[0] } == [3000, 0, 777])
        #expect(serial.counts.allSatisfy { $0[0] == $0[1] + $0[2] + $0[3] })
        #expect(serial.errors.keys.sorted() == ["field_count", "invalid_timestamp", "missing_required"])
        #expect(serial.records.count > 3000)
        for (threads, rowsPerBlock) in Self.settings.dropFirst() {
            let parallel = try run(mappingPath: mappingPath, inputs: [a, c, b], threads: threads,
                                   rowsPerBlock: rowsPerBlock, batchSize: 100)
            #expect(parallel == serial, "threads \(threads), \(rowsPerBlock) rows per block")
        }
    }

    /// A sink that never wants more (load's senders with a full queue) has every block mapped
    /// by the reading thread, and one whose want comes and goes has them split between the
    /// threads: either way nothing stalls, the sink is asked, and the outcome is the serial one.
    @Test(.timeLimit(.minutes(1))) func theOutcomeIsTheSerialOneWhetherMappingThreadsAreWantedOrNot() throws {
        let mappingPath = try write("events.yaml", userEventsMapping)
        let a = try write("a.csv", Self.mixedEvents(rows: 2500, seed: 5))
        let b = try write("b.csv", Self.mixedEvents(rows: 300, seed: 6, reversed: true))
        let serial = try run(mappingPath: mappingPath, inputs: [a, b], threads: 1, rowsPerBlock: 2048, batchSize: 50)
        let asked = ManagedCounter()
        for (threads, rowsPerBlock) in Self.settings.dropFirst() {
            let never = try run(mappingPath: mappingPath, inputs: [a, b], threads: threads, rowsPerBlock: rowsPerBlock,
                                batchSize: 50, wanted: { asked.increment(); return false })
            #expect(never == serial, "never wanted: threads \(threads), \(rowsPerBlock) rows per block")
            let sometimes = try run(mappingPath: mappingPath, inputs: [a, b], threads: threads, rowsPerBlock: rowsPerBlock,
                                    batchSize: 50, wanted: { asked.increment() % 3 == 0 })
            #expect(sometimes == serial, "sometimes wanted: threads \(threads), \(rowsPerBlock) rows per block")
        }
        #expect(asked.value > 0, "the mapping threads never asked the sink")
    }

    /// The pool itself: while the sink does not want batches, its threads leave every block
    /// handed in to the reading thread (`mapWaiting`); once it does, they map them.
    @Test(.timeLimit(.minutes(1))) func threadsNotWantedLeaveEveryBlockToTheReadingThread() throws {
        let mapping = try MappingLoader.load(path: try write("events.yaml", userEventsMapping), environment: [:]).compiled
        let wanted = ManagedCounter()   // wanted once incremented
        let pool = MappingPool(mapping: mapping, threads: 2, rowsPerBlock: 16, wanted: { wanted.value > 0 })
        defer { pool.close() }
        for _ in 0..<3 { pool.submit(pool.block(fileIndex: 0, source: .csv(columns: []), grouped: false)) }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(pool.takeOldest(wait: false) == nil, "a mapping thread took a block it was not wanted for")
        let mapper = RecordMapper(mapping: mapping)
        var mappedHere = 0
        while pool.mapWaiting(with: mapper, decoder: nil) { mappedHere += 1 }
        #expect(mappedHere == 3)
        for _ in 0..<3 { #expect(pool.takeOldest(wait: false) != nil) }
        wanted.increment()
        pool.submit(pool.block(fileIndex: 0, source: .csv(columns: []), grouped: false))
        #expect(pool.takeOldest(wait: true) != nil, "a wanted block was not mapped by the threads")
        #expect(!pool.mapWaiting(with: mapper, decoder: nil), "the reading thread found a block the threads left")
    }

    @Test func limitAndInvalidBudgetStopAtTheSameRow() throws {
        let mappingPath = try write("events.yaml", userEventsMapping)
        let a = try write("a.csv", Self.mixedEvents(rows: 2000, seed: 3))
        let b = try write("b.csv", Self.mixedEvents(rows: 500, seed: 4))
        for limit in [0, 1, 999, 2001] {
            let serial = try run(mappingPath: mappingPath, inputs: [a, b], threads: 1, rowsPerBlock: 2048, limit: limit)
            #expect(serial.limitReached)
            #expect(serial.counts.map { $0[0] }.reduce(0, +) == limit)
            for (threads, rowsPerBlock) in Self.settings.dropFirst() {
                #expect(try run(mappingPath: mappingPath, inputs: [a, b], threads: threads, rowsPerBlock: rowsPerBlock,
                                limit: limit) == serial, "limit \(limit), threads \(threads), \(rowsPerBlock) per block")
            }
        }
        let budget = InvalidBudget.count(40)
        let serial = try run(mappingPath: mappingPath, inputs: [a, b], threads: 1, rowsPerBlock: 2048, maxInvalid: budget)
        #expect(serial.invalidBudgetExceeded)
        #expect(serial.counts.map { $0[2] }.reduce(0, +) == 41)
        for (threads, rowsPerBlock) in Self.settings.dropFirst() {
            #expect(try run(mappingPath: mappingPath, inputs: [a, b], threads: threads, rowsPerBlock: rowsPerBlock,
                            maxInvalid: budget) == serial, "--max-invalid, threads \(threads), \(rowsPerBlock) per block")
        }
    }

    /// A damaged gzip file: the rows before the damage are accounted for, whatever thread mapped them.
    @Test func rowsBeforeDamageAreAccountedForInEverySetting() throws {
        let mappingPath = try write("events.yaml", userEventsMapping)
        let plain = Array(Self.mixedEvents(rows: 20_000, seed: 5).utf8)
        let compressed = try gzipBytes(plain)
        let cut = directory.appendingPathComponent("cut.csv.gz").path
        try Data(compressed.prefix(compressed.count / 2)).write(to: URL(fileURLWithPath: cut))
        let after = try write("after.csv", Self.mixedEvents(rows: 50, seed: 6))
        let serial = try run(mappingPath: mappingPath, inputs: [cut, after], threads: 1, rowsPerBlock: 2048)
        #expect(serial.exitCode == 3)
        #expect(serial.counts[0][0] > 1000 && serial.counts[1][0] == 50)
        for (threads, rowsPerBlock) in Self.settings.dropFirst() {
            #expect(try run(mappingPath: mappingPath, inputs: [cut, after], threads: threads,
                            rowsPerBlock: rowsPerBlock) == serial, "threads \(threads), \(rowsPerBlock) per block")
        }
    }

    /// Every shipped CSV mapping and its sample (adjusted targets, path parameters, CSV uploads).
    @Test func shippedCSVPairsGiveTheSerialOutcome() throws {
        let pairs = [("pyze/user_profiles.yaml", "pyze/user_profiles.tsv"),
                     ("talonone/coupon_reservations.yaml", "talonone/coupon_reservations.csv"),
                     ("talonone/coupons_import.yaml", "talonone/coupons_import.csv"),
                     ("talonone/customer_data_deletion.yaml", "talonone/customer_data_deletion.csv"),
                     ("talonone/customer_sessions.yaml", "talonone/customer_sessions.csv.gz"),
                     ("talonone/events.yaml", "talonone/events.csv"),
                     ("talonone/referrals.yaml", "talonone/referrals.csv.gz"),
                     ("toplyne/account_events.yaml", "toplyne/account_events.csv"),
                     ("toplyne/account_profiles.yaml", "toplyne/account_profiles.csv.gz"),
                     ("toplyne/user_events.yaml", "toplyne/user_events.csv.gz")]
        try checkShipped(pairs)
    }

    /// NDJSON lines of every kind: scanned, left to the parser (escaped keys), filtered,
    /// invalid when mapped, not JSON, not an object, blank.
    static func mixedNDJSON(rows: Int, seed: Int) -> String {
        var text = ""
        for i in 0..<rows {
            let user = "u\(seed)-\(i)"
            switch (i * 5 + seed) % 19 {
            case 0: text += #"{"user_id":"","event":"login","occurred_at":"2024-01-01T00:00:00Z","plan":"pro"}"# + "\n"
            case 1: text += #"{"user_id":"\#(user)","event":"login","occurred_at":"yesterday","plan":"pro"}"# + "\n"
            case 2: text += #"{"user_id":"\#(user)","event":"login","occurred_at":"2024-01-01T00:00:00Z""# + "\n"
            case 3: text += "[1,2,3]\n"
            case 4: text += "   \n"
            case 5: text += #"{"user\u005fid":"\#(user)","event":"view","occurred_at":"2024-02-02T10:00:00+05:30","plan":{"tier":"x"}}"# + "\n"
            case 6: text += #"{"user_id":"\#(user)","event":"buy","occurred_at":"2024-03-03T00:00:0\#(i % 10)Z","plan":"Zürich \"é\""}"# + "\r\n"
            default: text += #"{"user_id":"\#(user)","event":"login","occurred_at":"2024-0\#(i % 9 + 1)-01T00:00:00Z","plan":"p\#(i % 7)","extra":[1,{"a":null}]}"# + "\n"
            }
        }
        return text
    }

    @Test func ndjsonGivesTheSerialOutcomeInEverySetting() throws {
        let mappingPath = try write("events-ndjson.yaml", userEventsMapping.replacingOccurrences(of: "format: csv", with: "format: ndjson"))
        let a = try write("a.ndjson", Self.mixedNDJSON(rows: 3000, seed: 1))
        let compressed = try gzipBytes(Array(Self.mixedNDJSON(rows: 900, seed: 2).utf8))
        let b = directory.appendingPathComponent("b.ndjson.gz").path
        try Data(compressed).write(to: URL(fileURLWithPath: b))
        let serial = try run(mappingPath: mappingPath, inputs: [a, b], threads: 1, rowsPerBlock: 2048, batchSize: 50)
        #expect(serial.counts.allSatisfy { $0[0] == $0[1] + $0[2] + $0[3] })
        #expect(serial.errors.keys.sorted() == ["invalid_json", "invalid_timestamp", "not_an_object"])
        #expect(serial.counts[0][3] > 2000)
        for (threads, rowsPerBlock) in Self.settings.dropFirst() {
            #expect(try run(mappingPath: mappingPath, inputs: [a, b], threads: threads, rowsPerBlock: rowsPerBlock,
                            batchSize: 50) == serial, "threads \(threads), \(rowsPerBlock) rows per block")
        }
        for limit in [1, 1500] {
            let limited = try run(mappingPath: mappingPath, inputs: [a, b], threads: 1, rowsPerBlock: 2048, limit: limit)
            #expect(try run(mappingPath: mappingPath, inputs: [a, b], threads: 2, rowsPerBlock: 7, limit: limit) == limited)
        }
    }

    /// Every shipped NDJSON mapping and its sample, not grouped.
    @Test func shippedNDJSONPairsGiveTheSerialOutcome() throws {
        let pairs = [("pyze/events.yaml", "pyze/events.ndjson.gz"),
                     ("toplyne/user_profiles.yaml", "toplyne/user_profiles.ndjson"),
                     ("talonone/customer_profiles.yaml", "talonone/customer_profiles.ndjson"),
                     ("netcore/activities.yaml", "netcore/activities.ndjson")]
        try checkShipped(pairs)
    }

    /// Each shipped mapping over its sample, serial and with tiny blocks (paths under the repository).
    func checkShipped(_ pairs: [(mapping: String, sample: String)]) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for (mapping, sample) in pairs {
            let mappingPath = root.appendingPathComponent("mappings/" + mapping).path
            let input = root.appendingPathComponent("samples/" + sample).path
            let serial = try run(mappingPath: mappingPath, inputs: [input], threads: 1, rowsPerBlock: 2048, batchSize: 7)
            #expect(serial.counts[0][3] > 0, "\(mapping): no valid records")
            for (threads, rowsPerBlock) in [(2, 1), (3, 5)] {
                #expect(try run(mappingPath: mappingPath, inputs: [input], threads: threads, rowsPerBlock: rowsPerBlock,
                                batchSize: 7) == serial, "\(mapping), threads \(threads), \(rowsPerBlock) per block")
            }
        }
    }

    func gzipBytes(_ bytes: [UInt8]) throws -> [UInt8] {
        let plainPath = directory.appendingPathComponent("plain-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: plainPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-f", plainPath]
        try process.run()
        process.waitUntilExit()
        return Array(try Data(contentsOf: URL(fileURLWithPath: plainPath + ".gz")))
    }
}

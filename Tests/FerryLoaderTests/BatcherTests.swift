import Testing
import FerryCore
import FerryVendors
@testable import FerryLoader

/// A record's JSON of exactly `size` bytes: a JSON string `"xx..x"` whose letters encode `n`.
func record(_ n: Int, size: Int) -> [UInt8] {
    precondition(size >= 3)
    let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
    var body = [UInt8](repeating: letters[n % 26], count: size - 2)
    body[0] = letters[(n / 26) % 26]
    return [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")]
}

func ref(_ n: Int, file: Int = 0) -> RecordRef {
    RecordRef(fileIndex: file, line: n + 2, recordNumber: n + 1)
}

/// Feeds every record, collecting completed batches and the final one.
func batches(_ records: [[UInt8]], envelope: Envelope = .objectArray(key: "events"),
             maxRecords: Int = 500, maxBytes: Int = 1 << 20, batchSize: Int? = nil) -> [Batch] {
    var batcher = Batcher(envelope: envelope, limits: RequestLimits(maxRecords: maxRecords, maxBytes: maxBytes),
                          batchSize: batchSize)
    var out: [Batch] = []
    for (i, r) in records.enumerated() {
        switch batcher.add(r, ref: ref(i)) {
        case .added: break
        case .completed(let batch): out.append(batch)
        case .tooLarge(let limit): Issue.record("record \(i) (\(r.count) bytes) refused as too large (limit \(limit))")
        }
    }
    if let last = batcher.finish() { out.append(last) }
    return out
}

@Suite struct BatcherTests {
    let r1 = Array(#"{"a":1}"#.utf8)
    let r2 = Array(#"{"b":"two"}"#.utf8)

    // MARK: Envelopes

    @Test func objectArrayEnvelopeBytes() throws {
        let out = batches([r1, r2], envelope: .objectArray(key: "events"))
        try #require(out.count == 1)
        #expect(String(decoding: out[0].body, as: UTF8.self) == #"{"events":[{"a":1},{"b":"two"}]}"#)
        // The body is valid JSON with the records in order.
        let parsed = try JSONParser.parse(out[0].body)
        #expect(parsed.value(atPath: "events.1.b") == .string("two"))
    }

    @Test func objectArrayKeyIsEscaped() throws {
        let out = batches([r1], envelope: .objectArray(key: "we\"ird"))
        try #require(out.count == 1)
        #expect(String(decoding: out[0].body, as: UTF8.self) == #"{"we\"ird":[{"a":1}]}"#)
    }

    @Test func arrayEnvelopeBytes() throws {
        let out = batches([r1, r2], envelope: .array)
        try #require(out.count == 1)
        #expect(String(decoding: out[0].body, as: UTF8.self) == #"[{"a":1},{"b":"two"}]"#)
    }

    @Test func singleEnvelopeIsTheRecordItselfOnePerBatch() throws {
        let out = batches([r1, r2], envelope: .single, maxRecords: 500)
        try #require(out.count == 2)
        #expect(out[0].body == r1)
        #expect(out[1].body == r2)
        #expect(out.map(\.records.count) == [1, 1])
        #expect(out[0].recordRanges == [0..<r1.count])
        // batchSize cannot raise a single-record envelope above one either.
        #expect(Batcher(envelope: .single, limits: RequestLimits(maxRecords: 10, maxBytes: 100), batchSize: 5).maxRecords == 1)
    }

    // MARK: Record limit

    @Test func recordsArePackedUpToTheRecordLimit() {
        let records = (0..<7).map { record($0, size: 10) }
        let out = batches(records, maxRecords: 3)
        #expect(out.map(\.records.count) == [3, 3, 1])
        #expect(out.map(\.index) == [0, 1, 2])
    }

    @Test func batchSizeLowersButNeverRaisesTheLimit() {
        let limits = RequestLimits(maxRecords: 500, maxBytes: 1 << 20)
        #expect(Batcher(envelope: .objectArray(key: "events"), limits: limits).maxRecords == 500)
        #expect(Batcher(envelope: .objectArray(key: "events"), limits: limits, batchSize: 2).maxRecords == 2)
        #expect(Batcher(envelope: .objectArray(key: "events"), limits: limits, batchSize: 500).maxRecords == 500)
        #expect(Batcher(envelope: .objectArray(key: "events"), limits: limits, batchSize: 10_000).maxRecords == 500)
        #expect(Batcher(envelope: .objectArray(key: "events"), limits: limits, batchSize: 0).maxRecords >= 1)

        let records = (0..<5).map { record($0, size: 8) }
        #expect(batches(records, maxRecords: 3, batchSize: 2).map(\.records.count) == [2, 2, 1])
        #expect(batches(records, maxRecords: 3, batchSize: 50).map(\.records.count) == [3, 2])
    }

    // MARK: Byte limit

    /// `{"events":[` is 11 bytes and `]}` 2: three 10-byte records make 11 + 30 + 2 commas + 2 = 45.
    @Test func byteLimitCutsAsLateAsPossible() throws {
        let records = (0..<7).map { record($0, size: 10) }
        let exact = batches(records, maxBytes: 45)
        #expect(exact.map(\.records.count) == [3, 3, 1])
        #expect(exact.map(\.body.count) == [45, 45, 11 + 10 + 2])

        let oneShort = batches(records, maxBytes: 44)
        #expect(oneShort.map(\.records.count) == [2, 2, 2, 1])
        #expect(oneShort.allSatisfy { $0.body.count <= 44 })
    }

    @Test func arrayByteLimitIsExact() {
        // `[` + 4 × 5 bytes + 3 commas + `]` = 25.
        let records = (0..<8).map { record($0, size: 5) }
        #expect(batches(records, envelope: .array, maxBytes: 25).map(\.records.count) == [4, 4])
        #expect(batches(records, envelope: .array, maxBytes: 24).map(\.records.count) == [3, 3, 2])
    }

    @Test func bodiesNeverExceedTheLimitAndEachCutIsForced() throws {
        var rng = SplitMix(seed: 42)
        let records = (0..<2000).map { record($0, size: 3 + Int(rng.next() % 200)) }
        let maxBytes = 1000
        let maxRecords = 17
        let out = batches(records, maxRecords: maxRecords, maxBytes: maxBytes)
        #expect(out.reduce(0) { $0 + $1.records.count } == records.count)
        var next = 0
        for (i, batch) in out.enumerated() {
            #expect(batch.index == i)
            #expect(batch.body.count <= maxBytes, "batch \(i) is \(batch.body.count) bytes")
            #expect(batch.records.count <= maxRecords)
            next += batch.records.count
            if i < out.count - 1 {
                // The next record did not fit: adding it (plus a comma) would exceed a limit.
                let forced = batch.records.count == maxRecords || batch.body.count + 1 + records[next].count > maxBytes
                #expect(forced, "batch \(i) was cut early")
            }
        }
    }

    @Test func recordLargerThanTheLimitIsTooLarge() throws {
        // {"events":[ + ]} = 13 bytes of envelope: 50 - 13 = 37 bytes for one record.
        var batcher = Batcher(envelope: .objectArray(key: "events"), limits: RequestLimits(maxRecords: 10, maxBytes: 50))
        guard case .added = batcher.add(record(0, size: 10), ref: ref(0)) else {
            Issue.record("a small record was not added")
            return
        }
        let result = batcher.add(record(1, size: 38), ref: ref(1))
        guard case .tooLarge(let limit) = result else {
            Issue.record("a 38-byte record in a 50-byte request was accepted: \(result)")
            return
        }
        #expect(limit == 37)
        // A record of exactly the limit fits alone (after cutting the pending batch).
        guard case .completed(let first) = batcher.add(record(2, size: 37), ref: ref(2)) else {
            Issue.record("a 37-byte record did not start a new batch")
            return
        }
        #expect(first.records == [ref(0)], "the refused record is not in any batch")
        let finished = batcher.finish()
        let last = try #require(finished)
        #expect(last.body.count == 50)
        #expect(last.records == [ref(2)])
        #expect(last.index == 1)
    }

    @Test func singleEnvelopeTooLarge() {
        var batcher = Batcher(envelope: .single, limits: RequestLimits(maxRecords: 1, maxBytes: 10))
        guard case .tooLarge(let limit) = batcher.add(record(0, size: 11), ref: ref(0)) else {
            Issue.record("an 11-byte record fit a 10-byte request")
            return
        }
        #expect(limit == 10)
        let finished = batcher.finish()
        #expect(finished == nil)
    }

    // MARK: Ranges, refs, order

    @Test func recordRangesSliceBackToEachRecord() throws {
        var rng = SplitMix(seed: 7)
        let records = (0..<300).map { record($0, size: 3 + Int(rng.next() % 60)) }
        for envelope in [Envelope.objectArray(key: "events"), .array, .single] {
            let out = batches(records, envelope: envelope, maxRecords: 25, maxBytes: 700)
            var n = 0
            for batch in out {
                #expect(batch.recordRanges.count == batch.records.count)
                for (range, recordRef) in zip(batch.recordRanges, batch.records) {
                    #expect(Array(batch.body[range]) == records[n], "record \(n) in \(envelope)")
                    #expect(recordRef == ref(n))
                    n += 1
                }
                // Between ranges there is exactly one comma.
                for (a, b) in zip(batch.recordRanges, batch.recordRanges.dropFirst()) {
                    #expect(b.lowerBound == a.upperBound + 1)
                    #expect(batch.body[a.upperBound] == UInt8(ascii: ","))
                }
            }
            #expect(n == records.count)
        }
    }

    @Test func refsKeepTheirOrderAcrossFiles() throws {
        var batcher = Batcher(envelope: .array, limits: RequestLimits(maxRecords: 3, maxBytes: 1000))
        var refs: [RecordRef] = []
        var out: [Batch] = []
        for file in 0..<3 {
            for line in [5, 2, 9] {
                let recordRef = RecordRef(fileIndex: file, line: line, recordNumber: line - 1)
                refs.append(recordRef)
                if case .completed(let b) = batcher.add(r1, ref: recordRef) { out.append(b) }
            }
        }
        if let b = batcher.finish() { out.append(b) }
        #expect(out.flatMap(\.records) == refs)
    }

    // MARK: Determinism and finishing

    @Test func boundariesAreDeterministic() {
        var rng = SplitMix(seed: 99)
        let records = (0..<1000).map { record($0, size: 3 + Int(rng.next() % 120)) }
        let a = batches(records, maxRecords: 40, maxBytes: 2000)
        let b = batches(records, maxRecords: 40, maxBytes: 2000)
        #expect(a.count == b.count)
        #expect(a.count > 1)
        for (x, y) in zip(a, b) {
            #expect(x.index == y.index)
            #expect(x.body == y.body)
            #expect(x.records == y.records)
            #expect(x.recordRanges == y.recordRanges)
        }
    }

    @Test func finishReturnsTheLastPartialBatchThenNil() throws {
        var batcher = Batcher(envelope: .objectArray(key: "events"), limits: RequestLimits(maxRecords: 2, maxBytes: 1000))
        let empty = batcher.finish()
        #expect(empty == nil, "an empty batcher has nothing to finish")
        var completed: [Batch] = []
        for i in 0..<5 {
            if case .completed(let b) = batcher.add(record(i, size: 4), ref: ref(i)) { completed.append(b) }
        }
        #expect(completed.map(\.index) == [0, 1])
        let finished = batcher.finish()
        let last = try #require(finished)
        #expect(last.index == 2)
        #expect(last.records == [ref(4)])
        #expect(String(decoding: last.body, as: UTF8.self) == #"{"events":["ae"]}"#)
        let again = batcher.finish()
        #expect(again == nil, "finish twice gives nothing more")
        // The batcher goes on counting after finish.
        _ = batcher.add(r1, ref: ref(9))
        let later = batcher.finish()
        #expect(later?.index == 3)
    }

    @Test func addedThenCompletedReturnsThePreviousBatch() {
        var batcher = Batcher(envelope: .array, limits: RequestLimits(maxRecords: 2, maxBytes: 1000))
        var results: [String] = []
        for i in 0..<4 {
            switch batcher.add(record(i, size: 3), ref: ref(i)) {
            case .added: results.append("added")
            case .completed(let b): results.append("completed \(b.records.map(\.recordNumber))")
            case .tooLarge: results.append("tooLarge")
            }
        }
        #expect(results == ["added", "added", "completed [1, 2]", "added"])
    }
}

/// A small deterministic generator (SplitMix64), so the tests' sizes are the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct BatcherRecycleTests {
    /// Handing bodies back for reuse changes no body, including bodies the caller kept.
    @Test func recycledBuffersLeaveKeptBatchesIntact() {
        var rng = SplitMix(seed: 5)
        let records = (0..<400).map { record($0, size: 3 + Int(rng.next() % 90)) }
        let reference = batches(records, maxRecords: 20, maxBytes: 900)

        var batcher = Batcher(envelope: .objectArray(key: "events"), limits: RequestLimits(maxRecords: 20, maxBytes: 900))
        var kept: [Batch] = []
        for (i, r) in records.enumerated() {
            if case .completed(let b) = batcher.add(r, ref: ref(i)) {
                kept.append(b)
                batcher.recycle(b)
            }
        }
        if let last = batcher.finish() { kept.append(last) }
        #expect(kept.count == reference.count)
        for (x, y) in zip(kept, reference) {
            #expect(x.index == y.index)
            #expect(x.body == y.body, "batch \(x.index) changed after its buffer was recycled")
            #expect(x.recordRanges == y.recordRanges)
            #expect(x.records.map(\.recordNumber) == y.records.map(\.recordNumber))
        }
    }

    /// A batch recycled as soon as it is written (as `convert` does) lends its arrays to the
    /// next one, which still holds exactly its own records.
    @Test func recycledBatchesAreRebuiltInPlaceCorrectly() {
        var rng = SplitMix(seed: 9)
        let records = (0..<300).map { record($0, size: 3 + Int(rng.next() % 60)) }
        let reference = batches(records, maxRecords: 3, maxBytes: 400)
        var batcher = Batcher(envelope: .objectArray(key: "events"), limits: RequestLimits(maxRecords: 3, maxBytes: 400))
        var seen: [(body: [UInt8], ranges: [Range<Int>], numbers: [Int])] = []
        for (i, r) in records.enumerated() {
            if case .completed(let b) = batcher.add(r, ref: ref(i)) {
                seen.append((Array(b.body), Array(b.recordRanges), b.records.map(\.recordNumber)))
                batcher.recycle(b)
            }
        }
        if let last = batcher.finish() { seen.append((last.body, last.recordRanges, last.records.map(\.recordNumber))) }
        #expect(seen.count == reference.count)
        for (x, y) in zip(seen, reference) {
            #expect(x.body == y.body)
            #expect(x.ranges == y.recordRanges)
            #expect(x.numbers == y.records.map(\.recordNumber))
        }
    }
}

import Testing
import FerryCore
import FerryVendors
@testable import FerryLoader

@Suite struct SpareBatchesTests {
    private func address(_ bytes: [UInt8]) -> UnsafeRawPointer? {
        bytes.withUnsafeBytes { $0.baseAddress }
    }

    /// Batches handed back are filled again in place (batch k is built in the arrays of batch
    /// k - 2, handed back as soon as it was made), and what they held before never shows in
    /// the batches built in them: the same bodies, records and ranges as without spares.
    @Test func handedBackBatchesAreRefilledInPlace() throws {
        // Records of one size, so that no body outgrows the one it is built in.
        let records = (0..<40).map { record($0, size: 12) }
        let expected = batches(records, maxRecords: 3)
        var batcher = Batcher(envelope: .objectArray(key: "events"), limits: RequestLimits(maxRecords: 3, maxBytes: 1 << 20))
        let spares = SpareBatches(maxCount: 8, maxBytes: 1 << 20)
        batcher.spares = spares
        var built: [Batch] = []
        var bodies: [UnsafeRawPointer?] = []
        var recordLists: [UnsafeRawPointer?] = []
        for (i, r) in records.enumerated() {
            guard case .completed(let batch) = batcher.add(r, ref: ref(i)) else { continue }
            bodies.append(batch.body.withUnsafeBytes { $0.baseAddress })
            recordLists.append(batch.records.withUnsafeBytes { $0.baseAddress })
            // Copied as the consumer sees it (`Array(array)` would share the storage and keep
            // it from being reused), then handed back as a sender does.
            built.append(Batch(index: batch.index, body: batch.body.withUnsafeBufferPointer { Array($0) },
                               records: batch.records.withUnsafeBufferPointer { Array($0) },
                               recordRanges: batch.recordRanges.withUnsafeBufferPointer { Array($0) }, path: batch.path))
            spares.put(batch)
        }
        if let last = batcher.finish() { built.append(last) }
        #expect(built.map(\.body) == expected.map(\.body))
        #expect(built.map(\.records) == expected.map(\.records))
        #expect(built.map(\.recordRanges) == expected.map(\.recordRanges))
        #expect(built.map(\.index) == Array(0..<expected.count))
        #expect(bodies.count == expected.count - 1 && bodies.count > 4)
        for k in 2..<bodies.count {
            #expect(bodies[k] == bodies[k - 2], "batch \(k)'s body is built in batch \(k - 2)'s")
            #expect(recordLists[k] == recordLists[k - 2], "batch \(k)'s records are kept in batch \(k - 2)'s")
        }
    }

    /// A batch still held elsewhere when handed back is copied, not overwritten.
    @Test func aBatchStillHeldIsNotOverwritten() {
        var batcher = Batcher(envelope: .array, limits: RequestLimits(maxRecords: 1, maxBytes: 1 << 20))
        let spares = SpareBatches(maxCount: 8, maxBytes: 1 << 20)
        batcher.spares = spares
        guard case .added = batcher.add(Array(#"{"a":1}"#.utf8), ref: ref(0)),
              case .completed(let first) = batcher.add(Array(#"{"b":2}"#.utf8), ref: ref(1)) else {
            Issue.record("expected the first batch to complete")
            return
        }
        let kept = first
        spares.put(first)
        guard case .completed(let second) = batcher.add(Array(#"{"c":3}"#.utf8), ref: ref(2)) else {
            Issue.record("expected the second batch to complete")
            return
        }
        #expect(String(decoding: kept.body, as: UTF8.self) == #"[{"a":1}]"#)
        #expect(String(decoding: second.body, as: UTF8.self) == #"[{"b":2}]"#)
        #expect(kept.records == [ref(0)] && second.records == [ref(1)])
    }

    /// Spares beyond the count or the bodies' capacity are let go, and taken last-in first.
    @Test func sparesAreBounded() {
        func batch(_ index: Int, capacity: Int) -> Batch {
            var body: [UInt8] = []
            body.reserveCapacity(capacity)
            body.append(UInt8(index))
            return Batch(index: index, body: body, records: [ref(index)], recordRanges: [0..<1])
        }
        let byCount = SpareBatches(maxCount: 2, maxBytes: 1 << 30)
        for i in 0..<5 { byCount.put(batch(i, capacity: 16)) }
        #expect(byCount.count == 2)
        #expect(byCount.take()?.index == 1 && byCount.take()?.index == 0 && byCount.take() == nil)
        let byBytes = SpareBatches(maxCount: 100, maxBytes: 10_000)
        for i in 0..<5 { byBytes.put(batch(i, capacity: 4_000)) }
        #expect(byBytes.count == 2, "two bodies of 4,000 bytes fit in 10,000, a third does not")
        _ = byBytes.take()
        byBytes.put(batch(9, capacity: 4_000))
        #expect(byBytes.count == 2 && byBytes.take()?.index == 9)
    }
}

import Testing
@testable import FerryLoader

/// `DeliveryTracker`: pieces settled as accepted (the answer to almost every request) and with
/// refusals give the same counts whichever entry point settles them.
@Suite struct DeliveryTrackerTests {
    static func refs(_ count: Int, pieces: Int = 1, rows: Int = 1, file: Int = 0) -> [RecordRef] {
        (0..<count).map { RecordRef(fileIndex: file, line: $0 + 2, recordNumber: $0, serial: $0, rows: rows, pieces: pieces) }
    }

    @Test func acceptedPiecesCountTheirRowsOnce() {
        let tracker = DeliveryTracker(fileNames: ["a.csv", "b.csv"], deadLetters: nil)
        tracker.settleAccepted(Self.refs(5, rows: 3))
        tracker.settleAccepted(Self.refs(4, file: 1), at: [0, 2])
        #expect(tracker.totals.delivered == [15, 2])
        #expect(tracker.totals.rejected == [0, 0])
    }

    /// A record split over two requests counts when its second piece is settled: delivered
    /// when both were accepted, rejected when the other was refused, whichever came first.
    @Test func splitRecordsCountWhenTheirLastPieceIsSettled() {
        let tracker = DeliveryTracker(fileNames: ["a.csv"], deadLetters: nil)
        let split = Self.refs(3, pieces: 2)
        tracker.settleAccepted(split)
        #expect(tracker.totals.delivered == [0])
        tracker.settle([(split[0], "bad field"), (split[1], nil)])
        tracker.settleAccepted(split, at: [2])
        #expect(tracker.totals.delivered == [2])
        #expect(tracker.totals.rejected == [1])
        #expect(tracker.rejections.count == 1)
        #expect(tracker.rejections.examples.first?.message.hasPrefix("bad field (one of the 2 requests") == true)

        // Refused first, accepted last: still rejected.
        let later = (3..<5).map { RecordRef(fileIndex: 0, line: $0 + 2, recordNumber: $0, serial: $0, pieces: 2) }
        tracker.settle(later.map { ($0, "refused") })
        tracker.settleAccepted(later)
        #expect(tracker.totals.delivered == [2])
        #expect(tracker.totals.rejected == [3])
    }

    /// The same pieces settled through `settle` with no refusals give the same totals.
    @Test func bothEntryPointsAgree() {
        let refs = Self.refs(6, pieces: 2, rows: 2) + Self.refs(4).map { var r = $0; r.serial += 100; return r }
        let one = DeliveryTracker(fileNames: ["a.csv"], deadLetters: nil)
        let other = DeliveryTracker(fileNames: ["a.csv"], deadLetters: nil)
        for _ in 0..<2 {
            one.settleAccepted(refs)
            other.settle(refs.map { ($0, nil) })
        }
        #expect(one.totals.delivered == other.totals.delivered)
        #expect(one.totals.delivered == [6 * 2 + 4 * 2])
    }
}

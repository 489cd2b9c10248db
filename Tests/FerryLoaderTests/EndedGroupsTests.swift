import Testing
@testable import FerryLoader

/// `EndedGroups` against a dictionary: the same answers through growth, with hashes that
/// collide in their low bits, and with the hash 0 (its empty-slot mark).
@Suite struct EndedGroupsTests {
    @Test func answersAsADictionaryWouldThroughGrowth() {
        var table = EndedGroups(capacity: 4)
        var model: [Int: Int] = [:]
        var state: UInt64 = 42
        func random() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(bitPattern: UInt(state >> 1))
        }
        var keys: [Int] = [0, 1, -1, Int.max, 1 << 40, 2 << 40, 3 << 40]   // the last three share their low bits
        for _ in 0..<20_000 { keys.append(random()) }
        for (line, key) in keys.enumerated() {
            #expect(table.line(ofKeyHash: key) == model[key])
            table.note(keyHash: key, line: line + 1)
            model[key] = line + 1
        }
        #expect(table.count == model.count)
        for key in keys { #expect(table.line(ofKeyHash: key) == model[key]) }
        // Keys never noted are not found.
        for _ in 0..<2000 {
            let key = random()
            #expect(table.line(ofKeyHash: key) == model[key])
        }
    }

    @Test func noteMovesAKeysLine() {
        var table = EndedGroups()
        table.note(keyHash: 0, line: 3)
        table.note(keyHash: 0, line: 9)
        table.note(keyHash: 77, line: 4)
        #expect(table.line(ofKeyHash: 0) == 9)
        #expect(table.line(ofKeyHash: 77) == 4)
        #expect(table.line(ofKeyHash: 78) == nil)
        #expect(table.count == 2)
    }
}

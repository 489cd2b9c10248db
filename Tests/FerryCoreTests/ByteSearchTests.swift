import Testing
@testable import FerryCore

/// `ByteSearch` against the byte-by-byte search it replaces in the CSV reader: every start
/// and end around the sixteen-byte vectors (SSE2) and eight-byte words, matches at every
/// position, and the high-bit flag of the bytes skipped.
@Suite struct ByteSearchTests {
    /// What the CSV reader did before: the first of `targets`, and whether a skipped byte is non-ASCII.
    static func naive(_ bytes: [UInt8], _ targets: [UInt8], from start: Int, to end: Int) -> (Int, Bool) {
        var high = false
        for i in start..<end {
            if targets.contains(bytes[i]) { return (i, high) }
            if bytes[i] >= 0x80 { high = true }
        }
        return (end, high)
    }

    static func search(_ bytes: [UInt8], _ targets: [UInt8], from start: Int, to end: Int) -> (Int, Bool) {
        var high: UInt8 = 0
        let found = bytes.withUnsafeBufferPointer { p in
            targets.count == 3
                ? ByteSearch.first(of: targets[0], targets[1], targets[2], in: p.baseAddress!, from: start, to: end, high: &high)
                : ByteSearch.first(of: targets[0], targets[1], in: p.baseAddress!, from: start, to: end, high: &high)
        }
        return (found, high >= 0x80)
    }

    @Test func agreesWithTheByteByByteSearchOnRandomText() {
        var generator = JSONTestRNG(seed: 7)   // seeded: a failure replays
        // Plain letters, the targets, bytes that differ from a target by one bit or by 0x80,
        // and non-ASCII bytes: what trips a word-at-a-time search.
        let alphabet: [UInt8] = Array("abcXYZ019 ".utf8) + [0x2C, 0x0A, 0x0D, 0x22, 0x2D, 0x2E, 0x0B, 0x0C, 0x8A, 0xAC, 0xA2,
                                                             0x00, 0x01, 0xFF, 0xC3, 0xA9, 0x7F, 0x80, 0x3B]
        for trial in 0..<4000 {
            let length = Int(generator.next() % 48)
            // Mostly plain text, so that long stretches without a target occur.
            let bytes = (0..<length).map { _ in
                generator.next() % 4 == 0 ? alphabet[Int(generator.next() % UInt64(alphabet.count))] : UInt8(ascii: "q")
            }
            let targets: [UInt8] = trial % 2 == 0 ? [0x2C, 0x0A, 0x0D] : [0x22, 0x0A]
            for start in 0...length {
                for end in start...length {
                    let want = Self.naive(bytes, targets, from: start, to: end)
                    let got = Self.search(bytes, targets, from: start, to: end)
                    #expect(got == want, "bytes \(bytes), targets \(targets), \(start)..<\(end)")
                    if got != want { return }
                }
            }
        }
    }

    @Test func findsATargetAtEveryPositionOfALongField() {
        for position in 0..<40 {
            for target: UInt8 in [0x2C, 0x0A, 0x0D] {
                var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: 40)
                bytes[position] = target
                #expect(Self.search(bytes, [0x2C, 0x0A, 0x0D], from: 0, to: 40) == (position, false))
            }
        }
        let plain = [UInt8](repeating: UInt8(ascii: "x"), count: 40)
        #expect(Self.search(plain, [0x2C, 0x0A, 0x0D], from: 3, to: 40) == (40, false))
    }

    @Test func reportsOnlyNonASCIIBytesBeforeTheMatch() {
        // "é" after the comma belongs to the next field: the flag is for the bytes skipped.
        let before = Array("abcdé,fghijklmnop".utf8)
        let after = Array("abcdefghij,é".utf8)
        #expect(Self.search(before, [0x2C, 0x0A, 0x0D], from: 0, to: before.count) == (6, true))
        #expect(Self.search(after, [0x2C, 0x0A, 0x0D], from: 0, to: after.count) == (10, false))
        // A non-ASCII byte in a whole word skipped before the match in a later word.
        let far = Array("ééééé1234567,".utf8)
        #expect(Self.search(far, [0x2C, 0x0A, 0x0D], from: 0, to: far.count) == (far.count - 1, true))
    }

    /// A non-ASCII byte and a target at every pair of positions of a 70-byte stretch (four
    /// vectors and a tail, searched from several starts): the flag is set exactly when the
    /// non-ASCII byte lies between the start and the match.
    @Test func flagsANonASCIIByteOnlyBetweenTheStartAndTheMatch() {
        let length = 70
        for start in [0, 1, 7, 15, 16, 17] {
            for high in 0..<length {
                for target in 0..<length where target != high {
                    var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                    bytes[high] = 0xC3
                    bytes[target] = UInt8(ascii: "\"")
                    let want = Self.naive(bytes, [0x22, 0x0A], from: start, to: length)
                    let got = Self.search(bytes, [0x22, 0x0A], from: start, to: length)
                    #expect(got == want, "non-ASCII at \(high), quote at \(target), from \(start)")
                    if got != want { return }
                }
            }
        }
    }

    /// `firstJSONStringStop` (a quote, a backslash or a control character ends a plain run)
    /// against the byte-by-byte rule: a stop and a non-ASCII byte at every pair of positions
    /// of a 70-byte stretch, from starts around the vectors, and random text.
    @Test func jsonStringStopsAgreeWithTheByteByByteRule() {
        func naive(_ bytes: [UInt8], from start: Int, to end: Int) -> (Int, Bool) {
            var high = false
            for i in start..<end {
                if bytes[i] < 0x20 || bytes[i] == 0x22 || bytes[i] == 0x5C { return (i, high) }
                if bytes[i] >= 0x80 { high = true }
            }
            return (end, high)
        }
        func search(_ bytes: [UInt8], from start: Int, to end: Int) -> (Int, Bool) {
            var high: UInt8 = 0
            let found = bytes.withUnsafeBufferPointer { ByteSearch.firstJSONStringStop(in: $0.baseAddress!, from: start, to: end, high: &high) }
            return (found, high >= 0x80)
        }
        let length = 70
        for start in [0, 1, 7, 15, 16, 17, 31] {
            for stop: UInt8 in [0x22, 0x5C, 0x00, 0x1F] {
                for high in 0..<length {
                    for target in 0..<length where target != high {
                        var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                        bytes[high] = 0xC3
                        bytes[target] = stop
                        let want = naive(bytes, from: start, to: length), got = search(bytes, from: start, to: length)
                        #expect(got == want, "non-ASCII at \(high), \(stop) at \(target), from \(start)")
                        if got != want { return }
                    }
                }
            }
        }
        var generator = JSONTestRNG(seed: 11)
        let alphabet: [UInt8] = Array("ab ".utf8) + [0x22, 0x5C, 0x00, 0x1F, 0x20, 0x7F, 0x80, 0xC3, 0xFF, 0x21, 0x5B, 0x5D]
        for _ in 0..<3000 {
            let count = Int(generator.next() % 48)
            let bytes = (0..<count).map { _ in
                generator.next() % 5 == 0 ? alphabet[Int(generator.next() % UInt64(alphabet.count))] : UInt8(ascii: "q")
            }
            for start in 0...count {
                let want = naive(bytes, from: start, to: count), got = search(bytes, from: start, to: count)
                #expect(got == want, "bytes \(bytes) from \(start)")
                if got != want { return }
            }
        }
    }
}

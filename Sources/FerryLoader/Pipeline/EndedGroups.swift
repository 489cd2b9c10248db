/// The groups of a consecutive `group_by` that have ended: each key's 64-bit hash
/// (`String.hashValue`, already seeded and mixed by the standard library) with the line where
/// its group ended, so that a key coming back can be told apart from a new one.
///
/// An open-addressing table with linear probing, rather than a `[Int: Int]`: the dictionary
/// hashed the hash again with SipHash and moved its entries on every growth, which cost about
/// 7% of the grouped benchmark's CPU on its busiest thread. Sixteen bytes an entry, at most
/// three quarters full, as the dictionary was (so the same memory: 8 MiB for 333k groups).
struct EndedGroups {
    /// 0 marks an empty slot; a key hash of 0 is stored as `zeroStandIn` (so it shares a slot
    /// with a hash of `Int.min`: one more 2^-64 chance of two keys taken for one, as any
    /// two keys with the same hash are).
    private var hashes: [Int]
    private var lines: [Int]
    private var mask: Int
    private(set) var count = 0

    private static let zeroStandIn = Int.min

    init(capacity: Int = 1024) {
        var size = 16
        while size * 3 < capacity * 4 { size <<= 1 }
        hashes = Array(repeating: 0, count: size)
        lines = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// The line where the group of the key with this hash ended, if one did.
    func line(ofKeyHash hash: Int) -> Int? {
        let key = hash == 0 ? Self.zeroStandIn : hash
        return hashes.withUnsafeBufferPointer { hashes in
            var slot = key & mask
            while true {
                let stored = hashes[slot]
                if stored == key { return lines[slot] }
                if stored == 0 { return nil }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Reads the first slot of each of these hashes, one after the other with nothing waiting
    /// on a result, so that their cache misses overlap (the table is megabytes, so nearly every
    /// lookup misses): `line(ofKeyHash:)` for the same keys then finds the slots in the cache.
    /// Returns a value made of what was read only so that the reads are not dropped.
    func warm(_ keyHashes: some Sequence<Int>) -> Int {
        hashes.withUnsafeBufferPointer { hashes in
            var sum = 0
            for hash in keyHashes { sum &+= hashes[hash & mask] }
            return sum
        }
    }

    /// Records (or moves) where the group of the key with this hash ended.
    mutating func note(keyHash hash: Int, line: Int) {
        if (count + 1) * 4 > hashes.count * 3 { grow() }
        let key = hash == 0 ? Self.zeroStandIn : hash
        var slot = key & mask
        while true {
            let stored = hashes[slot]
            if stored == key {
                lines[slot] = line
                return
            }
            if stored == 0 {
                hashes[slot] = key
                lines[slot] = line
                count += 1
                return
            }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let oldHashes = hashes
        let oldLines = lines
        let size = hashes.count * 2
        hashes = Array(repeating: 0, count: size)
        lines = Array(repeating: 0, count: size)
        mask = size - 1
        for (index, key) in oldHashes.enumerated() where key != 0 {
            var slot = key & mask
            while hashes[slot] != 0 { slot = (slot + 1) & mask }
            hashes[slot] = key
            lines[slot] = oldLines[index]
        }
    }
}

import CSha256

/// SHA-256 (FIPS 180-4), incremental: `update` any number of times, then `finalize`.
/// Used for Pyze's derived `messageId`. Blocks are compressed with the CPU's SHA extensions
/// when it has them (`CSha256`, x86-64 SHA-NI: several times faster), by the portable Swift
/// code below otherwise. Not constant-time (it hashes record content, never secrets).
public struct SHA256: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    /// Bytes of an incomplete block, at most 63 between calls.
    private var pending: [UInt8] = []
    /// Bytes already compressed (whole blocks).
    private var compressedBytes: UInt64 = 0

    /// Whether blocks go to the CPU's SHA instructions; tests turn it off to check the Swift path.
    private let hardware: Bool

    /// Whether this CPU has the SHA instructions ferry uses.
    public static let hardwareAvailable = ferry_sha256_hw_available() != 0

    public init() {
        self.init(hardware: Self.hardwareAvailable)
    }

    /// `hardware: false` always uses the portable code (for tests).
    public init(hardware: Bool) {
        self.init(hardware: hardware, reservingPending: true)
    }

    private init(hardware: Bool, reservingPending: Bool) {
        self.hardware = hardware && Self.hardwareAvailable
        if reservingPending { pending.reserveCapacity(64) }
    }

    /// The 32-byte digest of `bytes` written to `digest`, in one call and without allocating
    /// (Pyze's messageId hashes every event: the incremental hasher's buffers were four
    /// allocations a hash).
    public static func digest(of bytes: UnsafeRawBufferPointer, into digest: UnsafeMutableRawBufferPointer,
                              hardware: Bool = hardwareAvailable) {
        precondition(digest.count >= 32, "a SHA-256 digest is 32 bytes")
        var hasher = SHA256(hardware: hardware, reservingPending: false)
        let whole = bytes.count / 64
        if whole > 0, let base = bytes.baseAddress { hasher.compress(base, blocks: whole) }
        let rest = bytes.count - 64 * whole
        // The last bytes, 0x80, zeros and the length in bits: one block, or two when fewer than
        // nine bytes are left in the first.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
            let blocks = rest < 56 ? 1 : 2
            let end = 64 * blocks
            if rest > 0, let base = bytes.baseAddress {
                tail.baseAddress!.initialize(from: base.assumingMemoryBound(to: UInt8.self) + 64 * whole, count: rest)
            }
            tail[rest] = 0x80
            for k in (rest + 1)..<(end - 8) { tail[k] = 0 }
            let bits = UInt64(bytes.count) &* 8
            for k in 0..<8 { tail[end - 8 + k] = UInt8(truncatingIfNeeded: bits >> UInt64(56 - 8 * k)) }
            hasher.compress(UnsafeRawPointer(tail.baseAddress!), blocks: blocks)
        }
        let words = hasher.state
        withUnsafeBytes(of: (words.0.bigEndian, words.1.bigEndian, words.2.bigEndian, words.3.bigEndian,
                             words.4.bigEndian, words.5.bigEndian, words.6.bigEndian, words.7.bigEndian)) { raw in
            digest.copyMemory(from: raw)
        }
    }

    /// The 32-byte digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest as 64 lowercase hex digits.
    public static func hex(_ digest: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: digest.count * 2) { text in
            for (index, byte) in digest.enumerated() {
                text[2 * index] = hexDigit(byte >> 4)
                text[2 * index + 1] = hexDigit(byte & 0x0F)
            }
            return digest.count * 2
        }
    }

    /// The lowercase ASCII hex digit of a value below 16.
    @inline(__always)
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x57 + value
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Whole blocks straight from `bytes`; only the ends go through `pending`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var next = bytes.baseAddress, !bytes.isEmpty else { return }
        var left = bytes.count
        if !pending.isEmpty {
            let take = min(left, 64 - pending.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: next, count: take))
            next += take
            left -= take
            guard pending.count == 64 else { return }
            pending.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
            pending.removeAll(keepingCapacity: true)
        }
        if left >= 64 {
            let blocks = left / 64
            compress(next, blocks: blocks)
            next += 64 * blocks
            left -= 64 * blocks
        }
        if left > 0 { pending.append(contentsOf: UnsafeRawBufferPointer(start: next, count: left)) }
    }

    /// The digest; the hasher is spent afterwards (a copy can be finalized to peek).
    public mutating func finalize() -> [UInt8] {
        let bitLength = (compressedBytes + UInt64(pending.count)) &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { all in compress(all.baseAddress!, blocks: all.count / 64) }
        let words = [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7]
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        for word in words {
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        pending.removeAll()
        return digest
    }

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// `blocks` 64-byte blocks from `start`.
    private mutating func compress(_ start: UnsafeRawPointer, blocks: Int) {
        if hardware {
            compressedBytes &+= UInt64(64 * blocks)
            withUnsafeMutableBytes(of: &state) { words in
                ferry_sha256_hw_blocks(words.baseAddress!.assumingMemoryBound(to: UInt32.self),
                                       start.assumingMemoryBound(to: UInt8.self), blocks)
            }
            return
        }
        for block in 0..<blocks { compress(start + 64 * block) }
    }

    /// One 64-byte block at `block`, by the portable code.
    private mutating func compress(_ block: UnsafeRawPointer) {
        compressedBytes &+= 64
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for t in 0..<16 {
                w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
            }
            for t in 16..<64 {
                let s0 = Self.rotr(w[t - 15], 7) ^ Self.rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = Self.rotr(w[t - 2], 17) ^ Self.rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = state
            do {
                let k = ferry_sha256_round_constants()!
                for t in 0..<64 {
                    let s1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ ch &+ k[t] &+ w[t]
                    let s0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    h = g; g = f; f = e; e = d &+ t1
                    d = c; c = b; b = a; a = t1 &+ t2
                }
            }
            state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d,
                     state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
        }
    }
}

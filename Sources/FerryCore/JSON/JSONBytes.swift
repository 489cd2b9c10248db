/// The bytes a ``JSONWriter`` has written: one heap block that doubles when full.
///
/// It replaces a `[UInt8]` whose `append(contentsOf:)`, called for every key, string and
/// number (an out-of-line generic call that checks uniqueness and capacity and copies through
/// the `Sequence` machinery), was about a tenth of a conversion's CPU. Here an append is an
/// inlined capacity check and a copy. Copies of a writer share the block until one of them
/// writes (`makeUnique`, called once by each of the writer's operations, not per append).
struct JSONBytes: @unchecked Sendable {
    final class Block {
        @exclusivity(unchecked) var base: UnsafeMutablePointer<UInt8>
        @exclusivity(unchecked) var count = 0
        @exclusivity(unchecked) var capacity: Int

        init(capacity: Int) {
            self.capacity = max(16, capacity)
            base = .allocate(capacity: self.capacity)
        }

        deinit { base.deallocate() }

        func copy() -> Block {
            let copy = Block(capacity: capacity)
            copy.base.update(from: base, count: count)
            copy.count = count
            return copy
        }

        @inline(never)
        func grow(toHold needed: Int) {
            GrowableStorage.grow(&base, count: count, capacity: &capacity, toFit: needed)
        }
    }

    private var block: Block

    init(capacity: Int) {
        block = Block(capacity: capacity)
    }

    var count: Int { block.count }
    var capacity: Int { block.capacity }
    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: block.base, count: block.count) }

    /// Before writing: gives this value a block of its own if a copy shares it.
    @inline(__always)
    mutating func makeUnique() {
        if _slowPath(!isKnownUniquelyReferenced(&block)) { block = block.copy() }
    }

    /// Room for `n` more bytes; the caller writes them at the returned address and `commit`s.
    /// Only after `makeUnique`.
    @inline(__always)
    func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        let block = block
        if _slowPath(block.capacity &- block.count < n) { block.grow(toHold: block.count + n) }
        return block.base + block.count
    }

    @inline(__always)
    func commit(_ n: Int) { block.count &+= n }

    /// Only after `makeUnique`.
    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1).pointee = byte
        commit(1)
    }

    /// Only after `makeUnique`.
    @inline(__always)
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        guard n > 0, let source = bytes.baseAddress else { return }
        Self.copy(source, to: reserve(n), count: n)
        commit(n)
    }

    /// Copies `n` bytes; the short ones (keys, numbers, most values) with two overlapping
    /// loads and stores instead of a call to `memcpy`, which cost more than the copy.
    @inline(__always)
    static func copy(_ source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count n: Int) {
        let from = UnsafeRawPointer(source)
        let to = UnsafeMutableRawPointer(target)
        if n >= 8 {
            guard n <= 16 else { return target.update(from: source, count: n) }
            let head = from.loadUnaligned(as: UInt64.self)
            let tail = from.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            to.storeBytes(of: head, as: UInt64.self)
            to.storeBytes(of: tail, toByteOffset: n &- 8, as: UInt64.self)
        } else if n >= 4 {
            let head = from.loadUnaligned(as: UInt32.self)
            let tail = from.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
            to.storeBytes(of: head, as: UInt32.self)
            to.storeBytes(of: tail, toByteOffset: n &- 4, as: UInt32.self)
        } else {
            for k in 0..<n { target[k] = source[k] }
        }
    }

    mutating func removeAll() {
        makeUnique()
        block.count = 0
    }

    /// Keeps the first `count` bytes.
    mutating func truncate(to count: Int) {
        precondition(count >= 0 && count <= block.count, "JSONWriter: truncate(to: \(count)) past the \(block.count) bytes written")
        makeUnique()
        block.count = count
    }
}

/// The bytes a ``JSONWriter`` has written: one heap block that doubles when full.
///
/// It replaces a `[UInt8]` whose `append(contentsOf:)`, called for every key, string and
/// number (an out-of-line generic call that checks uniqueness and capacity and copies through
/// the `Sequence` machinery), was about a tenth of a conversion's CPU. Here an append is an
/// inlined capacity check and a copy. Noncopyable, like the writer that holds it, so the
/// block has one owner: no copy-on-write check (a call into the runtime) before each write,
/// and no reference to follow to the block.
///
/// `@usableFromInline`, with its appends `@inlinable`: the writer's per-member calls (a key, a
/// string) are inlined into the mapper in FerryMapping, which saved a call and its register
/// spills for every member written.
@usableFromInline
struct JSONBytes: ~Copyable, @unchecked Sendable {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var count = 0
    @usableFromInline var capacity: Int

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    @inlinable deinit { base.deallocate() }

    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    @usableFromInline @inline(never)
    mutating func grow(toHold needed: Int) {
        GrowableStorage.grow(&base, count: count, capacity: &capacity, toFit: needed)
    }

    /// Room for `n` more bytes; the caller writes them at the returned address and `commit`s.
    @inlinable @inline(__always)
    mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(capacity &- count < n) { grow(toHold: count + n) }
        return base + count
    }

    @inlinable @inline(__always)
    mutating func commit(_ n: Int) { count &+= n }

    @inlinable @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1).pointee = byte
        commit(1)
    }

    @inlinable @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        guard n > 0, let source = bytes.baseAddress else { return }
        Self.copy(source, to: reserve(n), count: n)
        commit(n)
    }

    /// Copies `n` bytes; the short ones (keys, numbers, most values: up to 32 bytes) with
    /// overlapping loads and stores instead of a call to `memcpy`, which cost more than the
    /// copy. Every load comes before the first store, as `memmove` would have it.
    @inlinable @inline(__always)
    static func copy(_ source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count n: Int) {
        let from = UnsafeRawPointer(source)
        let to = UnsafeMutableRawPointer(target)
        if n >= 8 {
            if n > 16 {
                guard n <= 32 else { return target.update(from: source, count: n) }
                // The first sixteen bytes and the last sixteen.
                let a = from.loadUnaligned(as: UInt64.self)
                let b = from.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                let c = from.loadUnaligned(fromByteOffset: n &- 16, as: UInt64.self)
                let d = from.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
                to.storeBytes(of: a, as: UInt64.self)
                to.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
                to.storeBytes(of: c, toByteOffset: n &- 16, as: UInt64.self)
                to.storeBytes(of: d, toByteOffset: n &- 8, as: UInt64.self)
                return
            }
            let head = from.loadUnaligned(as: UInt64.self)
            let tail = from.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            to.storeBytes(of: head, as: UInt64.self)
            to.storeBytes(of: tail, toByteOffset: n &- 8, as: UInt64.self)
        } else if n >= 4 {
            let head = from.loadUnaligned(as: UInt32.self)
            let tail = from.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
            to.storeBytes(of: head, as: UInt32.self)
            to.storeBytes(of: tail, toByteOffset: n &- 4, as: UInt32.self)
        } else if n > 0 {
            // One to three bytes: the first, the middle and the last (some the same byte).
            let first = source[0], middle = source[n &>> 1], last = source[n &- 1]
            target[0] = first
            target[n &>> 1] = middle
            target[n &- 1] = last
        }
    }

    mutating func removeAll() {
        count = 0
    }

    /// Keeps the first `count` bytes.
    mutating func truncate(to count: Int) {
        precondition(count >= 0 && count <= self.count, "JSONWriter: truncate(to: \(count)) past the \(self.count) bytes written")
        self.count = count
    }
}

/// The window of decoded bytes a record reader parses: the unconsumed bytes run from
/// `position` to `length` of `base`. Refilled chunk by chunk from an input; a UTF-8 byte
/// order mark at the very start is dropped. A damaged input's error is kept in
/// `deferredError` so that the bytes before the damage are parsed first.
struct RecordBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var length = 0
    var position = 0
    private(set) var endOfInput = false
    var deferredError: InputError?
    private var atStart = true

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    func deallocate() { base.deallocate() }

    /// Moves the unconsumed bytes to the front, then appends chunks until at least `minimum`
    /// new bytes have arrived or the input ends. Returns how far the bytes moved back, for
    /// callers that keep offsets into the window.
    @discardableResult
    mutating func refill(from input: OpenedInput, minimum: Int) -> Int {
        let shift = position
        let pending = length - position
        if position > 0 {
            if pending > 0 { base.update(from: base + position, count: pending) }
            position = 0
            length = pending
        }
        var appended = 0
        repeat {
            let chunk: UnsafeBufferPointer<UInt8>?
            do {
                chunk = try input.nextChunk()
            } catch {
                deferredError = error
                endOfInput = true
                return shift
            }
            guard var bytes = chunk, !bytes.isEmpty else {
                endOfInput = true
                return shift
            }
            if atStart {
                atStart = false
                if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
                    bytes = UnsafeBufferPointer(rebasing: bytes[3...])
                }
            }
            reserve(length + bytes.count)
            if let source = bytes.baseAddress {
                (base + length).update(from: source, count: bytes.count)
            }
            length += bytes.count
            appended += bytes.count
        } while appended < minimum
        return shift
    }

    private mutating func reserve(_ needed: Int) {
        GrowableStorage.grow(&base, count: length, capacity: &capacity, toFit: needed)
    }
}

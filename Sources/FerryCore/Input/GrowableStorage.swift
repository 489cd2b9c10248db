/// The doubling reallocation shared by the hand-managed buffers (record window, row blocks).
enum GrowableStorage {
    /// Moves the first `count` elements of `storage` to a new allocation that holds at least
    /// `needed` (doubling `capacity` until it does) and frees the old one.
    static func grow<Element>(_ storage: inout UnsafeMutablePointer<Element>, count: Int, capacity: inout Int,
                              toFit needed: Int) {
        guard needed > capacity else { return }
        var larger = max(capacity, 1)
        while larger < needed { larger *= 2 }
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: larger)
        grown.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = grown
        capacity = larger
    }
}

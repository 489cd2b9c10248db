/// The column index of each of a mapping's slots for one CSV file's columns, in memory this
/// object owns, so that `RecordMapper` can read them through a plain pointer
/// (`RecordMapper.csvSlots`): copying an array out of a class retained and released it, which
/// for grouped mappings was several atomic operations per row on the hottest path.
final class ColumnSlots {
    private let indexes: UnsafeMutableBufferPointer<Int>
    /// The indexes, valid while this object lives.
    let view: UnsafeBufferPointer<Int>

    init(_ values: [Int]) {
        indexes = .allocate(capacity: max(1, values.count))
        _ = indexes.initialize(from: values)
        // `indexes.count` is the allocation's (at least 1); the view says how many there are.
        view = UnsafeBufferPointer(rebasing: indexes[..<values.count])
    }

    deinit { indexes.deallocate() }   // plain integers: nothing to deinitialize
}

import NIOConcurrencyHelpers

/// How far the pipeline has read, published after each batch for progress lines: rows read
/// and stored (compressed) input bytes consumed, across all inputs.
public final class PipelineProgress: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var rows = 0
        public var storedBytes: Int64 = 0
    }

    private let box = NIOLockedValueBox(Snapshot())

    public init() {}

    func publish(rows: Int, storedBytes: Int64) {
        box.withLockedValue { $0 = Snapshot(rows: rows, storedBytes: storedBytes) }
    }

    public var snapshot: Snapshot { box.withLockedValue { $0 } }
}

import NIOConcurrencyHelpers

/// Keeps requests that name the same resource (the same filled path: one customer profile,
/// one session) in input order however many are in flight: each such batch is registered
/// in order as the pipeline queues it, and a sender waits for its turn on that path before
/// sending. Requests to other paths, and targets with fixed paths, are not held back.
final class PathSequencer: Sendable {
    private struct State {
        /// Per path, the batch indices queued and not yet done, in order.
        var queued: [String: [Int]] = [:]
        var waiting: [String: [(index: Int, continuation: CheckedContinuation<Void, Never>)]] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// Called by the pipeline's thread, in batch order.
    func register(path: String, index: Int) {
        state.withLockedValue { $0.queued[path, default: []].append(index) }
    }

    /// Waits until every earlier batch for `path` is done.
    func turn(path: String, index: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLockedValue { state -> Bool in
                if state.queued[path]?.first == index { return true }
                state.waiting[path, default: []].append((index, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Batch `index` for `path` is done (answered, or given up): the next may go.
    func done(path: String, index: Int) {
        let next: CheckedContinuation<Void, Never>? = state.withLockedValue { state in
            guard var queue = state.queued[path] else { return nil }
            queue.removeAll { $0 == index }
            if queue.isEmpty {
                state.queued[path] = nil
                return nil
            }
            state.queued[path] = queue
            guard let head = queue.first, var waiters = state.waiting[path],
                  let position = waiters.firstIndex(where: { $0.index == head }) else { return nil }
            let continuation = waiters.remove(at: position).continuation
            state.waiting[path] = waiters.isEmpty ? nil : waiters
            return continuation
        }
        next?.resume()
    }

    /// Releases every waiter (the run is stopping; they will see it and not send).
    func releaseAll() {
        let all = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            let all = state.waiting.values.flatMap { $0.map(\.continuation) }
            state.waiting.removeAll()
            state.queued.removeAll()
            return all
        }
        for continuation in all { continuation.resume() }
    }
}

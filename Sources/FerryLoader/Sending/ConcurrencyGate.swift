import Foundation
import FerryCore
import NIOConcurrencyHelpers

/// Admits requests: no more in flight than the adaptive limit allows (which moves between 1
/// and `--concurrency` with the vendor's health), and no faster than `--rate` per second.
///
/// A lock, not an actor: a sender that finds a slot free takes it without suspending, and
/// releasing never suspends. (As an actor, every request hopped onto the gate and back twice,
/// each hop asking the runtime for the sender's preferred executor: a few percent of ferry's
/// CPU when each request carries one record.)
final class ConcurrencyGate: Sendable {
    private struct State {
        var adaptive: AdaptiveConcurrency
        var bucket: TokenBucket?
        var inFlight = 0
        /// Until the vendor has accepted one request, only one is in flight: a wrong credential
        /// or endpoint costs one request, not `--concurrency` of them.
        var proven = false
        var waiters: [CheckedContinuation<Void, Never>] = []

        var room: Int { (proven ? adaptive.current : 1) - inFlight }
    }

    private let state: NIOLockedValueBox<State>
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    init(maximum: Int, rate: Double?) {
        state = NIOLockedValueBox(State(adaptive: AdaptiveConcurrency(maximum: maximum),
                                        bucket: rate.map { TokenBucket(rate: $0, burst: max(1, min($0, Double(maximum)))) }))
        start = clock.now
    }

    var limit: Int { state.withLockedValue { $0.adaptive.current } }

    /// Waits for a slot (and a rate token); the caller must `release` it.
    func acquire() async {
        while !tryTake() {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let admitted = state.withLockedValue { state -> Bool in
                    if state.room > 0 { return true }
                    state.waiters.append(continuation)
                    return false
                }
                // Room appeared between the try and the wait: try again at once.
                if admitted { continuation.resume() }
            }
        }
        let wait = state.withLockedValue { state -> Double in
            guard state.bucket != nil else { return 0 }
            return state.bucket!.take(at: (clock.now - start).inSeconds)
        }
        if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
    }

    /// Takes a slot when there is room.
    private func tryTake() -> Bool {
        state.withLockedValue { state in
            guard state.room > 0 else { return false }
            state.inFlight += 1
            return true
        }
    }

    func release(_ outcome: AdaptiveConcurrency.Outcome, accepted: Bool) {
        let woken = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.inFlight -= 1
            state.adaptive.record(outcome)
            if accepted { state.proven = true }
            // As many waiters as there is room; each takes its slot in `acquire` (or waits again).
            let count = min(max(0, state.room), state.waiters.count)
            guard count > 0 else { return [] }
            let woken = Array(state.waiters.prefix(count))
            state.waiters.removeFirst(count)
            return woken
        }
        for waiter in woken { waiter.resume() }
    }
}

import Foundation
import FerryCore

/// Admits requests: no more in flight than the adaptive limit allows (which moves between 1
/// and `--concurrency` with the vendor's health), and no faster than `--rate` per second.
actor ConcurrencyGate {
    private var adaptive: AdaptiveConcurrency
    private var bucket: TokenBucket?
    private var inFlight = 0
    /// Until the vendor has accepted one request, only one is in flight: a wrong credential or
    /// endpoint costs one request, not `--concurrency` of them.
    private var proven = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    init(maximum: Int, rate: Double?) {
        adaptive = AdaptiveConcurrency(maximum: maximum)
        bucket = rate.map { TokenBucket(rate: $0, burst: max(1, min($0, Double(maximum)))) }
        start = clock.now
    }

    var limit: Int { adaptive.current }

    /// Waits for a slot (and a rate token); the caller must `release` it.
    func acquire() async {
        while inFlight >= (proven ? adaptive.current : 1) {
            await withCheckedContinuation { waiters.append($0) }
        }
        inFlight += 1
        if bucket != nil {
            if let wait = bucket?.take(at: (clock.now - start).inSeconds), wait > 0 {
                try? await Task.sleep(for: .seconds(wait))
            }
        }
    }

    func release(_ outcome: AdaptiveConcurrency.Outcome, accepted: Bool) {
        inFlight -= 1
        adaptive.record(outcome)
        if accepted { proven = true }
        wake()
    }

    /// Wakes as many waiters as there is room; each re-checks in `acquire`.
    private func wake() {
        var room = (proven ? adaptive.current : 1) - inFlight
        while room > 0, !waiters.isEmpty {
            waiters.removeFirst().resume()
            room -= 1
        }
    }
}

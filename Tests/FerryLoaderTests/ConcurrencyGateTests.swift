import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import FerryLoader

/// The gate every request passes: one request in flight until the vendor accepts one, then up
/// to the limit; a request past the limit waits for a release, and none is lost or let through twice.
@Suite struct ConcurrencyGateTests {
    /// Starts a task that acquires a slot and counts itself in.
    private func acquirer(_ gate: ConcurrencyGate, _ admitted: NIOLockedValueBox<Int>) -> Task<Void, Never> {
        Task {
            await gate.acquire()
            admitted.withLockedValue { $0 += 1 }
        }
    }

    private func settle() async {
        for _ in 0..<20 { await Task.yield() }
        try? await Task.sleep(for: .milliseconds(20))
    }

    @Test func oneRequestUntilTheFirstIsAcceptedThenUpToTheLimit() async {
        let gate = ConcurrencyGate(maximum: 3, rate: nil)
        let admitted = NIOLockedValueBox(0)
        await gate.acquire()   // the first: a free slot, taken at once
        let waiting = (0..<4).map { _ in acquirer(gate, admitted) }
        await settle()
        #expect(admitted.withLockedValue { $0 } == 0, "unproven: only one request in flight")

        gate.release(.success(latency: 0.001), accepted: true)
        await settle()
        #expect(admitted.withLockedValue { $0 } == 3, "proven: the limit of 3 in flight")

        gate.release(.success(latency: 0.001), accepted: true)
        await settle()
        #expect(admitted.withLockedValue { $0 } == 4, "each release lets one more in")
        for task in waiting { await task.value }
        #expect(gate.limit == 3)
    }

    @Test func aFailureBeforeAnyAcceptanceKeepsOneInFlight() async {
        let gate = ConcurrencyGate(maximum: 4, rate: nil)
        let admitted = NIOLockedValueBox(0)
        await gate.acquire()
        let waiting = (0..<3).map { _ in acquirer(gate, admitted) }
        await settle()
        gate.release(.failure, accepted: false)
        await settle()
        #expect(admitted.withLockedValue { $0 } == 1, "still unproven: one in flight")
        gate.release(.success(latency: 0.001), accepted: true)
        await settle()
        #expect(admitted.withLockedValue { $0 } == 3)
        for task in waiting { await task.value }
    }

    /// Many senders on many threads taking and giving back slots: never more than the limit in
    /// flight, and every acquire is admitted in the end.
    @Test func manySendersNeverExceedTheLimit() async {
        let gate = ConcurrencyGate(maximum: 5, rate: nil)
        await gate.acquire()
        gate.release(.success(latency: 0.001), accepted: true)
        let inFlight = NIOLockedValueBox((now: 0, most: 0, done: 0))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    for _ in 0..<200 {
                        await gate.acquire()
                        inFlight.withLockedValue { $0.now += 1; $0.most = max($0.most, $0.now) }
                        if Bool.random() { await Task.yield() }
                        inFlight.withLockedValue { $0.now -= 1; $0.done += 1 }
                        gate.release(.success(latency: 0.001), accepted: true)
                    }
                }
            }
        }
        let figures = inFlight.withLockedValue { $0 }
        #expect(figures.done == 3200)
        #expect(figures.most <= 5)
        #expect(figures.most >= 2, "slots were shared")
    }
}

import Foundation
import FerryCore
import FerryVendors
import NIOConcurrencyHelpers

/// Sends batches to the vendor: concurrent workers pull from the queue, each request goes
/// through the gate (adaptive concurrency, rate), is retried with backoff when the answer
/// or the network says so, and a batch refused for its content is split in halves until
/// the refused records are found. Every outcome is settled in the tracker and the journal.
final class BatchSender: Sendable {
    let builder: RequestBuilder
    let settings: LoadSettings
    let transport: any HTTPTransport
    let queue: BatchQueue
    let tracker: DeliveryTracker
    let journal: CheckpointJournal?
    private let gate: ConcurrencyGate
    /// Keeps requests to the same resource in input order.
    let sequencer = PathSequencer()
    /// Sent batches, handed back to the pipeline's batcher to be filled again.
    let spares: SpareBatches
    private let state = NIOLockedValueBox(SenderState())

    struct SenderState {
        var stats = DeliveryStats()
        var stop: Stop?
    }

    /// Why sending stopped early.
    enum Stop: Sendable {
        case authentication(String)
        case fatal(String)
        case unavailable(String)
        case interrupted
        case journal(String)

        var message: String {
            switch self {
            case .authentication(let reason): return "the vendor refused the credentials: \(reason)"
            case .fatal(let reason): return "the vendor's answer stops the run: \(reason)"
            case .unavailable(let reason): return "the vendor stayed unavailable: \(reason)"
            case .interrupted: return "interrupted: in-flight requests were drained"
            case .journal(let reason): return reason
            }
        }
    }

    init(builder: RequestBuilder, settings: LoadSettings, transport: any HTTPTransport, queue: BatchQueue,
         tracker: DeliveryTracker, journal: CheckpointJournal?) {
        self.builder = builder
        self.settings = settings
        self.transport = transport
        self.queue = queue
        self.tracker = tracker
        self.journal = journal
        gate = ConcurrencyGate(maximum: settings.concurrency, rate: settings.rate)
        // About what the queue holds, at most: the spares are batches the queue held a moment ago.
        spares = SpareBatches(maxCount: BatchQueue.defaultMaxBatches, maxBytes: max(1 << 20, settings.queueBytes / 2))
    }

    var stats: DeliveryStats { state.withLockedValue { $0.stats } }
    var stopReason: Stop? { state.withLockedValue { $0.stop } }
    var isStopping: Bool { state.withLockedValue { $0.stop != nil } }

    /// Stops sending: no new request starts, queued batches stay pending.
    func stop(_ reason: Stop) {
        let first = state.withLockedValue { state -> Bool in
            guard state.stop == nil else { return false }
            state.stop = reason
            return true
        }
        if first {
            _ = queue.abandon()
            sequencer.releaseAll()
        }
    }

    /// Runs `settings.concurrency` workers until the queue is finished or sending stops.
    func run() async {
        let executors = transport.executors
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<settings.concurrency {
                if executors.isEmpty {
                    group.addTask { await self.work() }
                } else {
                    group.addTask(executorPreference: executors[worker % executors.count]) { await self.work() }
                }
            }
        }
        let limit = gate.limit
        state.withLockedValue {
            $0.stats.finalConcurrency = limit
            $0.stats.maxConcurrency = settings.concurrency
            $0.stats.abortReason = $0.stop.map(\.message)
            if case .interrupted? = $0.stop { $0.stats.interrupted = true }
        }
    }

    private func work() async {
        while let item = await queue.next() {
            let path = item.batch.path
            if let path { await sequencer.turn(path: path, index: item.batch.index) }
            if !isStopping {
                await deliver(item.batch, positions: item.positions ?? Array(item.batch.records.indices))
            }
            if let path { sequencer.done(path: path, index: item.batch.index) }
            // Moved, not copied: a copy left `item` holding the arrays a moment longer, and
            // the batcher, taking them in that moment, would have allocated anew.
            spares.put((consume item).batch)
        }
    }

    /// Records what an earlier run settled of a batch (resume) without sending it again; the
    /// positions still open, if any.
    func settleFromCheckpoint(_ batch: Batch, _ settled: CheckpointJournal.Settled) -> [Int] {
        var open: [Int] = []
        var done: [(ref: RecordRef, refusal: String?)] = []
        for (position, ref) in batch.records.enumerated() {
            guard settled.whole || settled.positions.contains(position) else {
                open.append(position)
                continue
            }
            done.append((ref, settled.rejected.contains(position) ? "refused by the vendor in an earlier run" : nil))
        }
        tracker.settle(done, fromCheckpoint: true)
        let resumed = done.count
        state.withLockedValue {
            if open.isEmpty { $0.stats.resumedBatches += 1 }
            $0.stats.resumedRecords += resumed
        }
        return open
    }

    /// Sends the records at `positions` of `batch` (all of them, the half of a split, or what
    /// an earlier run left unsettled).
    func deliver(_ batch: Batch, positions: [Int]) async {
        let whole = positions.count == batch.records.count
        let request = whole ? batch : Self.subBatch(batch, positions: positions, envelope: builder.target.envelope)
        switch await send(request) {
        case .accepted:
            settle(batch, positions: positions, rejected: [:], whole: whole)
        case .partiallyRejected(let refused):
            var rejected: [Int: String] = [:]
            for (index, reason) in refused where index >= 0 && index < positions.count { rejected[positions[index]] = reason }
            settle(batch, positions: positions, rejected: rejected, whole: whole)
        case .rejected(let reason):
            if positions.count == 1 || builder.target.envelope == .single || builder.target.envelope == .none {
                settle(batch, positions: positions, rejected: Dictionary(uniqueKeysWithValues: positions.map { ($0, reason) }),
                       whole: whole)
            } else {
                state.withLockedValue { $0.stats.splits += 1 }
                let middle = positions.count / 2
                await deliver(batch, positions: Array(positions[..<middle]))
                await deliver(batch, positions: Array(positions[middle...]))
            }
        case .stopped:
            return
        }
    }

    private func settle(_ batch: Batch, positions: [Int], rejected: [Int: String], whole: Bool) {
        do throws(CheckpointError) {
            try journal?.settle(batch: batch.index, part: whole ? nil : positions, rejected: rejected.keys.sorted())
        } catch {
            stop(.journal(error.message))
        }
        if rejected.isEmpty {
            tracker.settleAccepted(batch.records, at: whole ? nil : positions)
        } else {
            tracker.settle(positions.map { (batch.records[$0], rejected[$0].map { "the vendor refused it: \($0)" }) })
        }
    }

    /// A batch of some of `batch`'s records, its body rebuilt around them.
    static func subBatch(_ batch: Batch, positions: [Int], envelope: Envelope) -> Batch {
        var batcher = Batcher(envelope: envelope, limits: RequestLimits(maxRecords: Int.max, maxBytes: Int.max))
        for position in positions {
            let range = batch.recordRanges[position]
            _ = batch.body.withUnsafeBufferPointer { all in
                batcher.add(UnsafeBufferPointer(rebasing: all[range]), ref: batch.records[position])
            }
        }
        var sub = batcher.finish() ?? batch
        sub.index = batch.index
        sub.path = batch.path
        return sub
    }

    enum SendOutcome {
        case accepted
        case partiallyRejected([Int: String])
        case rejected(String)
        case stopped
    }

    /// One request until it is answered for good: retried on retryable answers and
    /// transport errors within the retry policy; authentication and fatal answers stop the run.
    private func send(_ batch: Batch) async -> SendOutcome {
        let clock = ContinuousClock()
        let first = clock.now
        var attempt = 1
        while true {
            if isStopping { return .stopped }
            await gate.acquire()
            if isStopping {
                gate.release(.failure, accepted: false)
                return .stopped
            }
            let started = clock.now
            let request = builder.request(for: batch)
            let verdict: ResponseVerdict
            var status: Int?
            do throws(TransportError) {
                let response = try await transport.send(request, timeout: .seconds(settings.timeout))
                status = response.status
                // The clock is read only when there is a Retry-After to read (rarely).
                let retryAfter = response.header("Retry-After").flatMap {
                    RetryPolicy.parseRetryAfter($0, now: Date().timeIntervalSince1970)
                }
                verdict = builder.target.response.verdict(status: response.status, body: response.body, retryAfter: retryAfter)
            } catch {
                verdict = error.kind == .invalidRequest ? .fatal(reason: error.detail) : .retry(reason: error.detail, retryAfter: nil)
                state.withLockedValue { $0.stats.transportErrors[error.kind.rawValue, default: 0] += 1 }
            }
            let latency = (clock.now - started).inSeconds
            let outcome: AdaptiveConcurrency.Outcome
            var answered = false
            switch verdict {
            case .retry where status == 429 || status == 503: outcome = .pushback
            case .retry: outcome = .failure
            case .accepted, .partiallyRejected, .rejected:
                outcome = .success(latency: latency)
                answered = true
            case .authenticationFailed(let reason):
                // Stop before the slot is released, so that no waiting request starts.
                stop(.authentication(reason))
                outcome = .failure
            case .fatal(let reason):
                stop(.fatal(reason))
                outcome = .failure
            }
            gate.release(outcome, accepted: answered)
            state.withLockedValue {
                $0.stats.requests += 1
                $0.stats.bytesSent += Int64(request.body?.count ?? 0)
                if let status { $0.stats.statusCounts[status, default: 0] += 1 }
                $0.stats.latency.record(latency)
            }
            switch verdict {
            case .accepted:
                return .accepted
            case .partiallyRejected(_, let rejected):
                return .partiallyRejected(rejected)
            case .rejected(let reason):
                return .rejected(reason)
            case .authenticationFailed, .fatal:
                return .stopped
            case .retry(let reason, let retryAfter):
                guard let wait = settings.retry.delay(afterAttempt: attempt, elapsed: (clock.now - first).inSeconds,
                                                      retryAfter: retryAfter, random: { Double.random(in: 0..<1) }) else {
                    stop(.unavailable("request \(batch.index + 1) failed \(attempt) time\(attempt == 1 ? "" : "s"), last: \(reason)"))
                    return .stopped
                }
                state.withLockedValue { $0.stats.retries += 1 }
                attempt += 1
                try? await Task.sleep(for: .seconds(wait))
            }
        }
    }
}

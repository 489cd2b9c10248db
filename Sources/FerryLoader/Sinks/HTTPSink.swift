import Dispatch
import FerryCore

/// `load`'s sink: hands each batch to the senders through the bounded queue, and skips the
/// batches an earlier run settled (`--resume`), counting their records from the checkpoint.
/// `finish` waits until every queued batch is answered, so the pipeline's report and dead
/// letters are complete when it returns.
final class HTTPSink: BatchSink, Sendable {
    private let sender: BatchSender
    private let sendingDone: DispatchSemaphore

    init(sender: BatchSender, sendingDone: DispatchSemaphore) {
        self.sender = sender
        self.sendingDone = sendingDone
    }

    func consume(_ batch: Batch) throws(OutputError) {
        var positions: [Int]?
        if let settled = sender.journal?.previous[batch.index] {
            let open = sender.settleFromCheckpoint(batch, settled)
            if open.isEmpty { return }
            // Part of a split batch was settled before the crash: send only the rest.
            positions = open
        }
        if let path = batch.path { sender.sequencer.register(path: path, index: batch.index) }
        if !sender.queue.push(BatchQueue.Delivery(batch: batch, positions: positions)), let path = batch.path {
            sender.sequencer.done(path: path, index: batch.index)
        }
    }

    func finish() throws(OutputError) {
        sender.queue.finish()
        sendingDone.wait()
    }

    var keepsRows: Bool { sender.tracker.keepsRows }

    /// Sent batches, for the pipeline's batcher to fill again.
    var spares: SpareBatches { sender.spares }

    func keep(_ rows: [HeldRow], for serial: Int) { sender.tracker.keep(rows, for: serial) }

    var stopRequested: Bool { sender.isStopping }

    /// The senders are running short when fewer batches wait than half the queue holds.
    var batchesWanted: (@Sendable () -> Bool)? {
        let queue = sender.queue
        return { queue.isRunningLow }
    }
}

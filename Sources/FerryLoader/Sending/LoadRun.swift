import Dispatch
import Foundation
import FerryCore
import FerryMapping
import FerryVendors
import NIOCore

/// A snapshot for progress lines.
public struct LoadProgress: Sendable {
    public var rowsRead: Int
    /// Stored input bytes consumed, and the inputs' total size (nil when unknown: stdin).
    public var storedBytes: Int64
    public var totalBytes: Int64?
    public var requests: Int
    public var retries: Int
    public var deliveredRows: Int
    public var rejectedRows: Int
    public var concurrency: Int
}

/// One `ferry load`: the conversion pipeline on its own thread feeding the senders through
/// a bounded queue, a checkpoint journal, and at the end one report that accounts for every
/// row: read = filtered + invalid + delivered + rejected + pending.
public final class LoadRun: Sendable {
    public struct Job: Sendable {
        public var target: Target
        public var mapping: CompiledMapping
        public var mappingPath: String
        public var inputs: [InputFile]
        public var pipeline: PipelineOptions
        public var settings: LoadSettings
        /// Where the target's path is appended (the vendor's host, `--endpoint`, the sandbox).
        public var baseURL: String
        /// The `Authorization` header's value, when the target sends one.
        public var authorization: String?
        public var checkpoint: CheckpointJournal?
        public var deadLetters: DeadLetterWriter?

        public init(target: Target, mapping: CompiledMapping, mappingPath: String, inputs: [InputFile],
                    pipeline: PipelineOptions, settings: LoadSettings, baseURL: String, authorization: String?,
                    checkpoint: CheckpointJournal?, deadLetters: DeadLetterWriter?) {
            self.target = target
            self.mapping = mapping
            self.mappingPath = mappingPath
            self.inputs = inputs
            self.pipeline = pipeline
            self.settings = settings
            self.baseURL = baseURL
            self.authorization = authorization
            self.checkpoint = checkpoint
            self.deadLetters = deadLetters
        }
    }

    private let job: Job
    private let sender: BatchSender
    private let transport: any HTTPTransport
    private let reading = PipelineProgress()
    private let totalBytes: Int64?

    public init(_ job: Job) {
        var job = job
        job.pipeline.progress = reading
        self.job = job
        var total: Int64? = 0
        for input in job.inputs {
            guard !input.isStdin, let size = (try? FileManager.default.attributesOfItem(atPath: input.path))?[.size] as? NSNumber else {
                total = nil
                break
            }
            total? += size.int64Value
        }
        totalBytes = total
        transport = Self.transport(baseURL: job.baseURL, settings: job.settings)
        let tracker = DeliveryTracker(fileNames: job.inputs.map(\.displayName), deadLetters: job.deadLetters)
        sender = BatchSender(builder: RequestBuilder(target: job.target, baseURL: job.baseURL, authorization: job.authorization),
                             settings: job.settings, transport: transport, queue: BatchQueue(capacity: job.settings.queueDepth, byteBudget: job.settings.queueBytes),
                             tracker: tracker, journal: job.checkpoint)
    }

    /// Plain HTTP goes through ferry's keep-alive client, HTTPS through AsyncHTTPClient.
    static func transport(baseURL: String, settings: LoadSettings) -> any HTTPTransport {
        guard let origin = Origin(baseURL) else { return UnusableTransport(baseURL: baseURL) }
        if origin.scheme == "http" { return KeepAliveTransport(origin: origin, connectTimeout: settings.connectTimeout) }
        return AsyncHTTPClientTransport(origin: origin, settings: settings)
    }

    /// SIGINT/SIGTERM: stop reading, let in-flight requests finish, keep the checkpoint.
    public func interrupt() { sender.stop(.interrupted) }

    /// What has been sent so far (for progress lines).
    public var progress: LoadProgress {
        let stats = sender.stats
        let totals = sender.tracker.totals
        let read = reading.snapshot
        return LoadProgress(rowsRead: read.rows, storedBytes: read.storedBytes, totalBytes: totalBytes,
                            requests: stats.requests, retries: stats.retries,
                            deliveredRows: totals.delivered.reduce(0, +), rejectedRows: totals.rejected.reduce(0, +),
                            concurrency: stats.maxConcurrency)
    }

    public func run() async -> RunReport {
        let done = DispatchSemaphore(value: 0)
        let sending = Task { [sender] in
            await sender.run()
            done.signal()
        }
        let sink = HTTPSink(sender: sender, sendingDone: done)
        let job = self.job
        var report: RunReport = await withCheckedContinuation { continuation in
            let thread = Thread {
                let pipeline = ConversionPipeline(
                    command: "load", target: job.target, mapping: job.mapping, mappingPath: job.mappingPath,
                    inputs: job.inputs, sink: sink, deadLetters: job.deadLetters, options: job.pipeline)
                continuation.resume(returning: pipeline.run())
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        await sending.value
        await transport.shutdown()
        finish(&report)
        return report
    }

    /// Adds what sending did to the pipeline's report and decides the exit code.
    private func finish(_ report: inout RunReport) {
        let stop = sender.stopReason
        if job.checkpoint == nil, let stop {
            sender.tracker.writePending(reason: "not sent: \(stop.message)")
        }
        let totals = sender.tracker.totals
        for index in report.files.indices {
            report.files[index].counts.delivered = totals.delivered[index]
            report.files[index].counts.rejected = totals.rejected[index]
            let counts = report.files[index].counts
            report.files[index].counts.pending = max(0, counts.valid - counts.delivered - counts.rejected)
        }
        if let failure = totals.failure { report.failures.append(failure.description) }
        let rejections = sender.tracker.rejections
        if rejections.count > 0 {
            report.errorCounts["vendor_rejected", default: 0] += rejections.count
            report.errorExamples["vendor_rejected", default: []] += rejections.examples
        }
        job.checkpoint?.sync()
        var stats = sender.stats
        stats.abortReason = stop?.message
        report.delivery = stats
        if let stop, case .interrupted = stop {
            report.exitCode = 130
        } else if stop != nil || totals.failure != nil {
            if let message = stop?.message { report.failures.append(message) }
            report.exitCode = 3
        } else if report.exitCode == 0 && report.totals.rejected > 0 {
            report.exitCode = 1
        }
    }
}

import Foundation
import FerryCore
import FerryLoader

/// Progress on stderr while a load runs: a live line rewritten every second on a terminal,
/// a plain log line every 10 seconds otherwise (cron, CI, Kubernetes logs), nothing with
/// --quiet or --progress never.
final class ProgressPrinter: @unchecked Sendable {
    private let snapshot: @Sendable () -> LoadProgress
    private let live: Bool
    private let enabled: Bool
    private var task: Task<Void, Never>?
    private let started = Date()

    init(mode: ProgressMode, quiet: Bool, snapshot: @escaping @Sendable () -> LoadProgress) {
        self.snapshot = snapshot
        let terminal = isatty(2) == 1
        live = terminal
        enabled = !quiet && mode != .never
    }

    func start() {
        guard enabled else { return }
        let interval: Duration = live ? .seconds(1) : .seconds(10)
        task = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                print(line())
            }
        }
    }

    func stop() {
        task?.cancel()
        task = nil
        if enabled && live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func line() -> String {
        let p = snapshot()
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(p.rowsRead) / seconds
        var text = "load: read \(DisplayNumbers.grouped(p.rowsRead)) rows (\(DisplayNumbers.grouped(Int(rate))) rows/s"
        if let total = p.totalBytes, total > 0 {
            let fraction = min(1, Double(p.storedBytes) / Double(total))
            text += String(format: ", %.1f%%", fraction * 100)
            if fraction > 0.001 && fraction < 1 {
                text += ", ETA " + Self.duration(seconds / fraction - seconds)
            }
        }
        text += "), delivered \(DisplayNumbers.grouped(p.deliveredRows)), failed \(DisplayNumbers.grouped(p.rejectedRows)), "
            + "\(DisplayNumbers.grouped(p.requests)) requests, \(DisplayNumbers.grouped(p.retries)) retries, \(Self.duration(seconds))"
        return text
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }

    private func print(_ text: String) {
        if live {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
        } else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }
}

import Foundation
import FerryCore
import FerryMapping

/// One example of a problem, as the summary and the report show it.
public struct ErrorExample: Sendable {
    public var file: String
    public var line: Int
    public var field: String?
    public var column: String?
    public var value: String?
    public var message: String

    /// `file:line column=value: reason`
    public var description: String {
        var text = "\(file):\(line)"
        if let column {
            text += " \(column)=\(value ?? "")"
        } else if let field, !field.hasPrefix("(") {
            text += value.map { " \(field)=\($0)" } ?? " \(field)"
        }
        return text + ": " + message
    }
}

/// Everything a run did, accounting for every row. Written as JSON by `--report` and
/// summarised on stderr.
public struct RunReport: Sendable {
    public struct FileReport: Sendable {
        public var file: String
        public var format: String?
        public var compression: String?
        public var counts = RunCounts()
        /// Set when the file stopped early (damage, missing columns); counts cover what was read.
        public var failure: String?
        public var failureKind: String?
    }

    public var command: String
    public var target: String
    public var mapping: String
    public var startedAt = Date()
    public var finishedAt = Date()
    public var files: [FileReport] = []
    /// Records produced (rows, or groups of rows for grouped mappings).
    public var records = 0
    public var batches = 0
    /// Rows `group_order: any` wrote to temporary files because they did not fit in memory.
    public var spilledRows = 0
    public var bodyBytes: Int64 = 0
    /// Error kind -> count.
    public var errorCounts: [String: Int] = [:]
    /// Error kind -> the first few examples.
    public var errorExamples: [String: [ErrorExample]] = [:]
    /// Problems that stopped the run outside any one input (an output file that cannot be written).
    public var failures: [String] = []
    public var exitCode: Int32 = 0
    /// Stops the run: set when the row budget of --limit was reached.
    public var limitReached = false
    /// Set when `--max-invalid` stopped the run.
    public var invalidBudgetExceeded = false
    /// What sending did (load only).
    public var delivery: DeliveryStats?

    public static let examplesPerKind = 5

    public init(command: String, target: String, mapping: String) {
        self.command = command
        self.target = target
        self.mapping = mapping
    }

    public var totals: RunCounts {
        var total = RunCounts()
        for file in files { total += file.counts }
        return total
    }

    public var durationSeconds: Double { finishedAt.timeIntervalSince(startedAt) }

    public mutating func recordError(kind: String, example: ErrorExample) {
        errorCounts[kind, default: 0] += 1
        if errorExamples[kind, default: []].count < Self.examplesPerKind {
            errorExamples[kind, default: []].append(example)
        }
    }

    /// Kinds by descending count, then name.
    public var errorKindsByCount: [(kind: String, count: Int)] {
        errorCounts.map { ($0.key, $0.value) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }
}

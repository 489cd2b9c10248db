import Foundation
import FerryCore

extension RunReport {
    static func countsJSON(_ counts: RunCounts, sending: Bool) -> JSONValue {
        var object = JSONObject()
        object.append("read", .int(Int64(counts.read)))
        object.append("filtered", .int(Int64(counts.filtered)))
        object.append("invalid", .int(Int64(counts.invalid)))
        object.append("valid", .int(Int64(counts.valid)))
        if sending {
            object.append("delivered", .int(Int64(counts.delivered)))
            object.append("rejected", .int(Int64(counts.rejected)))
            object.append("pending", .int(Int64(counts.pending)))
        }
        return .object(object)
    }

    /// The report as JSON (DESIGN.md "The report").
    public func json(sending: Bool = false) -> JSONValue {
        var object = JSONObject()
        object.append("command", .string(command))
        object.append("target", .string(target))
        object.append("mapping", .string(mapping))
        object.append("started_at", .string(Self.iso(startedAt)))
        object.append("finished_at", .string(Self.iso(finishedAt)))
        object.append("duration_seconds", .double((durationSeconds * 1000).rounded() / 1000))
        object.append("totals", Self.countsJSON(totals, sending: sending))
        object.append("files", .array(files.map { file in
            var entry = JSONObject()
            entry.append("file", .string(file.file))
            if let format = file.format { entry.append("format", .string(format)) }
            if let compression = file.compression { entry.append("compression", .string(compression)) }
            entry.append("counts", Self.countsJSON(file.counts, sending: sending))
            if let failure = file.failure {
                var f = JSONObject()
                if let kind = file.failureKind { f.append("kind", .string(kind)) }
                f.append("message", .string(failure))
                entry.append("failure", .object(f))
            }
            return .object(entry)
        }))
        object.append("records", .int(Int64(records)))
        object.append("batches", .int(Int64(batches)))
        if spilledRows > 0 { object.append("group_spilled_rows", .int(Int64(spilledRows))) }
        object.append("body_bytes", .int(bodyBytes))
        let seconds = max(durationSeconds, 0.000_001)
        object.append("rows_per_second", .double((Double(totals.read) / seconds).rounded()))
        object.append("errors", .array(errorKindsByCount.map { entry in
            var e = JSONObject()
            e.append("kind", .string(entry.kind))
            e.append("count", .int(Int64(entry.count)))
            e.append("examples", .array((errorExamples[entry.kind] ?? []).map { example in
                var x = JSONObject()
                x.append("file", .string(example.file))
                x.append("line", .int(Int64(example.line)))
                if let field = example.field { x.append("field", .string(field)) }
                if let column = example.column { x.append("column", .string(column)) }
                if let value = example.value { x.append("value", .string(value)) }
                x.append("message", .string(example.message))
                return .object(x)
            }))
            return .object(e)
        }))
        if let delivery { object.append("delivery", Self.deliveryJSON(delivery, seconds: seconds)) }
        if !failures.isEmpty { object.append("failures", .array(failures.map(JSONValue.string))) }
        if limitReached { object.append("limit_reached", .bool(true)) }
        if invalidBudgetExceeded { object.append("max_invalid_exceeded", .bool(true)) }
        object.append("exit_code", .int(Int64(exitCode)))
        return .object(object)
    }

    static func deliveryJSON(_ d: DeliveryStats, seconds: Double) -> JSONValue {
        var object = JSONObject()
        object.append("requests", .int(Int64(d.requests)))
        object.append("retries", .int(Int64(d.retries)))
        object.append("splits", .int(Int64(d.splits)))
        object.append("resumed_batches", .int(Int64(d.resumedBatches)))
        object.append("resumed_records", .int(Int64(d.resumedRecords)))
        var statuses = JSONObject()
        for (status, count) in d.statusCounts.sorted(by: { $0.key < $1.key }) { statuses.append(String(status), .int(Int64(count))) }
        object.append("http_status", .object(statuses))
        var transport = JSONObject()
        for (kind, count) in d.transportErrors.sorted(by: { $0.key < $1.key }) { transport.append(kind, .int(Int64(count))) }
        object.append("transport_errors", .object(transport))
        var latency = JSONObject()
        for (name, fraction) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
            if let value = d.latency.percentile(fraction) { latency.append(name, .double((value * 1e6).rounded() / 1e3)) }
        }
        if d.latency.count > 0 { latency.append("max", .double((d.latency.maximum * 1e6).rounded() / 1e3)) }
        object.append("latency_ms", .object(latency))
        object.append("requests_per_second", .double((Double(d.requests) / seconds * 10).rounded() / 10))
        object.append("bytes_sent", .int(d.bytesSent))
        object.append("concurrency_max", .int(Int64(d.maxConcurrency)))
        object.append("concurrency_final", .int(Int64(d.finalConcurrency)))
        if let reason = d.abortReason { object.append("stopped", .string(reason)) }
        if d.interrupted { object.append("interrupted", .bool(true)) }
        return .object(object)
    }

    static func iso(_ date: Date) -> String { date.iso8601UTC }

    /// The short summary printed on stderr after every run.
    public func summary(sending: Bool = false) -> String {
        let t = totals
        var lines: [String] = []
        var head = "\(command) \(target): read \(Self.grouped(t.read))"
        head += ", filtered \(Self.grouped(t.filtered)), invalid \(Self.grouped(t.invalid)), valid \(Self.grouped(t.valid))"
        if sending {
            head += "; delivered \(Self.grouped(t.delivered)), rejected \(Self.grouped(t.rejected)), pending \(Self.grouped(t.pending))"
        }
        lines.append(head)
        let rate = durationSeconds > 0 ? Double(t.read) / durationSeconds : 0
        lines.append("  \(Self.grouped(records)) record\(records == 1 ? "" : "s") in \(Self.grouped(batches)) request\(batches == 1 ? "" : "s") (\(Self.grouped(Int(bodyBytes))) bytes) in \(String(format: "%.2f", durationSeconds)) s, \(Self.grouped(Int(rate))) rows/s")
        if let d = delivery {
            var line = "  sent \(Self.grouped(d.requests)) HTTP request\(d.requests == 1 ? "" : "s"), \(Self.grouped(d.retries)) retr\(d.retries == 1 ? "y" : "ies"), \(Self.grouped(d.splits)) split\(d.splits == 1 ? "" : "s")"
            if let p50 = d.latency.percentile(0.5), let p99 = d.latency.percentile(0.99) {
                line += String(format: "; latency p50 %.1f ms, p99 %.1f ms", p50 * 1000, p99 * 1000)
            }
            if !d.statusCounts.isEmpty {
                line += "; HTTP " + d.statusCounts.sorted { $0.key < $1.key }.map { "\($0.key)×\(Self.grouped($0.value))" }.joined(separator: " ")
            }
            let transport = d.transportErrors.values.reduce(0, +)
            if transport > 0 { line += "; \(Self.grouped(transport)) without an answer" }
            lines.append(line)
            if d.interrupted {
                lines.append("  INTERRUPTED: the requests in flight were answered; the rest is pending (with --checkpoint, --resume sends it)")
            }
            if d.resumedBatches > 0 || d.resumedRecords > 0 {
                lines.append("  resumed: \(Self.grouped(d.resumedRecords)) records in \(Self.grouped(d.resumedBatches)) batches were settled by an earlier run and not sent again")
            }
        }
        for (kind, count) in errorKindsByCount {
            lines.append("  \(kind): \(Self.grouped(count))")
            for example in errorExamples[kind] ?? [] {
                lines.append("    \(example.description)")
            }
        }
        for file in files {
            if let failure = file.failure { lines.append("  STOPPED \(file.file): \(failure)") }
        }
        if spilledRows > 0 { lines.append("  grouping spilled \(Self.grouped(spilledRows)) rows to temporary files (group_order: any)") }
        for failure in failures { lines.append("  STOPPED: \(failure)") }
        if limitReached { lines.append("  stopped at --limit") }
        if invalidBudgetExceeded { lines.append("  STOPPED: more invalid rows than --max-invalid allows; the mapping is probably wrong") }
        return lines.joined(separator: "\n")
    }

    static func grouped(_ n: Int) -> String { DisplayNumbers.grouped(n) }
}

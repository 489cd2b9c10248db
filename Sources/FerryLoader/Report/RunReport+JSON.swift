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
        if !failures.isEmpty { object.append("failures", .array(failures.map(JSONValue.string))) }
        if limitReached { object.append("limit_reached", .bool(true)) }
        object.append("exit_code", .int(Int64(exitCode)))
        return .object(object)
    }

    static func iso(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        let seconds = Int64(t.rounded(.down))
        let nanos = Int32(((t - Double(seconds)) * 1000).rounded(.down)) * 1_000_000
        return TimestampFormatter.string(Timestamp(seconds: seconds, nanoseconds: nanos), as: .iso8601UTC)
    }

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
        return lines.joined(separator: "\n")
    }

    static func grouped(_ n: Int) -> String { DisplayNumbers.grouped(n) }
}

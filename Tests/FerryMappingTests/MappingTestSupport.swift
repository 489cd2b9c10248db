import Foundation
import FerryCore
@testable import FerryMapping

/// A schema with one field of every kind, for mapping tests.
let testSchema = RecordSchema(fields: [
    FieldSchema("id", .string(), required: true),
    FieldSchema("name", .string(maxLength: 10)),
    FieldSchema("count", .integer),
    FieldSchema("score", .number),
    FieldSchema("active", .boolean),
    FieldSchema("at", .timestamp(.epochSeconds)),
    FieldSchema("when", .timestamp(.iso8601UTC)),
    FieldSchema("local", .timestamp(.rfc3339)),
    FieldSchema("tier", .enumeration(["gold", "silver"])),
    FieldSchema("tags", .array(.string(), maxItems: 3)),
    FieldSchema("numbers", .array(.integer)),
    FieldSchema("props", .object(.propertyBag)),
    FieldSchema("address", .object(RecordSchema(fields: [
        FieldSchema("city", .string(), required: true),
        FieldSchema("zip", .string()),
    ]))),
    FieldSchema("removable", .string(), nullable: true),
])

/// The outcome of one row, with the record's JSON text when valid.
struct Mapped: Equatable {
    var outcome: MapOutcome
    var json: String?
}

func compile(_ yaml: String, schema: RecordSchema = testSchema, environment: [String: String] = [:]) throws -> CompiledMapping {
    let spec = try MappingFileParser.parse(yaml: yaml, file: "test.yaml")
    return try MappingCompiler.compile(spec, schema: schema, defaultTimestampFormat: .epochSeconds, environment: environment)
}

/// Compile errors as `line:column: message`.
func compileErrors(_ yaml: String, schema: RecordSchema = testSchema, environment: [String: String] = [:]) -> [String] {
    do {
        _ = try compile(yaml, schema: schema, environment: environment)
        return []
    } catch let error as MappingError {
        return error.diagnostics.filter { $0.severity == .error }.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    } catch {
        return ["unexpected: \(error)"]
    }
}

/// Maps every row of a CSV text.
func mapCSV(_ yaml: String, _ csv: String, schema: RecordSchema = testSchema, environment: [String: String] = [:]) throws -> [Mapped] {
    let mapping = try compile(yaml, schema: schema, environment: environment)
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-map-\(UUID().uuidString).csv")
    try Data(csv.utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let reader = try CSVReader(input: try OpenedInput(InputFile(path: url.path)))
    let mapper = RecordMapper(mapping: mapping)
    try mapper.bind(csvColumns: reader.columns, file: url.path)
    var writer = JSONWriter()
    var results: [Mapped] = []
    while let event = try reader.next() {
        guard case .row(let row) = event else { continue }
        let outcome = mapper.map(.csv(row), into: &writer)
        results.append(Mapped(outcome: outcome, json: outcome == .valid ? String(decoding: writer.bytes, as: UTF8.self) : nil))
    }
    return results
}

/// Maps every line of an NDJSON text.
func mapNDJSON(_ yaml: String, _ ndjson: String, schema: RecordSchema = testSchema) throws -> [Mapped] {
    let mapping = try compile(yaml, schema: schema)
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-map-\(UUID().uuidString).ndjson")
    try Data(ndjson.utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let mapper = RecordMapper(mapping: mapping)
    mapper.bindNDJSON()
    // Each line is mapped twice: parsed whole (`.ndjson`) and scanned for the mapping's paths
    // (`.ndjsonLine`, what the pipeline reads); the two must agree on every outcome and byte.
    func run(paths: JSONPathSet?) throws -> [Mapped] {
        let reader = NDJSONReader(input: try OpenedInput(InputFile(path: url.path)), paths: paths)
        var writer = JSONWriter()
        var results: [Mapped] = []
        while let event = try reader.next() {
            let row: SourceRow
            switch event {
            case .record(let record): row = .ndjson(record)
            case .line(let line): row = .ndjsonLine(line)
            case .error: continue
            }
            let outcome = mapper.map(row, into: &writer)
            results.append(Mapped(outcome: outcome, json: outcome == .valid ? String(decoding: writer.bytes, as: UTF8.self) : nil))
        }
        return results
    }
    let parsed = try run(paths: nil)
    let scanned = try run(paths: mapper.ndjsonScanPaths)
    guard parsed == scanned else { throw PathsDisagree(parsed: parsed, scanned: scanned) }
    return parsed
}

/// The scanned-line fast path mapped some line differently from the parsed tree.
struct PathsDisagree: Error, CustomStringConvertible {
    let parsed: [Mapped]
    let scanned: [Mapped]
    var description: String { "parsed lines gave \(parsed), scanned lines \(scanned)" }
}

extension Mapped {
    var errors: [FieldError] {
        if case .invalid(let errors) = outcome { return errors }
        return []
    }
}

import ArgumentParser
import FerryCore
import FerryLoader
import FerryMapping
import FerryVendors

/// Options shared by validate, convert and load.
struct RunOptions: ParsableArguments {
    @Option(name: [.short, .customLong("mapping")], help: "The mapping file (YAML).")
    var mapping: String

    @Argument(help: "Input files, directories or - for standard input.")
    var inputs: [String]

    @Option(help: "Write the JSON report to this file.")
    var report: String?

    @Option(name: .customLong("dead-letters"), help: "Write every row not delivered to this NDJSON file (.gz to compress), with its reason and original fields.")
    var deadLetters: String?

    @Option(help: "Stop after reading this many rows.")
    var limit: Int?

    @Option(name: .customLong("batch-size"), help: "Records per request (at most the target's limit).")
    var batchSize: Int?

    @Option(name: .customLong("group-memory"), help: "MiB of rows group_order: any keeps in memory before spilling to temporary files.")
    var groupMemory: Int = 64

    @Option(help: "Read every input as csv, tsv or ndjson, whatever the mapping's source.format says (e.g. dead letters, which are NDJSON).")
    var format: String?

    @Option(help: "Threads that map rows, the reading one included (default: one per core; 1 does everything on the reading thread).")
    var threads: Int?

    @Flag(help: "No summary on stderr.")
    var quiet = false

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit cannot be negative") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if groupMemory < 1 { throw ValidationError("--group-memory must be at least 1 (MiB)") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads takes 1 to 256, not \(threads)") }
        if let format, InputFormat(rawValue: format.lowercased()) == nil {
            throw ValidationError("--format takes csv, tsv or ndjson, not '\(format)'")
        }
    }

    /// Loads the mapping and resolves the inputs; mapping problems exit 2, missing inputs 3.
    func prepare() throws -> (LoadedMapping, [InputFile]) {
        let loaded: LoadedMapping
        do {
            loaded = try MappingLoader.load(path: mapping)
        } catch {
            printError(error.description)
            printError("\(mapping): the mapping cannot be used; nothing was read or sent")
            throw ExitCode(2)
        }
        if !quiet { for warning in loaded.compiled.warnings { printError(warning.description) } }
        let mappedFields = Set(loaded.compiled.spec.root.fields.map(\.name))
        if let problem = loaded.target.adjuster?.preflight(mappedFields: mappedFields) {
            printError("ferry: \(loaded.target.name): \(problem.message); nothing was read or sent")
            throw ExitCode(2)
        }
        do {
            return (loaded, try InputFile.resolve(inputs))
        } catch {
            printError("ferry: \(error.description)")
            throw ExitCode(3)
        }
    }

    /// Runs the pipeline into `sink`, writes the report, prints the summary, exits with the run's code.
    func execute(command: String, loaded: LoadedMapping, files: [InputFile], sink: BatchSink) throws {
        let deadLetterWriter = try openDeadLetters(append: false)
        let pipeline = ConversionPipeline(
            command: command, target: loaded.target, mapping: loaded.compiled, mappingPath: mapping,
            inputs: files, sink: sink, deadLetters: deadLetterWriter,
            options: pipelineOptions)
        let result = pipeline.run()
        try conclude(result, sending: false)
    }

    var pipelineOptions: PipelineOptions {
        var options = PipelineOptions(limit: limit, batchSize: batchSize, groupMemory: groupMemory << 20)
        options.format = format.flatMap { InputFormat(rawValue: $0.lowercased()) }
        if let threads { options.mappingThreads = threads }
        return options
    }

    /// The dead-letter file, if asked for; exit 3 when it cannot be created.
    func openDeadLetters(append: Bool) throws -> DeadLetterWriter? {
        var deadLetterWriter: DeadLetterWriter?
        if let deadLetters {
            do {
                deadLetterWriter = try DeadLetterWriter(path: deadLetters, append: append)
            } catch {
                printError("ferry: \(error.description)")
                throw ExitCode(3)
            }
        }
        return deadLetterWriter
    }

    /// Writes the report, prints the summary, exits with the run's code.
    func conclude(_ finished: RunReport, sending: Bool) throws {
        var result = finished
        if let report {
            do {
                let file = try OutputFile(path: report)
                try file.write(JSONWriter.serialize(result.json(sending: sending)) as [UInt8])
                try file.write("\n")
                try file.close()
            } catch {
                printError("ferry: cannot write the report: \(error.description)")
                result.exitCode = 3
            }
        }
        if !quiet { printError(result.summary(sending: sending)) }
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}

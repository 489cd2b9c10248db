import ArgumentParser
import Foundation
import FerryLoader

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write the request bodies exactly as load would send them.",
        discussion: """
        -o DIR writes one file per request (request-000001.json, ...) and requests.ndjson \
        listing them; -o FILE.ndjson (or .jsonl, either with .gz, or - for stdout) writes \
        one record per line without the envelope. Same report, dead letters and exit codes \
        as validate.
        """)

    @OptionGroup var options: RunOptions

    @Option(name: .shortAndLong, help: "Output directory, or FILE.ndjson[.gz] / FILE.jsonl[.gz] / - for one record per line.")
    var output: String

    static func isRecordLines(_ path: String) -> Bool {
        var name = path.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        return path == "-" || name.hasSuffix(".ndjson") || name.hasSuffix(".jsonl")
    }

    func run() throws {
        let (loaded, files) = try options.prepare()
        let sink: BatchSink
        do {
            if Self.isRecordLines(output) {
                sink = try RecordLinesSink(path: output)
            } else {
                sink = try DirectorySink(directory: output, target: loaded.target)
            }
        } catch {
            printError("ferry: \(error.description)")
            throw ExitCode(3)
        }
        try options.execute(command: "convert", loaded: loaded, files: files, sink: sink)
    }
}

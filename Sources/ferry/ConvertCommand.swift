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
        one record per line without the envelope, as does a device or a named pipe (-o /dev/null \
        to measure, -o /dev/stdout). Same report, dead letters and exit codes \
        as validate.
        """)

    @OptionGroup var options: RunOptions

    @Option(name: .shortAndLong, help: "Output directory, or FILE.ndjson[.gz] / FILE.jsonl[.gz] / - / a device or pipe for one record per line.")
    var output: String

    static func isRecordLines(_ path: String) -> Bool {
        var name = path.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        return path == "-" || name.hasSuffix(".ndjson") || name.hasSuffix(".jsonl") || isDeviceOrPipe(path)
    }

    /// An existing character device (`/dev/null`, `/dev/stdout`) or named pipe: a stream of
    /// lines, never a directory to create.
    static func isDeviceOrPipe(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        return type == S_IFCHR || type == S_IFIFO
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

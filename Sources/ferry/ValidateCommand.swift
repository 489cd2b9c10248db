import ArgumentParser
import FerryLoader

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Dry run: read, map and validate every row against the target; nothing is sent.",
        discussion: """
        Prints a summary (rows read, filtered, invalid, valid; errors by kind with the first \
        examples as file:line column=value: reason). Exit 0 when every row is valid or \
        filtered, 1 when some are invalid, 2 for a mapping error, 3 when an input cannot be read.
        """)

    @OptionGroup var options: RunOptions

    @Option(help: "Print the first N request bodies exactly as they would be sent.")
    var preview: Int = 0

    func run() throws {
        let (loaded, files) = try options.prepare()
        let sink: BatchSink
        do {
            sink = preview > 0 ? try PreviewSink(count: preview, then: NullSink()) : NullSink()
        } catch {
            printError("ferry: \(error.description)")
            throw ExitCode(3)
        }
        try options.execute(command: "validate", loaded: loaded, files: files, sink: sink)
    }
}

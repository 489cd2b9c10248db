import ArgumentParser
import FerryCore

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe inputs: compression, format, columns with types and empty shares, counts, first records.",
        discussion: """
        Reads every record of each input (a file, a directory of files, or - for stdin) \
        and guesses column types from the first --sample records. Start here when writing \
        a mapping for an unknown export.

        Exit codes: 0 every record read cleanly; 1 some row errors; 3 an input could not be \
        read to its end (missing file, damaged gzip).
        """
    )

    @Argument(help: "Input files, directories or - for standard input.")
    var inputs: [String]

    @Flag(help: "Print the report as JSON (one object per input, in an array).")
    var json = false

    @Option(help: "Force the format: csv, tsv or ndjson (default: from the file name, else sniffed).")
    var format: String?

    @Option(help: "Force the CSV delimiter: , ; | or tab (default: sniffed).")
    var delimiter: String?

    @Option(help: "CSV quote character, or 'none' to read quotes literally.")
    var quote: String = "\""

    @Flag(help: "The CSV has no header row; give --columns.")
    var noHeader = false

    @Option(help: "Comma-separated column names to use instead of the header row.")
    var columns: String?

    @Option(help: "Records used to guess column types.")
    var sample: Int = 10_000

    @Option(help: "Records to show as JSON.")
    var head: Int = 3

    func validate() throws {
        if let format, InputFormat(rawValue: format) == nil {
            throw ValidationError("--format must be csv, tsv or ndjson, not '\(format)'")
        }
        if let delimiter, CSVOptions.delimiter(named: delimiter) == nil {
            throw ValidationError("--delimiter must be one ASCII character such as , ; | or the word tab")
        }
        if quote != "none", quote.utf8.count != 1 {
            throw ValidationError("--quote must be one ASCII character or 'none'")
        }
        if noHeader && columns == nil {
            throw ValidationError("--no-header needs --columns a,b,c")
        }
        if sample < 0 || head < 0 {
            throw ValidationError("--sample and --head cannot be negative")
        }
    }

    func run() throws {
        let files: [InputFile]
        do {
            files = try InputFile.resolve(inputs)
        } catch {
            printError("ferry: \(error.description)")
            throw ExitCode(3)
        }
        var options = InspectOptions()
        options.format = format.flatMap(InputFormat.init(rawValue:))
        options.delimiter = delimiter.flatMap(CSVOptions.delimiter(named:))
        options.quote = quote == "none" ? nil : quote.utf8.first
        options.hasHeader = !noHeader
        options.columns = columns.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        options.sampleSize = sample
        options.headCount = head
        let inspector = Inspector(options: options)

        var reports: [InspectReport] = []
        for file in files {
            let report = inspector.inspect(file)
            if !json {
                print(report.text)
            }
            if let failure = report.failure {
                printError("ferry: \(failure.description)")
            }
            reports.append(report)
        }
        if json {
            print(JSONWriter.serialize(.array(reports.map(\.json))) as String)
        }
        if reports.contains(where: { $0.failure != nil }) { throw ExitCode(3) }
        if reports.contains(where: { $0.rowErrors > 0 }) { throw ExitCode(1) }
    }
}

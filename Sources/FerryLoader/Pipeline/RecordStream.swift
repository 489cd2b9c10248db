import FerryCore
import FerryMapping

/// One opened input, read as the mapping's `source:` says (or as detected).
final class RecordStream {
    enum Reader {
        case csv(CSVReader)
        case ndjson(NDJSONReader)
    }

    enum Event {
        case row(SourceRow)
        case error(RowError)
    }

    let input: OpenedInput
    let reader: Reader
    let format: InputFormat

    /// Opens `file`, choosing the format from `source.format`, else the file name, else the content.
    /// `override` (`--format`) wins over the mapping, for reading back dead letters (NDJSON)
    /// with the mapping that refused them.
    /// `ndjsonPaths`: NDJSON lines are scanned for these paths and come as `.ndjsonLine` rows
    /// (lines the scanner leaves to the parser still come as `.ndjson`).
    init(file: InputFile, source: SourceSpec, override: InputFormat? = nil, ndjsonPaths: JSONPathSet? = nil) throws(InputError) {
        input = try OpenedInput(file)
        let prefix = try input.peek()
        format = override ?? source.format?.value ?? InputFormat.fromName(file.formatHintName) ?? InputFormat.sniff(prefix)
        switch format {
        case .ndjson:
            reader = .ndjson(NDJSONReader(input: input, paths: ndjsonPaths))
        case .csv, .tsv:
            let quote: UInt8? = source.quote.map(\.value) ?? UInt8(ascii: "\"")
            let delimiter = source.delimiter?.value
                ?? (format == .tsv ? 0x09 : InputFormat.sniffDelimiter(prefix, quote: quote))
            let options = CSVOptions(delimiter: delimiter, quote: quote,
                                     hasHeader: source.header?.value ?? true, columns: source.columns?.value)
            reader = .csv(try CSVReader(input: input, options: options))
        }
    }

    /// CSV column names (empty for NDJSON).
    /// Whether rows come from the CSV reader (CSV or TSV), not as NDJSON lines.
    var readsDelimitedText: Bool {
        if case .csv = reader { return true }
        return false
    }

    var columns: [String] {
        if case .csv(let csv) = reader { return csv.columns }
        return []
    }

    func next() throws(InputError) -> Event? {
        switch reader {
        case .csv(let csv):
            switch try csv.next() {
            case .row(let row)?: return .row(.csv(row))
            case .error(let error)?: return .error(error)
            case nil: return nil
            }
        case .ndjson(let ndjson):
            switch try ndjson.next() {
            case .record(let record)?: return .row(.ndjson(record))
            case .line(let line)?: return .row(.ndjsonLine(line))
            case .error(let error)?: return .error(error)
            case nil: return nil
            }
        }
    }
}

import Foundation
@testable import FerryCore

/// Everything a reader produced for one input.
struct ReadResult {
    var columns: [String] = []
    var rows: [[String]] = []
    var lines: [Int] = []
    var errors: [RowError] = []
    var failure: InputError?
}

func writeFile(_ bytes: [UInt8], name: String, in directory: URL) throws -> String {
    let url = directory.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

func writeFile(_ text: String, name: String, in directory: URL) throws -> String {
    try writeFile(Array(text.utf8), name: name, in: directory)
}

func readCSV(_ path: String, options: CSVOptions = CSVOptions(), chunkSize: Int = OpenedInput.defaultChunkSize,
             maxRecordBytes: Int = 64 << 20, inflater: Inflater = .preferred) throws -> ReadResult {
    var result = ReadResult()
    do {
        let input = try OpenedInput(InputFile(path: path), chunkSize: chunkSize, inflater: inflater)
        let reader = try CSVReader(input: input, options: options, maxRecordBytes: maxRecordBytes)
        result.columns = reader.columns
        while let event = try reader.next() {
            switch event {
            case .row(let row):
                result.rows.append(row.strings)
                result.lines.append(row.line)
            case .error(let error):
                result.errors.append(error)
            }
        }
    } catch {
        result.failure = error
    }
    return result
}

func readNDJSON(_ path: String, chunkSize: Int = OpenedInput.defaultChunkSize, maxLineBytes: Int = 256 << 20) throws
    -> (records: [NDJSONRecord], errors: [RowError], failure: InputError?)
{
    var records: [NDJSONRecord] = []
    var errors: [RowError] = []
    do {
        let input = try OpenedInput(InputFile(path: path), chunkSize: chunkSize)
        let reader = NDJSONReader(input: input, maxLineBytes: maxLineBytes)
        while let event = try reader.next() {
            switch event {
            case .record(let record): records.append(record)
            case .line(let line): records.append(line.record())
            case .error(let error): errors.append(error)
            }
        }
    } catch {
        return (records, errors, error)
    }
    return (records, errors, nil)
}

/// Reads the whole decoded content of an input.
func readAllBytes(_ path: String, chunkSize: Int = OpenedInput.defaultChunkSize, inflater: Inflater = .preferred)
    throws(InputError) -> (bytes: [UInt8], compression: Compression)
{
    let input = try OpenedInput(InputFile(path: path), chunkSize: chunkSize, inflater: inflater)
    var bytes: [UInt8] = []
    while let chunk = try input.nextChunk() { bytes.append(contentsOf: chunk) }
    return (bytes, input.compression)
}

/// Compresses with the system gzip, as users' files are made.
func gzip(_ bytes: [UInt8], level: Int = 6) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-c", "-\(level)"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let writer = Thread {
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Array(data)
}

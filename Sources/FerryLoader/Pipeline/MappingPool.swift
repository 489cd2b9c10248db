import Foundation
import FerryCore
import FerryMapping

/// Rows copied out of the reader (CSV records or NDJSON lines), and what mapping made of each:
/// the unit handed to the mapping threads. The pipeline fills the rows and `entries`; a
/// mapping thread fills the rest.
final class MappedBlock: @unchecked Sendable {
    /// One row read, in reading order: a row of `rows` or `lines` by index, or a row the reader
    /// could not use (its error in `readErrors`). Plain data, so that filling and walking the
    /// entries of every row copies no reference-counted payload.
    struct Entry {
        /// >= 0: the row's index; otherwise `~raw` indexes `readErrors`.
        let raw: Int32

        static func row(_ index: Int32) -> Entry { Entry(raw: index) }

        /// The row's index, nil for a read error.
        @inline(__always) var rowIndex: Int? { raw >= 0 ? Int(raw) : nil }
        @inline(__always) var errorIndex: Int { Int(~raw) }
    }

    /// What the rows are and how to read them.
    enum Source {
        /// CSV records of a file with these columns (shared with the pipeline, not copied).
        case csv(columns: [String])
        /// NDJSON lines of the named file, scanned for the mapping's paths where it can.
        case ndjson(fileName: String, paths: JSONPathSet?)
    }

    enum Kind: UInt8 {
        case filtered, valid, invalid
        /// An NDJSON line that is not a JSON object: `errors` indexes `rowErrors`.
        case unreadable
    }

    struct Outcome {
        var kind: Kind
        /// Where the record's JSON ends in `output` (it starts where the previous one ended).
        var end: Int
        /// `JSONWriter.rootMemberCount` of the record.
        var fields: Int
        /// `RecordMapper.lastRecordIsFlat` for the record.
        var flat: Bool
        /// Index into `errorLists` for an invalid row, into `rowErrors` for an unreadable one.
        var errors: Int32
    }

    /// A group of consecutive rows of a grouped mapping's block, mapped into one record.
    struct Group {
        /// `String.hashValue` of the group's key (for the pipeline's check that keys do not come back).
        var keyHash: Int
        var kind: Kind
        /// Where the record's JSON ends in `output` (it starts where the previous group's ended).
        var end: Int
        var fields: Int
        var flat: Bool
        /// Index into `errorLists` for an invalid group.
        var errors: Int32
    }

    // One thread at a time touches a block: the pipeline fills it, hands it to the pool, a
    // mapping thread maps it, and the pipeline takes it back (each hand-over under the pool's
    // lock). So the run-time exclusivity checks, a few percent of the run, are off for it.
    let rows = CSVRowBlock()
    let lines = NDJSONLineBlock()
    @exclusivity(unchecked) var entries: [Entry] = []
    /// The errors of the rows the reader could not use (see `Entry`).
    @exclusivity(unchecked) var readErrors: [RowError] = []
    @exclusivity(unchecked) var fileIndex = 0
    @exclusivity(unchecked) var source = Source.csv(columns: [])
    @exclusivity(unchecked) var outcomes: [Outcome] = []
    /// The valid rows' records, one after the other.
    @exclusivity(unchecked) var output = JSONWriter(capacity: 1 << 16)
    @exclusivity(unchecked) var errorLists: [[FieldError]] = []
    @exclusivity(unchecked) var rowErrors: [RowError] = []
    /// Whether the rows are grouped (`group_by`, consecutive): the block then holds whole
    /// groups, and the mapping thread fills `rowGroups` and `groups` instead of `outcomes`.
    @exclusivity(unchecked) var grouped = false
    /// Grouped: the index in `groups` of each row's group, -1 for a filtered row.
    @exclusivity(unchecked) var rowGroups: [Int32] = []
    @exclusivity(unchecked) var groups: [Group] = []
    /// Set by the mapping thread under the pool's lock.
    fileprivate var mapped = false

    func reset(fileIndex: Int, source: Source, grouped: Bool) {
        rowGroups.removeAll(keepingCapacity: true)
        groups.removeAll(keepingCapacity: true)
        self.grouped = grouped
        rows.removeAll()
        lines.removeAll()
        entries.removeAll(keepingCapacity: true)
        readErrors.removeAll(keepingCapacity: true)
        outcomes.removeAll(keepingCapacity: true)
        output.reset()
        errorLists.removeAll(keepingCapacity: true)
        rowErrors.removeAll(keepingCapacity: true)
        mapped = false
        self.fileIndex = fileIndex
        self.source = source
    }

    /// Notes a row the reader could not use.
    func appendReadError(_ error: RowError) {
        readErrors.append(error)
        entries.append(Entry(raw: ~Int32(readErrors.count - 1)))
    }

    /// The read error of an entry that is not a row.
    func readError(_ entry: Entry) -> RowError { readErrors[entry.errorIndex] }

    /// Rows held, whichever kind.
    var rowCount: Int { rows.count + lines.count }
    var byteCount: Int { rows.byteCount + lines.byteCount }

    /// The CSV columns (empty for NDJSON).
    var columns: [String] {
        if case .csv(let columns) = source { return columns }
        return []
    }

    /// Maps every row with `mapper` (bound to this block's file), writing the records one
    /// after the other into `output`. NDJSON lines are decoded with `decoder` first.
    func map(with mapper: RecordMapper, decoder: NDJSONLineDecoder?) {
        if grouped { return mapGroups(with: mapper) }
        outcomes.reserveCapacity(rowCount)
        for index in 0..<rows.count { note(mapper.map(.csv(rows.row(index)), appendingTo: &output), mapper) }
        guard let decoder else { return }
        for index in 0..<lines.count {
            let text = lines.line(index)
            switch decoder.decode(text.bytes, line: text.line, recordNumber: text.recordNumber) {
            case .line(let scanned): note(mapper.map(.ndjsonLine(scanned), appendingTo: &output), mapper)
            case .record(let record): note(mapper.map(.ndjson(record), appendingTo: &output), mapper)
            case .error(let error):
                rowErrors.append(error)
                outcomes.append(Outcome(kind: .unreadable, end: output.count, fields: 0, flat: false,
                                        errors: Int32(rowErrors.count - 1)))
            }
        }
    }

    /// Filters the CSV rows, forms groups of consecutive rows with the same key and maps each
    /// group into one record, one after the other in `output`.
    private func mapGroups(with mapper: RecordMapper) {
        rowGroups.reserveCapacity(rows.count)
        var members: [SourceRow] = []
        var key = ""
        func finishGroup() {
            guard !members.isEmpty else { return }
            var group = Group(keyHash: key.hashValue, kind: .valid, end: 0, fields: 0, flat: false, errors: -1)
            switch mapper.mapGroup(members, appendingTo: &output) {
            case .filtered:
                group.kind = .filtered
            case .invalid(let errors):
                errorLists.append(errors)
                group.kind = .invalid
                group.errors = Int32(errorLists.count - 1)
            case .valid:
                group.fields = output.rootMemberCount
                group.flat = mapper.lastRecordIsFlat
            }
            group.end = output.count
            groups.append(group)
            members.removeAll(keepingCapacity: true)
        }
        for index in 0..<rows.count {
            let row = SourceRow.csv(rows.row(index))
            guard mapper.passes(row) else {
                rowGroups.append(-1)
                continue
            }
            // A key String is made once a group, not for every row.
            if let previous = members.last, mapper.sameGroupKey(row, previous) {
                // The row continues the group.
            } else {
                finishGroup()
                key = mapper.groupKey(row)
            }
            members.append(row)
            rowGroups.append(Int32(groups.count))
        }
        finishGroup()
    }

    /// The JSON of group `index`'s record, valid while the block is not reset.
    func groupRecord(_ index: Int, in output: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let start = index == 0 ? 0 : groups[index - 1].end
        return UnsafeBufferPointer(rebasing: output[start..<groups[index].end])
    }

    private func note(_ outcome: MapOutcome, _ mapper: RecordMapper) {
        switch outcome {
        case .filtered:
            outcomes.append(Outcome(kind: .filtered, end: output.count, fields: 0, flat: false, errors: -1))
        case .invalid(let errors):
            errorLists.append(errors)
            outcomes.append(Outcome(kind: .invalid, end: output.count, fields: 0, flat: false,
                                    errors: Int32(errorLists.count - 1)))
        case .valid:
            outcomes.append(Outcome(kind: .valid, end: output.count, fields: output.rootMemberCount,
                                    flat: mapper.lastRecordIsFlat, errors: -1))
        }
    }
}

/// Threads that map blocks of rows while the pipeline reads the next ones and accounts, in
/// reading order, for the blocks already mapped. Each thread has its own `RecordMapper`; the
/// pipeline's own mapper checks a file's columns, and maps blocks too when the pipeline would
/// otherwise wait (`mapWaiting`).
///
/// `wanted`, when given, says whether the batches' consumer is running short (`load`'s
/// senders); while it is not, the threads leave the blocks to the reading thread. Mapping
/// faster than the network takes batches gains nothing, and a burst on every core after each
/// answer took the CPU from whatever else the machine runs (a sandbox on loopback lost a
/// third of its request rate at concurrency 1). The reading thread maps every block no thread
/// took, so declining never stalls the pipeline.
final class MappingPool: @unchecked Sendable {
    // All mutable state below is guarded by `condition`.
    private let condition = NSCondition()
    private var waiting: [MappedBlock] = []
    /// Every block handed in and not yet taken back, in the order handed in.
    private var inFlight: [MappedBlock] = []
    private var spare: [MappedBlock] = []
    private var closing = false
    private var running = 0
    let rowsPerBlock: Int
    /// Blocks handed in before the pipeline waits for the oldest: enough to keep every thread busy.
    let depth: Int

    private let wanted: (@Sendable () -> Bool)?

    init(mapping: CompiledMapping, threads: Int, rowsPerBlock: Int, wanted: (@Sendable () -> Bool)? = nil) {
        self.wanted = wanted
        self.rowsPerBlock = max(1, rowsPerBlock)
        depth = threads * 2 + 2
        for index in 0..<threads {
            let thread = Thread { [self] in self.work(mapper: RecordMapper(mapping: mapping)) }
            thread.name = "ferry.map.\(index)"
            thread.stackSize = 4 << 20
            running += 1
            thread.start()
        }
    }

    /// An empty block for rows of `fileIndex`.
    func block(fileIndex: Int, source: MappedBlock.Source, grouped: Bool) -> MappedBlock {
        condition.lock()
        let block = spare.popLast() ?? MappedBlock()
        condition.unlock()
        block.reset(fileIndex: fileIndex, source: source, grouped: grouped)
        return block
    }

    func submit(_ block: MappedBlock) {
        condition.lock()
        waiting.append(block)
        inFlight.append(block)
        condition.broadcast()
        condition.unlock()
    }

    var inFlightCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return inFlight.count
    }

    /// The oldest block handed in, once it is mapped: waiting for it when `wait` is set, else
    /// nil while it is still being mapped. Nil when no block is in flight.
    func takeOldest(wait: Bool) -> MappedBlock? {
        condition.lock()
        defer { condition.unlock() }
        while let oldest = inFlight.first {
            if oldest.mapped {
                inFlight.removeFirst()
                return oldest
            }
            if !wait { return nil }
            condition.wait()
        }
        return nil
    }

    /// Maps the oldest block no thread has started, here on the caller's thread with its
    /// `mapper` (bound to that block's columns): the reading thread helps instead of waiting.
    /// False when every block in flight is taken.
    func mapWaiting(with mapper: RecordMapper, decoder: NDJSONLineDecoder?) -> Bool {
        condition.lock()
        guard !waiting.isEmpty else {
            condition.unlock()
            return false
        }
        let block = waiting.removeFirst()
        condition.unlock()
        block.map(with: mapper, decoder: decoder)
        condition.lock()
        block.mapped = true
        condition.broadcast()
        condition.unlock()
        return true
    }

    /// Gives a block taken back for reuse.
    func recycle(_ block: MappedBlock) {
        condition.lock()
        if spare.count < depth { spare.append(block) }
        condition.unlock()
    }

    /// Waits for the blocks in flight, then stops the threads.
    func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        inFlight.removeAll()
        condition.unlock()
    }

    private func work(mapper: RecordMapper) {
        var boundFile = -1
        var decoder: NDJSONLineDecoder?
        while true {
            condition.lock()
            // Asked again at each block handed in or mapped (both broadcast).
            while (waiting.isEmpty || wanted?() == false) && !closing { condition.wait() }
            if waiting.isEmpty {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let block = waiting.removeFirst()
            condition.unlock()

            if block.fileIndex != boundFile {
                switch block.source {
                case .csv(let columns):
                    // The pipeline's mapper bound these columns already, so binding cannot fail here.
                    try? mapper.bind(csvColumns: columns, file: "")
                    decoder = nil
                case .ndjson(let fileName, let paths):
                    mapper.bindNDJSON()
                    decoder = NDJSONLineDecoder(fileName: fileName, paths: paths)
                }
                boundFile = block.fileIndex
            }
            block.map(with: mapper, decoder: decoder)

            condition.lock()
            block.mapped = true
            condition.broadcast()
            condition.unlock()
        }
    }
}

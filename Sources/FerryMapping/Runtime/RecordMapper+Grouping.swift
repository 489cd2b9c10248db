import FerryCore

/// Grouped mappings: keys, aggregates and `each_row` arrays over the rows of one group.
extension RecordMapper {
    /// The row's `group_by` key as text (fields joined by U+001F); null fields read as empty.
    public func groupKey(_ row: SourceRow) -> String {
        let slots = mapping.groupSlots
        if slots.count == 1 { return raw(slots[0], row).textValue ?? "" }
        var key = ""
        for (index, slot) in mapping.groupSlots.enumerated() {
            if index > 0 { key.append("\u{1F}") }
            key += raw(slot, row).textValue ?? ""
        }
        return key
    }

    /// Whether two rows have the same `groupKey`, mostly without building either key: equal
    /// bytes in every key column are the same key; a single key column of different ASCII
    /// is a different one. Anything else (text that differs as bytes may still be equal as
    /// Strings, canonically equivalent Unicode; joined keys) compares the keys themselves.
    public func sameGroupKey(_ row: SourceRow, _ other: SourceRow) -> Bool {
        let slots = mapping.groupSlots
        var bytesEqual = true
        var differentASCII = false
        for slot in slots {
            guard case .text(let x) = raw(slot, row), case .text(let y) = raw(slot, other) else {
                bytesEqual = false
                break
            }
            if !Self.sameBytes(x, y) {
                bytesEqual = false
                differentASCII = UTF8Validation.isASCII(x) && UTF8Validation.isASCII(y)
                break
            }
        }
        if bytesEqual { return true }
        if slots.count == 1 && differentASCII { return false }
        return groupKey(row) == groupKey(other)
    }

    @inline(__always)
    static func sameBytes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = x.count
        guard n == y.count else { return false }
        guard n > 0, let a = x.baseAddress, let b = y.baseAddress else { return true }
        var i = 0
        while i &+ 8 <= n {
            if UnsafeRawPointer(a).loadUnaligned(fromByteOffset: i, as: UInt64.self)
                != UnsafeRawPointer(b).loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i &+= 8
        }
        while i < n {
            if a[i] != b[i] { return false }
            i &+= 1
        }
        return true
    }

    /// The key as users wrote it: `order_id=A17` or `a=1, b=2`.
    public func describeKey(_ key: String) -> String {
        let names = mapping.spec.groupBy?.value ?? []
        let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false)
        return zip(names, parts).map { "\($0)=\($1)" }.joined(separator: ", ")
    }

    /// Reads the group's row `index` with its own file's columns (when the group's rows come
    /// from files with different column orders; otherwise the bound file's are in place).
    @inline(__always)
    func useSlots(ofGroupRow index: Int) {
        if !groupSlots.isEmpty { csvSlots = groupSlots[index].view }
    }

    /// The flat program of every `each_row` object item of `program` (built with it), by the
    /// item's plan, for `writeObject`.
    static func itemPrograms(of program: MapProgram) -> [ObjectIdentifier: MapProgram] {
        var programs: [ObjectIdentifier: MapProgram] = [:]
        for (entry, itemProgram) in zip(program.eachRows, program.itemPrograms) {
            if case .object(let plan) = entry.item, let itemProgram { programs[ObjectIdentifier(plan)] = itemProgram }
        }
        return programs
    }

    /// Maps one group of rows (already filtered) into one record: plain fields read the
    /// group's first row, aggregates and each_row read them all. `csvColumns`, one per row,
    /// are the columns of the file each CSV row came from (nil: all from the bound file).
    public func mapGroup(_ rows: [SourceRow], csvColumns: [[String]]? = nil, into writer: inout JSONWriter) -> MapOutcome {
        guard !rows.isEmpty else { return .filtered }
        writer.reset()
        return mapNonEmptyGroup(rows, csvColumns: csvColumns, &writer)
    }

    /// Maps one group of rows from the bound file (already filtered) as `mapGroup(_:into:)`
    /// does, but writes the record after what `writer` holds; an invalid group's partial
    /// record is taken back out.
    public func mapGroup(_ rows: [SourceRow], appendingTo writer: inout JSONWriter) -> MapOutcome {
        guard !rows.isEmpty else { return .filtered }
        let start = writer.count
        writer.startValue()
        let outcome = mapNonEmptyGroup(rows, csvColumns: nil, &writer)
        if case .invalid = outcome { writer.truncate(to: start) }
        return outcome
    }

    private func mapNonEmptyGroup(_ rows: [SourceRow], csvColumns: [[String]]?, _ writer: inout JSONWriter) -> MapOutcome {
        rows.withUnsafeBufferPointer { rows in mapNonEmptyGroup(rows, csvColumns: csvColumns, &writer) }
    }

    private func mapNonEmptyGroup(_ rows: UnsafeBufferPointer<SourceRow>, csvColumns: [[String]]?,
                                  _ writer: inout JSONWriter) -> MapOutcome {
        let first = rows[0]
        recordIsFlat = false
        groupRows = rows
        let bound = csvSlots
        if let csvColumns, csvColumns.count == rows.count, csvColumns.contains(where: { $0 != boundColumns }) {
            groupSlots = csvColumns.map { slots(forColumns: $0) }
            csvSlots = groupSlots[0].view
        }
        defer {
            groupRows = UnsafeBufferPointer(start: nil, count: 0)
            if !groupSlots.isEmpty {
                groupSlots = []
                csvSlots = bound
            }
        }
        var errors: [FieldError] = []
        startRecord()
        if case .ndjson = first {
            writeObject(mapping.root, first, &writer, &errors, isRoot: true)
        } else {
            run(program, first, &writer, &errors)   // the record's own members from the first row
        }
        checkOneOf(&errors)
        return errors.isEmpty ? .valid : .invalid(errors)
    }

    /// One array item per row of the current group.
    func writeEachRow(_ member: MemberPlan, _ item: ValuePlan, _ itemType: FieldType,
                              _ writer: inout JSONWriter, _ errors: inout [FieldError]) {
        switch item {
        case .leaf(let leaf):
            writer.beginArray()
            var written = 0
            // Read once for the group, not for each of its rows.
            let rows = groupRows
            let rowsHaveOwnSlots = !groupSlots.isEmpty
            let saved = csvSlots
            for index in rows.indices {
                if rowsHaveOwnSlots { useSlots(ofGroupRow: index) }
                do throws(FieldError) {
                    let value = try evaluate(leaf, rows[index], member: member)
                    if value.isNull { continue }
                    try write(value, as: itemType, path: member.path, column: leaf.columnName, into: &writer)
                    written += 1
                } catch {
                    errors.append(error)
                }
            }
            if rowsHaveOwnSlots { csvSlots = saved }
            writer.endArray()
            checkItemCount(written, member, &errors)
        case .object(let plan):
            // `itemPrograms` keeps the program alive.
            let itemProgram = itemPrograms[ObjectIdentifier(plan)].map { Unmanaged.passUnretained($0) }
            writeObjectItems(plan, itemProgram, &writer, &errors)
            checkItemCount(groupRows.count, member, &errors)
        case .eachRow:
            break   // refused by the compiler
        }
    }

    /// `run`'s `each_row` (entry `index` of `program.eachRows`), its plans read without
    /// reference counting.
    @inline(__always)
    func writeEachRow(_ ref: MapProgram.EachRowRef, entry index: Int, of program: MapProgram,
                      _ writer: inout JSONWriter, _ errors: inout [FieldError]) {
        guard let items = ref.itemProgram else {
            let entry = program.eachRows[index]   // a leaf item
            writeEachRow(entry.member, entry.item, entry.itemType, &writer, &errors)
            return
        }
        writeObjectItems(nil, items, program: program, entry: index, &writer, &errors)
        let written = groupRows.count
        if (ref.maxItems >= 0 && written > ref.maxItems) || (written == 0 && mapping.emptyArrays == .reject) {
            checkItemCount(written, ref.member.takeUnretainedValue(), &errors)
        }
    }

    /// An array of one object item per row of the current group: by the item's flat
    /// program when it has one, by `writeObject` for parsed NDJSON rows and when it has none.
    /// `plan` is the item's plan; when nil, it is read from `program.eachRows[entry]` for the
    /// rows that need it (so that the hot path does not retain it). `itemProgram` is
    /// unretained (its owner keeps it alive) and borrowed for each row: held as a reference,
    /// it was retained and released around every row's `run`.
    private func writeObjectItems(_ plan: ObjectPlan?, _ itemProgram: Unmanaged<MapProgram>?, program: MapProgram? = nil, entry: Int = 0,
                                  _ writer: inout JSONWriter, _ errors: inout [FieldError]) {
        writer.beginArray()
        // Read once for the group, not for each of its rows.
        let rows = groupRows
        let rowsHaveOwnSlots = !groupSlots.isEmpty
        let saved = csvSlots
        for index in rows.indices {
            if rowsHaveOwnSlots { useSlots(ofGroupRow: index) }
            if case .csv(let csv) = rows[index], let itemProgram {
                // The row made anew from its plain payload: passing the array's element
                // copied the enum through its value witness, with a retain and a release.
                itemProgram._withUnsafeGuaranteedRef { run($0, .csv(csv), &writer, &errors) }
            } else {
                writeObjectItem(rows[index], plan, itemProgram, program: program, entry: entry, &writer, &errors)
            }
        }
        if rowsHaveOwnSlots { csvSlots = saved }
        writer.endArray()
    }

    /// `writeObjectItems`' item for a row other than CSV, or without an item program.
    @inline(never)
    private func writeObjectItem(_ row: SourceRow, _ plan: ObjectPlan?, _ itemProgram: Unmanaged<MapProgram>?, program: MapProgram?,
                                 entry: Int, _ writer: inout JSONWriter, _ errors: inout [FieldError]) {
        if let itemProgram, case .ndjsonLine = row {
            itemProgram._withUnsafeGuaranteedRef { run($0, row, &writer, &errors) }
        } else if let plan {
            writeObject(plan, row, &writer, &errors)
        } else if let program, case .object(let plan) = program.eachRows[entry].item {
            writeObject(plan, row, &writer, &errors)
        }
    }

    /// An `each_row` array with more items than its type allows, or with none where the
    /// vendor drops records with an empty list.
    private func checkItemCount(_ written: Int, _ member: MemberPlan, _ errors: inout [FieldError]) {
        let maxItems = member.maxItems
        if maxItems >= 0, written > maxItems {
            errors.append(FieldError(kind: .tooLong, field: member.path, column: nil, value: nil,
                                     reason: "the group gives \(written) items; at most \(maxItems) are allowed"))
        }
        if written == 0, mapping.emptyArrays == .reject {
            errors.append(FieldError(kind: .emptyArray, field: member.path, column: nil, value: nil,
                                     reason: "no row of the group gives an item, and this vendor silently drops records with an empty list"))
        }
    }

    /// count/sum/first/last over the current group's rows.
    func aggregate(_ plan: AggregatePlan, member: MemberPlan, column: String?) throws(FieldError) -> MappedValue {
        let saved = csvSlots   // each row is read with the columns of its own file
        defer { if !groupSlots.isEmpty { csvSlots = saved } }
        switch plan {
        case .count:
            return .int(Int64(groupRows.count))
        case .first(let slot):
            guard let first = groupRows.first else { return .null }
            useSlots(ofGroupRow: 0)
            return raw(slot, first)
        case .last(let slot):
            guard let last = groupRows.last else { return .null }
            useSlots(ofGroupRow: groupRows.count - 1)
            return raw(slot, last)
        case .sum(let slot):
            var integer: Int64 = 0
            var real = 0.0
            var isReal = false
            var any = false
            for (index, row) in groupRows.enumerated() {
                useSlots(ofGroupRow: index)
                let value = raw(slot, row)
                if value.isNull { continue }
                any = true
                // CSV text: the digits are read in place (no String made for them).
                if case .text(let bytes) = value, let v = Casts.parseInteger(bytes) {
                    let (sum, overflow) = integer.addingReportingOverflow(v)
                    if overflow { isReal = true; real += Double(v) } else { integer = sum }
                    continue
                }
                switch value {
                case .int(let v):
                    let (sum, overflow) = integer.addingReportingOverflow(v)
                    if overflow { isReal = true; real += Double(v) } else { integer = sum }
                case .double(let v):
                    isReal = true
                    real += v
                default:
                    guard let text = value.textValue else {
                        throw FieldError(kind: .invalidType, field: member.path, column: column, value: value.displayText,
                                         reason: "sum needs numbers (line \(row.line))")
                    }
                    if let v = Casts.parseInteger(text) {
                        let (sum, overflow) = integer.addingReportingOverflow(v)
                        if overflow { isReal = true; real += Double(v) } else { integer = sum }
                    } else if let v = Casts.parseDouble(text) {
                        isReal = true
                        real += v
                    } else {
                        throw FieldError(kind: .invalidType, field: member.path, column: column, value: value.displayText,
                                         reason: "sum needs numbers (line \(row.line))")
                    }
                }
            }
            if !any { return .null }
            return isReal ? .double(real + Double(integer)) : .int(integer)
        }
    }
}

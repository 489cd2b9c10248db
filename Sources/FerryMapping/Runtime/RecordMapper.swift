import FerryCore

/// The outcome of mapping one row.
public enum MapOutcome: Equatable {
    /// A `where:` condition excluded the row (counted, not an error).
    case filtered
    /// The row cannot produce a valid record; every problem found is listed.
    case invalid([FieldError])
    /// The record's JSON is in the writer.
    case valid
}

/// Runs a compiled mapping over rows, writing each record's JSON. One mapper serves one
/// input file at a time (`bind` per file); it is not shared between threads.
public final class RecordMapper {
    public let mapping: CompiledMapping
    /// Column index per slot, for the bound CSV file (during `mapGroup`, for the group row
    /// being read: rows of a group may come from files whose columns are in another order).
    /// A view of `boundSlots` or of one of `groupSlots`, which keep it valid; a plain pointer,
    /// so that reading it into a local retains nothing.
    @exclusivity(unchecked) var csvSlots = UnsafeBufferPointer<Int>(start: nil, count: 0)
    /// The bound CSV file's column index per slot.
    private(set) var boundSlots = ColumnSlots([])
    /// The bound CSV file's columns.
    var boundColumns: [String] = []
    /// The column index per slot of each row of the group being mapped, when its rows come
    /// from files with different column orders (empty otherwise).
    var groupSlots: [ColumnSlots] = []
    /// Dotted path per slot, for NDJSON.
    var ndjsonPaths: [[String]] = []
    /// Glob-matched CSV columns per object path: (output name, column index).
    var globColumns: [String: [(name: String, index: Int)]] = [:]
    let nullValues: [[UInt8]]
    let nullOnlyEmpty: Bool
    let nullStrings: Set<String>
    let program: MapProgram
    /// The flat program of each `each_row` object item, by its plan (grouped mappings).
    let itemPrograms: [ObjectIdentifier: MapProgram]
    /// For targets that need at least one of some fields: root member indexes per group, and
    /// which root members the current row wrote with a value.
    let oneOfGroups: [(names: [String], members: [Int])]
    /// The rows of the group being mapped (grouped mappings only), borrowed from `mapGroup`'s
    /// caller for the call: a pointer, so that reading them retains nothing.
    @exclusivity(unchecked) var groupRows = UnsafeBufferPointer<SourceRow>(start: nil, count: 0)
    @exclusivity(unchecked) private var rootWritten: [Bool]
    private let filterSteps: [FilterStep]
    /// After a `.valid` `map`: the record is a flat object of scalars or nulls, written by the
    /// flat program (so a vendor adjuster that leaves such records unchanged can be skipped).
    public var lastRecordIsFlat: Bool {
        // Read once per record from other modules, and not inlined there: inlined, the
        // run-time exclusivity check the stored property is spared (a runtime call) came back.
        @inline(never) get { recordIsFlat }
    }
    /// Written and read once per record, so without the run-time exclusivity check.
    @exclusivity(unchecked) var recordIsFlat = false
    /// Set when an NDJSON line's value read for this record was an object or an array.
    @exclusivity(unchecked) private var readContainer = false
    /// The names of the record's top-level members, in the mapping's order.
    public var rootFieldNames: [String] { mapping.root.members.map(\.name) }

    public convenience init(mapping: CompiledMapping) {
        // A first mapper, whose programs evaluate every leaf, writes the constant members once.
        let writer = RecordMapper(mapping: mapping, constantsWrittenBy: nil)
        self.init(mapping: mapping, constantsWrittenBy: writer)
    }

    private init(mapping: CompiledMapping, constantsWrittenBy constantWriter: RecordMapper?) {
        self.mapping = mapping
        nullValues = mapping.nullValues.map { Array($0.utf8) }
        nullOnlyEmpty = mapping.nullValues == [""]
        nullStrings = Set(mapping.nullValues)
        let constant = constantWriter.map { writer in { writer.encodedConstantMember($0, $1) } }
        program = MapProgram(root: mapping.root, defaultTimestampFormat: mapping.defaultTimestampFormat, constant: constant)
        itemPrograms = Self.itemPrograms(of: program)
        let rootNames = mapping.root.members.map(\.name)
        oneOfGroups = mapping.schema.atLeastOneOf.map { group in
            (group, group.compactMap { rootNames.firstIndex(of: $0) })
        }
        rootWritten = [Bool](repeating: false, count: rootNames.count)
        filterSteps = mapping.filters.enumerated().map { index, filter in
            if case .notEmpty(let wanted) = filter.condition { return FilterStep(slot: filter.slot, notEmpty: wanted, index: index) }
            return FilterStep(slot: filter.slot, notEmpty: nil, index: index)
        }
    }


    // MARK: Binding

    /// Prepares for a CSV file with these columns. Every column the mapping reads must exist.
    public func bind(csvColumns columns: [String], file: String) throws(MappingBindError) {
        var index: [String: Int] = [:]
        for (i, name) in columns.enumerated() where index[name] == nil { index[name] = i }
        var slots: [Int] = []
        var missing: [String] = []
        for name in mapping.columns {
            if let i = index[name] { slots.append(i) } else { missing.append(name); slots.append(-1) }
        }
        if !missing.isEmpty {
            let details = missing.map { name -> String in
                if let suggestion = Suggestions.closest(to: name, in: columns) { return "'\(name)' (did you mean '\(suggestion)'?)" }
                return "'\(name)'"
            }
            throw MappingBindError(file: file, message: "the mapping reads column\(missing.count == 1 ? "" : "s") \(details.joined(separator: ", ")) which the file does not have; its columns are: \(columns.joined(separator: ", "))")
        }
        boundSlots = ColumnSlots(slots)
        csvSlots = boundSlots.view
        boundColumns = columns
        globColumns = [:]
        collectGlobs(mapping.root, columns: columns)
    }

    /// The column index per slot for a CSV file with these columns (every column the mapping
    /// reads is there: the file was bound when its rows were read).
    func slots(forColumns columns: [String]) -> ColumnSlots {
        if columns == boundColumns { return boundSlots }
        return ColumnSlots(mapping.columns.map { name in columns.firstIndex(of: name) ?? -1 })
    }

    /// Prepares for an NDJSON file: columns are dotted paths, looked up per record.
    public func bindNDJSON() {
        ndjsonPaths = Self.splitPaths(mapping.columns)
        globColumns = [:]
    }

    static func splitPaths(_ columns: [String]) -> [[String]] {
        columns.map { $0.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The paths an NDJSON reader should scan lines for, so that rows come as `.ndjsonLine`
    /// (slot `i` is the mapping's column `i`). Nil when a null value is not ASCII: those are
    /// compared as Swift strings (canonical equivalence), which the byte comparison of the
    /// fast path would not match.
    public var ndjsonScanPaths: JSONPathSet? {
        guard mapping.nullValues.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) else { return nil }
        return JSONPathSet(paths: Self.splitPaths(mapping.columns))
    }

    func collectGlobs(_ plan: ObjectPlan, columns: [String]) {
        if !plan.globs.isEmpty {
            let explicit = Set(plan.members.map(\.name))
            var matched: [(String, Int)] = []
            var names: Set<String> = []
            for (i, column) in columns.enumerated() where plan.globs.contains(where: { $0.matches(column) }) {
                let name = outputName(column, stripping: plan.stripPrefix)
                if explicit.contains(name) || !names.insert(name).inserted { continue }
                matched.append((name, i))
            }
            globColumns[plan.path] = matched
        }
        for member in plan.members {
            if case .object(let nested) = member.value { collectGlobs(nested, columns: columns) }
        }
    }

    func outputName(_ column: String, stripping prefix: String?) -> String {
        if let prefix, column.hasPrefix(prefix), column.count > prefix.count { return String(column.dropFirst(prefix.count)) }
        return column
    }

    // MARK: Mapping

    /// Maps one row. On `.valid` the record's JSON is in `writer` (which is reset first).
    public func map(_ row: SourceRow, into writer: inout JSONWriter) -> MapOutcome {
        guard passes(row) else { return .filtered }
        writer.reset()
        return mapPassing(row, &writer)
    }

    /// Maps one row, writing a valid record after what `writer` holds already; an invalid or
    /// filtered row leaves `writer` as it was. For many records in one buffer.
    public func map(_ row: SourceRow, appendingTo writer: inout JSONWriter) -> MapOutcome {
        guard passes(row) else { return .filtered }
        let start = writer.count
        writer.startValue()
        let outcome = mapPassing(row, &writer)
        if case .invalid = outcome { writer.truncate(to: start) }
        return outcome
    }

    /// Maps a row that passed the filters into `writer`.
    private func mapPassing(_ row: SourceRow, _ writer: inout JSONWriter) -> MapOutcome {
        var errors: [FieldError] = []
        startRecord()
        recordIsFlat = false
        switch row {
        case .csv, .ndjsonLine:
            readContainer = false
            run(program, row, &writer, &errors)
            recordIsFlat = program.rootIsFlat && !readContainer
        case .ndjson:
            writeObject(mapping.root, row, &writer, &errors, isRoot: true)
        }
        checkOneOf(&errors)
        return errors.isEmpty ? .valid : .invalid(errors)
    }

    /// Forgets which root members the previous record wrote.
    func startRecord() {
        guard !oneOfGroups.isEmpty else { return }
        for i in rootWritten.indices { rootWritten[i] = false }
    }

    /// Reports each group of fields of which the record wrote none.
    func checkOneOf(_ errors: inout [FieldError]) {
        for group in oneOfGroups where !group.members.contains(where: { rootWritten[$0] }) {
            errors.append(FieldError(kind: .missingOneOf, field: group.names.joined(separator: "|"), column: nil, value: nil,
                                     reason: "the vendor needs at least one of \(group.names.joined(separator: ", ")); all are empty"))
        }
    }

    /// Whether the row passes the mapping's `where:` conditions.
    public func passes(_ row: SourceRow) -> Bool {
        filterSteps.withUnsafeBufferPointer { steps in
            for step in steps {
                if let wanted = step.notEmpty {
                    let value = raw(step.slot, row)
                    if (value.isNull || value.isEmptyText) == wanted { return false }
                } else if !passes(mapping.filters[step.index], row) {
                    return false
                }
            }
            return true
        }
    }

    /// A `where:` condition as plain data: a `not_empty` test is made from it alone, so that
    /// testing every row copies no plan (the others are evaluated from `mapping.filters`).
    struct FilterStep {
        let slot: Int
        /// `not_empty`'s value; nil for any other condition.
        let notEmpty: Bool?
        let index: Int
    }

    func writeObject(_ plan: ObjectPlan, _ row: SourceRow, _ writer: inout JSONWriter, _ errors: inout [FieldError],
                             isRoot: Bool = false, required: MemberPlan? = nil) {
        writer.beginObject()
        for (index, member) in plan.members.enumerated() {
            switch member.value {
            case .object(let nested):
                writer.writeEncodedKey(member.encodedKey)
                writeObject(nested, row, &writer, &errors, required: member.required ? member : nil)
            case .leaf(let leaf):
                if writeLeaf(member, leaf, row, &writer, &errors), isRoot { rootWritten[index] = true }
            case .eachRow(let item, let itemType):
                writer.writeEncodedKey(member.encodedKey)
                writeEachRow(member, item, itemType, &writer, &errors)
                if isRoot { rootWritten[index] = true }
            }
        }
        if !plan.globs.isEmpty { writeGlobs(plan, row, &writer, &errors) }
        if let required { checkNotEmpty(required, writer, &errors) }
        writer.endObject()
    }

    /// A required object that ends up with no member is as good as missing.
    func checkNotEmpty(_ member: MemberPlan, _ writer: borrowing JSONWriter, _ errors: inout [FieldError]) {
        guard writer.currentContainerIsEmpty else { return }
        errors.append(FieldError(kind: .missingRequired, field: member.path, column: nil, value: nil,
                                 reason: "required, but every field of this object is empty"))
    }

    /// `writeLeaf` of a program's leaf: its plans borrowed from the program and its key from
    /// the program's key bytes, without a retain of either plan or of the key array.
    @inline(__always)
    private func writeLeaf(_ ref: MapProgram.LeafRef, key: UnsafeBufferPointer<UInt8>, _ row: SourceRow,
                           _ writer: inout JSONWriter, _ errors: inout [FieldError]) -> Bool {
        ref.member._withUnsafeGuaranteedRef { member in
            ref.leaf._withUnsafeGuaranteedRef { leaf in writeLeaf(member, leaf, key: key, row, &writer, &errors) }
        }
    }

    /// The member `"key":value` of a leaf with a constant source, as every row would write it;
    /// nil when the constant comes out null or fails (those are handled, and reported, per row).
    func encodedConstantMember(_ member: MemberPlan, _ leaf: LeafPlan) -> [UInt8]? {
        guard case .constant = leaf.source else { return nil }
        // A constant reads no column, so any row will do.
        let row = SourceRow.ndjson(NDJSONRecord(recordNumber: 0, line: 0, object: JSONObject()))
        var writer = JSONWriter(capacity: 64)
        var errors: [FieldError] = []
        writer.beginObject()
        guard writeLeaf(member, leaf, row, &writer, &errors), errors.isEmpty else { return nil }
        let bytes = writer.bytes
        return Array(bytes.dropFirst())   // the member without the object's "{"
    }

    /// Evaluates and writes one leaf; true when a non-null value was written.
    @discardableResult
    func writeLeaf(_ member: MemberPlan, _ leaf: LeafPlan, _ row: SourceRow,
                   _ writer: inout JSONWriter, _ errors: inout [FieldError]) -> Bool {
        member.encodedKey.withUnsafeBufferPointer { key in writeLeaf(member, leaf, key: key, row, &writer, &errors) }
    }

    /// `key`: the member's encoded key (`MemberPlan.encodedKey`).
    func writeLeaf(_ member: MemberPlan, _ leaf: LeafPlan, key: UnsafeBufferPointer<UInt8>, _ row: SourceRow,
                   _ writer: inout JSONWriter, _ errors: inout [FieldError]) -> Bool {
        let value: MappedValue
        do throws(FieldError) {
            value = try evaluate(leaf, row, member: member)
        } catch {
            errors.append(error)
            return false
        }
        if value.isNull {
            if member.required {
                let reason = leaf.columnName.map { "required, but column \($0) is empty or missing" } ?? "required, but the value is empty"
                errors.append(FieldError(kind: .missingRequired, field: member.path, column: leaf.columnName, value: nil, reason: reason))
                return false
            }
            switch member.onNull {
            case .omit:
                return false
            case .null:
                writer.writeEncodedKey(key)
                writer.writeNull()
            case .error:
                errors.append(FieldError(kind: .nullValue, field: member.path, column: leaf.columnName, value: nil,
                                         reason: "empty, and on_null: error"))
            }
            return false
        }
        writer.writeEncodedKey(key)
        do throws(FieldError) {
            try write(value, as: member.type, path: member.path, column: leaf.columnName, into: &writer)
        } catch {
            writer.writeNull()   // keeps the writer balanced; the record is discarded anyway
            errors.append(error)
            return false
        }
        return true
    }

    func writeGlobs(_ plan: ObjectPlan, _ row: SourceRow, _ writer: inout JSONWriter, _ errors: inout [FieldError]) {
        switch row {
        case .csv(let csv):
            for (name, index) in globColumns[plan.path] ?? [] {
                let bytes = csv[index]
                if isNullText(bytes) { continue }
                writeGlobValue(.text(bytes), name: name, column: name, plan: plan, &writer, &errors)
            }
        case .ndjson(let record):
            let explicit = plan.members.map(\.name)
            for (key, json) in record.object.members where plan.globs.contains(where: { $0.matches(key) }) {
                let name = outputName(key, stripping: plan.stripPrefix)
                if explicit.contains(name) { continue }
                var value = MappedValue(json: json)
                if case .string(let s) = value, isNullString(s) { value = .null }
                if value.isNull { continue }
                writeGlobValue(value, name: name, column: key, plan: plan, &writer, &errors)
            }
        case .ndjsonLine:
            writeGlobs(plan, row.materialized, &writer, &errors)   // a mapping with globs is never flat
        }
    }

    func writeGlobValue(_ raw: MappedValue, name: String, column: String, plan: ObjectPlan,
                                _ writer: inout JSONWriter, _ errors: inout [FieldError]) {
        let path = plan.path.isEmpty ? name : plan.path + "." + name
        do throws(FieldError) {
            var value = raw
            if let cast = plan.globCast {
                value = try Casts.apply(cast, to: value, separator: ",", itemCast: .string, path: path, column: column)
            }
            writer.writeKey(name)
            try write(value, as: .any, path: path, column: column, into: &writer)
        } catch {
            errors.append(error)
        }
    }

    // MARK: The flat program for CSV rows (see `MapProgram`)

    /// Runs the flat program over a CSV row (see `MapProgram`).
    func run(_ program: MapProgram, _ row: SourceRow, _ writer: inout JSONWriter, _ errors: inout [FieldError]) {
        let steps = program.steps
        let keys = program.keys
        let parsers = program.parsers
        let leafRefs = program.leafRefs
        // Read once: nothing a step calls changes them for longer than the step (`each_row`
        // sets the slots of each row of the group and puts these back).
        let slots = csvSlots
        let marksRoots = !oneOfGroups.isEmpty
        guard let firstStep = steps.baseAddress else { return }
        for index in 0..<steps.count {
            // The writers below take the step by address: passed by value, its eleven fields
            // were packed into registers and the stack for every leaf of every row.
            let stepAddress = UnsafePointer(firstStep + index)
            let step = stepAddress.pointee
            let key = UnsafeBufferPointer(rebasing: keys[Int(step.keyStart)..<Int(step.keyStart + step.keyCount)])
            switch step.op {
            case .beginObject:
                if step.keyCount > 0 { writer.writeEncodedKey(key) }
                writer.beginObject()
            case .endObject:
                if step.ref >= 0 { writeGlobs(program.objects[Int(step.ref)], row, &writer, &errors) }
                if step.required >= 0 { checkNotEmpty(program.requiredObjects[Int(step.required)], writer, &errors) }
                writer.endObject()
            case .eachRow:
                writer.writeEncodedKey(key)
                writeEachRow(program.eachRowRefs[Int(step.ref)], entry: Int(step.ref), of: program, &writer, &errors)
                if step.root >= 0 { rootWritten[Int(step.root)] = true }
            case .slowLeaf:
                if writeLeaf(leafRefs[Int(step.ref)], key: key, row, &writer, &errors), step.root >= 0 { rootWritten[Int(step.root)] = true }
            case .constantLeaf:
                writer.writeEncodedMember(key)
                if step.root >= 0 { rootWritten[Int(step.root)] = true }
            case .fastLeaf:
                switch row {
                case .csv(let csv):
                    let bytes = csv[slots[Int(step.slot)]]
                    if isNullText(bytes) {
                        if step.omitNull { continue }
                    } else if writeFast(stepAddress, bytes, key, parsers, &writer) {
                        if step.root >= 0 && marksRoots { rootWritten[Int(step.root)] = true }
                        continue
                    }
                case .ndjsonLine(let scanned):
                    switch writeFast(stepAddress, scanned, key, parsers, &writer) {
                    case .written:
                        if step.root >= 0 && marksRoots { rootWritten[Int(step.root)] = true }
                        continue
                    case .omitted:
                        continue
                    case .general:
                        break
                    }
                case .ndjson:
                    break
                }
                if writeLeaf(leafRefs[Int(step.ref)], key: key, row, &writer, &errors), step.root >= 0 { rootWritten[Int(step.root)] = true }
            }
        }
    }

    /// Writes a non-null fast leaf; false when the general path must handle it (to report an error).
    @inline(__always)
    private func writeFast(_ stepAddress: UnsafePointer<MapProgram.Step>, _ bytes: UnsafeBufferPointer<UInt8>, _ key: UnsafeBufferPointer<UInt8>,
                           _ parsers: UnsafeMutableBufferPointer<Unmanaged<TimestampParserBox>>, _ writer: inout JSONWriter) -> Bool {
        let step = stepAddress.pointee
        switch step.kind {
        case .string:
            writer.writeEncodedKey(key)
            writer.writeString(validUTF8: bytes)   // the CSV reader has validated every field
            return true
        case .upper, .lower:
            guard UTF8Validation.isASCII(bytes) else { return false }
            writer.writeEncodedKey(key)
            let flip: UInt8 = step.kind == .upper ? 0x61 : 0x41   // the first letter of the case to change
            // On the stack for short values (a heap buffer only for long ones).
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { changed in
                for (i, b) in bytes.enumerated() { changed[i] = b &- flip < 26 ? b ^ 0x20 : b }
                writer.writeString(validUTF8: UnsafeBufferPointer(rebasing: changed[..<bytes.count]))
            }
            return true
        case .integer, .number:
            guard let value = Casts.parseInteger(bytes) else { return false }
            writer.writeEncodedKey(key)
            writer.writeInt(value)
            return true
        case .timestamp:
            guard let parsed = parsers[Int(step.parser)]._withUnsafeGuaranteedRef({ try? $0.parser.parse(bytes) }) else {
                return false
            }
            writer.writeEncodedKey(key)
            writer.writeTimestamp(parsed, as: step.timestampFormat)
            return true
        case .float:
            if let form = PlainDecimal.form(bytes) {
                writer.writeEncodedKey(key)
                writer.writeDouble(plainDecimal: bytes, form: form)
                return true
            }
            guard let value = Self.shortDouble(bytes) else { return false }
            writer.writeEncodedKey(key)
            writer.writeDouble(value)
            return true
        case .boolean:
            return false   // CSV text is cast by the general path
        }
    }

    /// `Casts.parseDouble` for short plain decimals (at most 15 bytes of digits, signs, `.`,
    /// `e`/`E`: a string that small is stored inline, so no allocation); nil for anything
    /// else, which the general path then casts.
    @inline(__always)
    static func shortDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !bytes.isEmpty, bytes.count <= 15 else { return nil }
        for b in bytes {
            guard (b &- 0x30) < 10 || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
                || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") else { return nil }
        }
        guard bytes[0] != UInt8(ascii: "e"), bytes[0] != UInt8(ascii: "E") else { return nil }
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    enum FastResult { case written, omitted, general }

    /// A JSON number token that is an integer as written (digits, an optional minus, not -0),
    /// which `JSONParser` reads as `.int` whenever it fits.
    @inline(__always)
    static func isPlainInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let negative = bytes.first == UInt8(ascii: "-")
        let digits = negative ? bytes.dropFirst() : bytes[...]
        guard !digits.isEmpty, !(negative && digits.count == 1 && digits.first == UInt8(ascii: "0")) else { return false }
        return digits.allSatisfy { ($0 &- 0x30) < 10 }
    }

    /// A fast leaf from a scanned NDJSON line: what `writeLeaf` would write, without parsing
    /// the value, when that is plain (a string without escapes, an integer, a boolean, a
    /// missing or null value that is omitted); `.general` leaves the rest to `writeLeaf`.
    @inline(__always)
    private func writeFast(_ stepAddress: UnsafePointer<MapProgram.Step>, _ scanned: NDJSONLine, _ key: UnsafeBufferPointer<UInt8>,
                           _ parsers: UnsafeMutableBufferPointer<Unmanaged<TimestampParserBox>>, _ writer: inout JSONWriter) -> FastResult {
        let step = stepAddress.pointee
        let slot = scanned.slots[Int(step.slot)]
        switch slot.kind {
        case .missing, .null:
            return step.omitNull ? .omitted : .general
        case .string:
            let bytes = scanned.text(slot)
            if isNullText(bytes) { return step.omitNull ? .omitted : .general }
            return writeFast(stepAddress, bytes, key, parsers, &writer) ? .written : .general
        case .number:
            let bytes = scanned.text(slot)
            switch step.kind {
            case .integer, .number:
                // Only plain integers: the parser reads 12.0 as a double, which a number field writes as 12.0.
                guard Self.isPlainInteger(bytes), let value = Casts.parseInteger(bytes) else { return .general }
                writer.writeEncodedKey(key)
                writer.writeInt(value)
                return .written
            case .float:
                if let form = PlainDecimal.form(bytes) {
                    writer.writeEncodedKey(key)
                    writer.writeDouble(plainDecimal: bytes, form: form)
                    return .written
                }
                let number: Double
                switch try? JSONParser.parse(bytes) {
                case .int(let v)?: number = Double(v)
                case .double(let v)?: number = v
                default: return .general
                }
                writer.writeEncodedKey(key)
                writer.writeDouble(number)
                return .written
            case .timestamp:
                guard Self.isPlainInteger(bytes), let value = Casts.parseInteger(bytes),
                      let parsed = parsers[Int(step.parser)]._withUnsafeGuaranteedRef({ try? $0.parser.parse(integer: value) })
                else { return .general }
                writer.writeEncodedKey(key)
                writer.writeTimestamp(parsed, as: step.timestampFormat)
                return .written
            default:
                return .general   // text or any: a number's type depends on the member
            }
        case .true, .false:
            guard step.kind == .boolean else { return .general }
            writer.writeEncodedKey(key)
            writer.writeBool(slot.kind == .true)
            return .written
        case .escapedString, .object, .array:
            return .general
        }
    }

    // MARK: Values

    @inline(__always)
    func raw(_ slot: Int, _ row: SourceRow) -> MappedValue {
        switch row {
        case .csv(let csv):
            let bytes = csv[csvSlots[slot]]
            return isNullText(bytes) ? .null : .text(bytes)
        case .ndjson(let record):
            guard let json = Self.lookup(record.object, ndjsonPaths[slot]) else { return .null }
            let value = MappedValue(json: json)
            if case .string(let s) = value, isNullString(s) { return .null }
            return value
        case .ndjsonLine(let scanned):
            guard let json = scanned.value(slot) else { return .null }
            let value = MappedValue(json: json)
            if case .json = value { readContainer = true }
            if case .string(let s) = value, isNullString(s) { return .null }
            return value
        }
    }

    static func lookup(_ object: JSONObject, _ path: [String]) -> JSONValue? {
        guard let first = path.first, let top = object[first] else { return nil }
        return path.count == 1 ? top : top.value(atPath: Array(path.dropFirst()))
    }

    /// NDJSON strings read as null: with the default null values only "", which needs no hashing.
    @inline(__always)
    func isNullString(_ s: String) -> Bool {
        nullOnlyEmpty ? s.isEmpty : nullStrings.contains(s)
    }

    @inline(__always)
    func isNullText(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.isEmpty { return nullValues.contains { $0.isEmpty } }
        if nullOnlyEmpty { return false }
        for candidate in nullValues where candidate.count == bytes.count && candidate.elementsEqual(bytes) { return true }
        return false
    }

    func evaluate(_ leaf: LeafPlan, _ row: SourceRow, member: MemberPlan) throws(FieldError) -> MappedValue {
        if leaf.directSlot >= 0 { return raw(leaf.directSlot, row) }
        var value: MappedValue
        switch leaf.source {
        case .aggregate(let plan):
            value = try aggregate(plan, member: member, column: leaf.columnName)
        case .column(let slot):
            value = raw(slot, row)
        case .constant(let constant):
            value = MappedValue(constant: constant)
        case .template(let parts):
            var text = ""
            var any = false
            for part in parts {
                switch part {
                case .literal(let s): text += s
                case .slot(let slot):
                    if let piece = raw(slot, row).textValue {
                        text += piece
                        any = true
                    }
                }
            }
            value = any ? .string(text) : .null
        }
        if !leaf.transforms.isEmpty, !value.isNull {
            guard let text = value.textValue else {
                throw FieldError(kind: .invalidType, field: member.path, column: leaf.columnName, value: value.displayText,
                                 reason: "transforms apply to text, not to objects or arrays")
            }
            value = Transforms.apply(leaf.transforms, to: text).map(MappedValue.string) ?? .null
        }
        if let map = leaf.map, !value.isNull, let key = value.textValue {
            if let hit = map[key] {
                value = MappedValue(constant: hit)
            } else {
                switch leaf.unmapped {
                case .keep: break
                case .null: value = .null
                case .error:
                    throw FieldError(kind: .unmapped, field: member.path, column: leaf.columnName, value: MappedValue.cap(key),
                                     reason: "no entry in map: for this value")
                }
            }
        }
        if value.isNull, let fallback = leaf.defaultValue { value = MappedValue(constant: fallback) }
        if value.isNull { return .null }
        if let cast = leaf.cast, leaf.timestamp == nil {
            value = try Casts.apply(cast, to: value, separator: leaf.separator, itemCast: leaf.itemCast,
                                    path: member.path, column: leaf.columnName)
        }
        if let parser = leaf.timestamp {
            value = .timestamp(try parseTimestamp(value, parser, path: member.path, column: leaf.columnName))
        }
        return value
    }

    func parseTimestamp(_ value: MappedValue, _ parser: TimestampParser, path: String, column: String?) throws(FieldError) -> Timestamp {
        do throws(TimestampParseError) {
            switch value {
            case .text(let bytes): return try parser.parse(bytes)
            case .string(let s): return try parser.parse(s)
            case .int(let v): return try parser.parse(integer: v)
            case .double(let v): return try parser.parse(double: v)
            case .timestamp(let t): return t
            default:
                throw TimestampParseError(message: "not a time value")
            }
        } catch {
            throw FieldError(kind: .invalidTimestamp, field: path, column: column, value: value.displayText,
                             reason: "\(error.message) (timestamp: \(parser.format.spec))")
        }
    }


    // MARK: Filters

    func passes(_ filter: FilterPlan, _ row: SourceRow) -> Bool {
        let value = raw(filter.slot, row)
        switch filter.condition {
        case .notEmpty(let wanted):
            let empty = value.isNull || value.isEmptyText
            return wanted ? !empty : empty
        case .equals(let expected, let negated):
            return value.textEquals(expected) != negated
        case .isIn(let set, let negated):
            let hit = value.textValue.map(set.contains) ?? false
            return hit != negated
        case .matches(let regex, let negated):
            let hit = value.textValue.map(regex.matches) ?? false
            return hit != negated
        }
    }
}

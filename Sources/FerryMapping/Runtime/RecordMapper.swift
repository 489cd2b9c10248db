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
    /// Column index per slot, for the bound CSV file.
    private var csvSlots: [Int] = []
    /// Dotted path per slot, for NDJSON.
    private var ndjsonPaths: [[String]] = []
    /// Glob-matched CSV columns per object path: (output name, column index).
    private var globColumns: [String: [(name: String, index: Int)]] = [:]
    private let nullValues: [[UInt8]]
    private let nullOnlyEmpty: Bool
    private let nullStrings: Set<String>
    private var stamp: [UInt8] = []
    private let program: MapProgram
    private var scratch: [UInt8] = []
    /// For targets that need at least one of some fields: root member indexes per group, and
    /// which root members the current row wrote with a value.
    private let oneOfGroups: [(names: [String], members: [Int])]
    /// The rows of the group being mapped (grouped mappings only).
    private var groupRows: [SourceRow] = []
    private var rootWritten: [Bool]

    public init(mapping: CompiledMapping) {
        self.mapping = mapping
        nullValues = mapping.nullValues.map { Array($0.utf8) }
        nullOnlyEmpty = mapping.nullValues == [""]
        nullStrings = Set(mapping.nullValues)
        stamp.reserveCapacity(40)
        program = MapProgram(root: mapping.root, defaultTimestampFormat: mapping.defaultTimestampFormat)
        let rootNames = mapping.root.members.map(\.name)
        oneOfGroups = mapping.schema.atLeastOneOf.map { group in
            (group, group.compactMap { rootNames.firstIndex(of: $0) })
        }
        rootWritten = [Bool](repeating: false, count: rootNames.count)
    }

    deinit { program.deallocate() }

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
        csvSlots = slots
        globColumns = [:]
        collectGlobs(mapping.root, columns: columns)
    }

    /// Prepares for an NDJSON file: columns are dotted paths, looked up per record.
    public func bindNDJSON() {
        ndjsonPaths = mapping.columns.map { $0.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }
        globColumns = [:]
    }

    private func collectGlobs(_ plan: ObjectPlan, columns: [String]) {
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

    private func outputName(_ column: String, stripping prefix: String?) -> String {
        if let prefix, column.hasPrefix(prefix), column.count > prefix.count { return String(column.dropFirst(prefix.count)) }
        return column
    }

    // MARK: Mapping

    /// Maps one row. On `.valid` the record's JSON is in `writer` (which is reset first).
    public func map(_ row: SourceRow, into writer: inout JSONWriter) -> MapOutcome {
        for filter in mapping.filters where !passes(filter, row) { return .filtered }
        writer.reset()
        var errors: [FieldError] = []
        if !oneOfGroups.isEmpty {
            for i in rootWritten.indices { rootWritten[i] = false }
        }
        if case .csv(let csv) = row {
            run(csv, row, &writer, &errors)
        } else {
            writeObject(mapping.root, row, &writer, &errors, isRoot: true)
        }
        for group in oneOfGroups where !group.members.contains(where: { rootWritten[$0] }) {
            errors.append(FieldError(kind: .missingOneOf, field: group.names.joined(separator: "|"), column: nil, value: nil,
                                     reason: "the vendor needs at least one of \(group.names.joined(separator: ", ")); all are empty"))
        }
        return errors.isEmpty ? .valid : .invalid(errors)
    }

    /// Whether the row passes the mapping's `where:` conditions.
    public func passes(_ row: SourceRow) -> Bool {
        for filter in mapping.filters where !passes(filter, row) { return false }
        return true
    }

    /// The row's `group_by` key as text (fields joined by U+001F); null fields read as empty.
    public func groupKey(_ row: SourceRow) -> String {
        var key = ""
        for (index, slot) in mapping.groupSlots.enumerated() {
            if index > 0 { key.append("\u{1F}") }
            key += raw(slot, row).textValue ?? ""
        }
        return key
    }

    /// The key as users wrote it: `order_id=A17` or `a=1, b=2`.
    public func describeKey(_ key: String) -> String {
        let names = mapping.spec.groupBy?.value ?? []
        let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false)
        return zip(names, parts).map { "\($0)=\($1)" }.joined(separator: ", ")
    }

    /// Maps one group of rows (already filtered) into one record: plain fields read the
    /// group's first row, aggregates and each_row read them all.
    public func mapGroup(_ rows: [SourceRow], into writer: inout JSONWriter) -> MapOutcome {
        guard let first = rows.first else { return .filtered }
        writer.reset()
        groupRows = rows
        defer { groupRows = [] }
        var errors: [FieldError] = []
        for i in rootWritten.indices { rootWritten[i] = false }
        writeObject(mapping.root, first, &writer, &errors, isRoot: true)
        for group in oneOfGroups where !group.members.contains(where: { rootWritten[$0] }) {
            errors.append(FieldError(kind: .missingOneOf, field: group.names.joined(separator: "|"), column: nil, value: nil,
                                     reason: "the vendor needs at least one of \(group.names.joined(separator: ", ")); all are empty"))
        }
        return errors.isEmpty ? .valid : .invalid(errors)
    }

    /// Runs the flat program over a CSV row (see `MapProgram`).
    private func run(_ csv: CSVRow, _ row: SourceRow, _ writer: inout JSONWriter, _ errors: inout [FieldError]) {
        let steps = program.steps
        let keys = program.keys
        for index in 0..<steps.count {
            let step = steps[index]
            let key = UnsafeBufferPointer(rebasing: keys[Int(step.keyStart)..<Int(step.keyStart + step.keyCount)])
            switch step.op {
            case .beginObject:
                if step.keyCount > 0 { writer.writeEncodedKey(key) }
                writer.beginObject()
            case .endObject:
                if step.ref >= 0 { writeGlobs(program.objects[Int(step.ref)], row, &writer, &errors) }
                writer.endObject()
            case .slowLeaf:
                let entry = program.members[Int(step.ref)]
                if writeLeaf(entry.member, entry.leaf, row, &writer, &errors), step.root >= 0 { rootWritten[Int(step.root)] = true }
            case .fastLeaf:
                let bytes = csv[csvSlots[Int(step.slot)]]
                if isNullText(bytes) {
                    if step.omitNull { continue }
                } else if writeFast(step, bytes, key, &writer) {
                    if step.root >= 0 && !oneOfGroups.isEmpty { rootWritten[Int(step.root)] = true }
                    continue
                }
                let entry = program.members[Int(step.ref)]
                if writeLeaf(entry.member, entry.leaf, row, &writer, &errors), step.root >= 0 { rootWritten[Int(step.root)] = true }
            }
        }
    }

    /// Writes a non-null fast leaf; false when the general path must handle it (to report an error).
    @inline(__always)
    private func writeFast(_ step: MapProgram.Step, _ bytes: UnsafeBufferPointer<UInt8>, _ key: UnsafeBufferPointer<UInt8>,
                           _ writer: inout JSONWriter) -> Bool {
        switch step.kind {
        case .string:
            writer.writeEncodedKey(key)
            writer.writeString(validUTF8: bytes)   // the CSV reader has validated every field
            return true
        case .upper, .lower:
            guard UTF8Validation.isASCII(bytes) else { return false }
            writer.writeEncodedKey(key)
            scratch.removeAll(keepingCapacity: true)
            let flip: UInt8 = step.kind == .upper ? 0x61 : 0x41   // the first letter of the case to change
            for b in bytes { scratch.append(b &- flip < 26 ? b ^ 0x20 : b) }
            scratch.withUnsafeBufferPointer { writer.writeString(validUTF8: $0) }
            return true
        case .integer, .number:
            guard let value = Casts.parseInteger(bytes) else { return false }
            writer.writeEncodedKey(key)
            writer.writeInt(value)
            return true
        case .timestamp:
            let parsed: Timestamp
            do throws(TimestampParseError) {
                parsed = try program.parsers[Int(step.parser)].parse(bytes)
            } catch {
                return false
            }
            stamp.removeAll(keepingCapacity: true)
            TimestampFormatter.appendJSON(parsed, as: step.timestampFormat, to: &stamp)
            writer.writeEncodedKey(key)
            writer.writeRawValue(stamp)
            return true
        }
    }

    private func writeObject(_ plan: ObjectPlan, _ row: SourceRow, _ writer: inout JSONWriter, _ errors: inout [FieldError],
                             isRoot: Bool = false) {
        writer.beginObject()
        for (index, member) in plan.members.enumerated() {
            switch member.value {
            case .object(let nested):
                writer.writeEncodedKey(member.encodedKey)
                writeObject(nested, row, &writer, &errors)
            case .leaf(let leaf):
                if writeLeaf(member, leaf, row, &writer, &errors), isRoot { rootWritten[index] = true }
            case .eachRow(let item, let itemType):
                writer.writeEncodedKey(member.encodedKey)
                writeEachRow(member, item, itemType, &writer, &errors)
                if isRoot { rootWritten[index] = true }
            }
        }
        if !plan.globs.isEmpty { writeGlobs(plan, row, &writer, &errors) }
        writer.endObject()
    }

    /// Evaluates and writes one leaf; true when a non-null value was written.
    @discardableResult
    private func writeLeaf(_ member: MemberPlan, _ leaf: LeafPlan, _ row: SourceRow,
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
                writer.writeEncodedKey(member.encodedKey)
                writer.writeNull()
            case .error:
                errors.append(FieldError(kind: .nullValue, field: member.path, column: leaf.columnName, value: nil,
                                         reason: "empty, and on_null: error"))
            }
            return false
        }
        writer.writeEncodedKey(member.encodedKey)
        do throws(FieldError) {
            try write(value, as: member.type, path: member.path, column: leaf.columnName, into: &writer)
        } catch {
            writer.writeNull()   // keeps the writer balanced; the record is discarded anyway
            errors.append(error)
            return false
        }
        return true
    }

    private func writeGlobs(_ plan: ObjectPlan, _ row: SourceRow, _ writer: inout JSONWriter, _ errors: inout [FieldError]) {
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
                if case .string(let s) = value, nullStrings.contains(s) { value = .null }
                if value.isNull { continue }
                writeGlobValue(value, name: name, column: key, plan: plan, &writer, &errors)
            }
        }
    }

    private func writeGlobValue(_ raw: MappedValue, name: String, column: String, plan: ObjectPlan,
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

    // MARK: Values

    @inline(__always)
    private func raw(_ slot: Int, _ row: SourceRow) -> MappedValue {
        switch row {
        case .csv(let csv):
            let bytes = csv[csvSlots[slot]]
            return isNullText(bytes) ? .null : .text(bytes)
        case .ndjson(let record):
            guard let json = Self.lookup(record.object, ndjsonPaths[slot]) else { return .null }
            let value = MappedValue(json: json)
            if case .string(let s) = value, nullStrings.contains(s) { return .null }
            return value
        }
    }

    private static func lookup(_ object: JSONObject, _ path: [String]) -> JSONValue? {
        guard let first = path.first, let top = object[first] else { return nil }
        return path.count == 1 ? top : top.value(atPath: Array(path.dropFirst()))
    }

    @inline(__always)
    private func isNullText(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.isEmpty { return nullValues.contains { $0.isEmpty } }
        if nullOnlyEmpty { return false }
        for candidate in nullValues where candidate.count == bytes.count && candidate.elementsEqual(bytes) { return true }
        return false
    }

    /// One array item per row of the current group.
    private func writeEachRow(_ member: MemberPlan, _ item: ValuePlan, _ itemType: FieldType,
                              _ writer: inout JSONWriter, _ errors: inout [FieldError]) {
        writer.beginArray()
        var written = 0
        for row in groupRows {
            switch item {
            case .leaf(let leaf):
                do throws(FieldError) {
                    let value = try evaluate(leaf, row, member: member)
                    if value.isNull { continue }
                    try write(value, as: itemType, path: member.path, column: leaf.columnName, into: &writer)
                    written += 1
                } catch {
                    errors.append(error)
                }
            case .object(let plan):
                writeObject(plan, row, &writer, &errors)
                written += 1
            case .eachRow:
                break   // refused by the compiler
            }
        }
        writer.endArray()
        if written == 0, mapping.emptyArrays == .reject {
            errors.append(FieldError(kind: .emptyArray, field: member.path, column: nil, value: nil,
                                     reason: "no row of the group gives an item, and this vendor silently drops records with an empty list"))
        }
    }

    /// count/sum/first/last over the current group's rows.
    private func aggregate(_ plan: AggregatePlan, member: MemberPlan, column: String?) throws(FieldError) -> MappedValue {
        switch plan {
        case .count:
            return .int(Int64(groupRows.count))
        case .first(let slot):
            return groupRows.first.map { raw(slot, $0) } ?? .null
        case .last(let slot):
            return groupRows.last.map { raw(slot, $0) } ?? .null
        case .sum(let slot):
            var integer: Int64 = 0
            var real = 0.0
            var isReal = false
            var any = false
            for row in groupRows {
                let value = raw(slot, row)
                if value.isNull { continue }
                any = true
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

    private func evaluate(_ leaf: LeafPlan, _ row: SourceRow, member: MemberPlan) throws(FieldError) -> MappedValue {
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

    private func parseTimestamp(_ value: MappedValue, _ parser: TimestampParser, path: String, column: String?) throws(FieldError) -> Timestamp {
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

    // MARK: Writing with the vendor's type

    private func write(_ value: MappedValue, as type: FieldType, path: String, column: String?,
                       into writer: inout JSONWriter) throws(FieldError) {
        func fail(_ reason: String, kind: FieldError.Kind = .invalidType) -> FieldError {
            FieldError(kind: kind, field: path, column: column, value: value.displayText, reason: reason)
        }
        switch type {
        case .any:
            try writeNatural(value, path: path, column: column, into: &writer)
        case .string(let maxLength):
            switch value {
            case .text(let bytes):
                if let maxLength, bytes.count > maxLength, Self.characterCount(bytes) > maxLength {
                    throw fail("longer than \(maxLength) characters", kind: .tooLong)
                }
                writer.writeString(bytes: bytes)
            case .json(let json) where !Self.isScalar(json):
                throw fail("expected text, found a JSON \(Self.kindName(json))")
            case .array:
                throw fail("expected text, found a list")
            case .timestamp(let t):
                writer.writeString(TimestampFormatter.string(t, as: mapping.defaultTimestampFormat == .rfc3339 ? .rfc3339 : .iso8601UTC))
            default:
                guard let text = value.textValue else { throw fail("expected text") }
                if let maxLength, text.count > maxLength { throw fail("longer than \(maxLength) characters", kind: .tooLong) }
                writer.writeString(text)
            }
        case .integer:
            switch value {
            case .int(let v): writer.writeInt(v)
            case .double(let v) where v.rounded() == v && abs(v) < 9.2e18: writer.writeInt(Int64(v))
            case .timestamp(let t): writer.writeInt(t.seconds)
            case .text(let bytes):
                guard let v = Casts.parseInteger(bytes) else { throw fail("not an integer") }
                writer.writeInt(v)
            case .string(let s):
                guard let v = Casts.parseInteger(s) else { throw fail("not an integer") }
                writer.writeInt(v)
            default:
                throw fail("not an integer")
            }
        case .number:
            switch value {
            case .int(let v): writer.writeInt(v)
            case .double(let v): writer.writeDouble(v)
            case .decimal(let s): writer.writeDecimal(s)
            case .text, .string:
                guard let text = value.textValue, let v = Casts.parseDouble(text) else { throw fail("not a number") }
                if let i = Casts.parseInteger(text) { writer.writeInt(i) } else { writer.writeDouble(v) }
            default:
                throw fail("not a number")
            }
        case .boolean:
            switch value {
            case .bool(let b): writer.writeBool(b)
            case .int(let v) where v == 0 || v == 1: writer.writeBool(v == 1)
            case .text, .string:
                guard let b = value.textValue.flatMap(BooleanText.parse) else {
                    throw fail("not a boolean (true/false, yes/no, y/n, t/f, 1/0, on/off)")
                }
                writer.writeBool(b)
            default:
                throw fail("not a boolean")
            }
        case .timestamp(let format):
            guard case .timestamp(let t) = value else { throw fail("not a time", kind: .invalidTimestamp) }
            stamp.removeAll(keepingCapacity: true)
            TimestampFormatter.appendJSON(t, as: format, to: &stamp)
            writer.writeRawValue(stamp)
        case .enumeration(let allowed):
            guard let text = value.textValue, allowed.contains(text) else {
                var reason = "not one of " + allowed.joined(separator: ", ")
                if let text = value.textValue, let suggestion = Suggestions.closest(to: text, in: allowed) {
                    reason += "; did you mean \(suggestion)?"
                }
                throw fail(reason, kind: .notAllowed)
            }
            writer.writeString(text)
        case .object:
            guard case .json(let json) = value, case .object = json else { throw fail("expected a JSON object") }
            writer.write(json)
        case .array(let item, let maxItems):
            switch value {
            case .array(let items):
                if items.isEmpty, mapping.emptyArrays == .reject { throw fail("an empty list, which this vendor would silently drop", kind: .emptyArray) }
                if let maxItems, items.count > maxItems { throw fail("more than \(maxItems) items", kind: .tooLong) }
                writer.beginArray()
                for element in items { try write(element, as: item, path: path, column: column, into: &writer) }
                writer.endArray()
            case .json(let json):
                guard case .array(let items) = json else { throw fail("expected a list") }
                if items.isEmpty, mapping.emptyArrays == .reject { throw fail("an empty list, which this vendor would silently drop", kind: .emptyArray) }
                if let maxItems, items.count > maxItems { throw fail("more than \(maxItems) items", kind: .tooLong) }
                writer.beginArray()
                for element in items {
                    try write(MappedValue(json: element), as: item, path: path, column: column, into: &writer)
                }
                writer.endArray()
            default:
                throw fail("expected a list")
            }
        }
    }

    /// Writes a value as what it is (free-form properties).
    private func writeNatural(_ value: MappedValue, path: String, column: String?, into writer: inout JSONWriter) throws(FieldError) {
        switch value {
        case .null: writer.writeNull()
        case .text(let bytes): writer.writeString(bytes: bytes)
        case .string(let s): writer.writeString(s)
        case .int(let v): writer.writeInt(v)
        case .double(let v): writer.writeDouble(v)
        case .decimal(let s): writer.writeDecimal(s)
        case .bool(let b): writer.writeBool(b)
        case .json(let json):
            if mapping.emptyArrays == .reject, Self.containsEmptyArray(json) {
                throw FieldError(kind: .emptyArray, field: path, column: column, value: value.displayText,
                                 reason: "holds an empty list, which this vendor would silently drop")
            }
            writer.write(json)
        case .timestamp:
            try write(value, as: .timestamp(mapping.defaultTimestampFormat), path: path, column: column, into: &writer)
        case .array(let items):
            if items.isEmpty, mapping.emptyArrays == .reject {
                throw FieldError(kind: .emptyArray, field: path, column: column, value: nil,
                                 reason: "an empty list, which this vendor would silently drop")
            }
            writer.beginArray()
            for item in items { try writeNatural(item, path: path, column: column, into: &writer) }
            writer.endArray()
        }
    }

    static func containsEmptyArray(_ json: JSONValue) -> Bool {
        switch json {
        case .array(let items): return items.isEmpty || items.contains(where: containsEmptyArray)
        case .object(let object): return object.members.contains { containsEmptyArray($0.value) }
        default: return false
        }
    }

    private static func isScalar(_ json: JSONValue) -> Bool {
        switch json {
        case .array, .object: return false
        default: return true
        }
    }

    private static func kindName(_ json: JSONValue) -> String {
        switch json {
        case .array: return "list"
        case .object: return "object"
        default: return "value"
        }
    }

    /// Unicode scalars in UTF-8 bytes (continuation bytes not counted).
    private static func characterCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        for b in bytes where b & 0xC0 != 0x80 { count += 1 }
        return count
    }

    // MARK: Filters

    private func passes(_ filter: FilterPlan, _ row: SourceRow) -> Bool {
        let value = raw(filter.slot, row)
        switch filter.condition {
        case .notEmpty(let wanted):
            let empty = value.isNull || value.textValue == ""
            return wanted ? !empty : empty
        case .equals(let expected, let negated):
            return (value.textValue == expected) != negated
        case .isIn(let set, let negated):
            let hit = value.textValue.map(set.contains) ?? false
            return hit != negated
        case .matches(let regex, let negated):
            let hit = value.textValue.map(regex.matches) ?? false
            return hit != negated
        }
    }
}

import FerryCore

/// The flat program for CSV rows (see `MapProgram`).
extension RecordMapper {
    /// Runs the flat program over a CSV row (see `MapProgram`).
    func run(_ csv: CSVRow, _ row: SourceRow, _ writer: inout JSONWriter, _ errors: inout [FieldError]) {
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
                if step.required >= 0 { checkNotEmpty(program.requiredObjects[Int(step.required)], writer, &errors) }
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
    func writeFast(_ step: MapProgram.Step, _ bytes: UnsafeBufferPointer<UInt8>, _ key: UnsafeBufferPointer<UInt8>,
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
}

import FerryCore

/// The mapping plan lowered to a flat list of plain-data steps for CSV rows: running it per
/// row touches no reference-counted storage on the common path (a column written as text,
/// integer, number or timestamp). Anything else — transforms, maps, defaults, casts, nulls
/// that are not simply omitted, errors — falls back to the general evaluator for that field,
/// so both paths always produce the same output.
///
/// A class, so that handing a program to `RecordMapper.run` (for every row, and for every row
/// of a group's `each_row`) retains one object rather than each of its arrays.
final class MapProgram {
    enum Op: UInt8 {
        case beginObject
        case endObject
        /// A leaf the fast path can write (CSV column, no conversions beyond the vendor type).
        case fastLeaf
        /// Any other leaf: evaluated by the general path.
        case slowLeaf
        /// A grouped mapping's `each_row` array: one item per row of the group (`ref` indexes
        /// `eachRows`).
        case eachRow
        /// A leaf whose value does not depend on the row (a `value:` constant, with whatever
        /// it goes through), written once when the program is built: `keyStart`/`keyCount`
        /// hold the whole member, `"key":value`.
        case constantLeaf
    }

    enum FastKind: UInt8 {
        case string
        /// Text with the single transform `upper` / `lower` (ASCII values; others take the general path).
        case upper
        case lower
        case integer
        case number
        case timestamp
        /// `type: bool` / `type: float`: NDJSON booleans and numbers are written directly; CSV
        /// text, and anything else, takes the general path (the step only saves the lookup).
        case boolean
        case float
    }

    struct Step {
        var op: Op
        var kind: FastKind = .string
        var timestampFormat: TimestampOutputFormat = .epochSeconds
        /// Omittable when null (optional and on_null: omit).
        var omitNull = false
        var keyStart: Int32 = 0
        var keyCount: Int32 = 0
        var slot: Int32 = 0
        var parser: Int32 = -1
        /// Index into `members` (leaves) or `objects` (object ends, for globs).
        var ref: Int32 = -1
        /// For leaves of the record itself: the member's index in the root object, else -1.
        var root: Int32 = -1
        /// For ends of required objects: index into `requiredObjects`, else -1.
        var required: Int32 = -1
    }

    let steps: UnsafeMutableBufferPointer<Step>
    let keys: UnsafeMutableBufferPointer<UInt8>
    /// The timestamp parsers of the steps, unretained; `parserBoxes` keeps them alive. Boxed,
    /// because calling a parser held in a buffer copied it (retaining its zone and pattern)
    /// for every value, where a `let` of a guaranteed object is borrowed in place.
    let parsers: UnsafeMutableBufferPointer<Unmanaged<TimestampParserBox>>
    private let parserBoxes: [TimestampParserBox]
    let members: [(member: MemberPlan, leaf: LeafPlan)]
    /// `members` without reference counting, for `RecordMapper.run`: the program keeps each
    /// plan alive (through `members`) for as long as it lives, so a leaf written for every
    /// row does not retain and release its two plans.
    let leafRefs: UnsafeMutableBufferPointer<LeafRef>
    let eachRows: [(member: MemberPlan, item: ValuePlan, itemType: FieldType)]
    /// The flat program of each `each_row` whose items are objects (nil for leaf items), by
    /// index in `eachRows`.
    let itemPrograms: [MapProgram?]
    /// `eachRows` without reference counting, for `RecordMapper.run`: read once for every
    /// group, copying the plans (indirect enums and classes) out of `eachRows` was five
    /// retains and as many releases a group.
    let eachRowRefs: UnsafeMutableBufferPointer<EachRowRef>
    let objects: [ObjectPlan]
    /// Required object members, checked for emptiness at their end.
    let requiredObjects: [MemberPlan]
    /// Every member of the record is a leaf of a fast kind, so a record written from CSV
    /// text, or from NDJSON scalars, is a flat object of scalars (or nulls).
    let rootIsFlat: Bool

    /// `isRecord`: the plan is the record itself (its members mark `RecordMapper.rootWritten`),
    /// not an array item of a group.
    /// `constant`: the encoded member (`"key":value`) of a leaf whose value does not depend on
    /// the row, or nil to evaluate it for every row (a null, or an error, stays per row).
    init(root: ObjectPlan, defaultTimestampFormat: TimestampOutputFormat, isRecord: Bool = true,
         constant: ((MemberPlan, LeafPlan) -> [UInt8]?)? = nil) {
        var steps: [Step] = []
        var keyBytes: [UInt8] = []
        var parsers: [TimestampParser] = []
        var members: [(MemberPlan, LeafPlan)] = []
        var eachRows: [(MemberPlan, ValuePlan, FieldType)] = []
        var objects: [ObjectPlan] = []
        var requiredObjects: [MemberPlan] = []
        var rootIsFlat = true

        func key(_ encoded: [UInt8]) -> (Int32, Int32) {
            let start = Int32(keyBytes.count)
            keyBytes += encoded
            return (start, Int32(encoded.count))
        }

        func lower(_ object: ObjectPlan, key encoded: [UInt8]?, isRoot: Bool, required: MemberPlan? = nil) {
            var begin = Step(op: .beginObject)
            if let encoded { (begin.keyStart, begin.keyCount) = key(encoded) }
            steps.append(begin)
            for (memberIndex, member) in object.members.enumerated() {
                switch member.value {
                case .object(let nested):
                    if isRoot { rootIsFlat = false }
                    lower(nested, key: member.encodedKey, isRoot: false, required: member.required ? member : nil)
                case .eachRow(let item, let itemType):
                    if isRoot { rootIsFlat = false }
                    var step = Step(op: .eachRow)
                    if isRoot { step.root = Int32(memberIndex) }
                    step.ref = Int32(eachRows.count)
                    eachRows.append((member, item, itemType))
                    (step.keyStart, step.keyCount) = key(member.encodedKey)
                    steps.append(step)
                case .leaf(let leaf):
                    var step = Step(op: .slowLeaf)
                    if isRoot { step.root = Int32(memberIndex) }
                    if case .constant = leaf.source, let encoded = constant?(member, leaf) {
                        step.op = .constantLeaf
                        (step.keyStart, step.keyCount) = key(encoded)
                        if isRoot { rootIsFlat = false }   // as for any leaf the fast path does not write
                        steps.append(step)
                        continue
                    }
                    step.ref = Int32(members.count)
                    members.append((member, leaf))
                    (step.keyStart, step.keyCount) = key(member.encodedKey)
                    step.omitNull = !member.required && member.onNull == .omit
                    let caseTransform = leaf.transforms.count == 1 && (leaf.transforms[0] == .upper || leaf.transforms[0] == .lower)
                    if caseTransform, case .column(let slot) = leaf.source, leaf.map == nil, leaf.defaultValue == nil,
                       leaf.cast == nil || leaf.cast == .string, leaf.timestamp == nil {
                        switch member.type {
                        case .string(nil), .any:
                            step.slot = Int32(slot)
                            step.op = .fastLeaf
                            step.kind = leaf.transforms[0] == .upper ? .upper : .lower
                        default:
                            break
                        }
                    } else if case .column(let slot) = leaf.source, leaf.transforms.isEmpty, leaf.map == nil,
                       leaf.defaultValue == nil, leaf.cast == nil || leaf.cast == .string || leaf.cast == .int {
                        step.slot = Int32(slot)
                        let castsToInt = leaf.cast == .int
                        switch (member.type, leaf.timestamp) {
                        case (.integer, nil) where castsToInt, (.number, nil) where castsToInt, (.any, nil) where castsToInt:
                            step.op = .fastLeaf
                            step.kind = .integer
                        case _ where castsToInt:
                            break
                        case (.string(nil), nil), (.any, nil):
                            step.op = .fastLeaf
                            step.kind = .string
                        case (.integer, nil):
                            step.op = .fastLeaf
                            step.kind = .integer
                        case (.number, nil):
                            step.op = .fastLeaf
                            step.kind = .number
                        case (.timestamp(let format), let parser?):
                            step.op = .fastLeaf
                            step.kind = .timestamp
                            step.timestampFormat = format
                            step.parser = Int32(parsers.count)
                            parsers.append(parser)
                        case (.any, let parser?):
                            step.op = .fastLeaf
                            step.kind = .timestamp
                            step.timestampFormat = defaultTimestampFormat
                            step.parser = Int32(parsers.count)
                            parsers.append(parser)
                        default:
                            break
                        }
                    } else if case .column(let slot) = leaf.source, leaf.transforms.isEmpty, leaf.map == nil,
                              leaf.defaultValue == nil, leaf.timestamp == nil, leaf.cast == .bool || leaf.cast == .float {
                        let fits: Bool
                        switch member.type {
                        case .any: fits = true
                        case .number: fits = leaf.cast == .float
                        case .boolean: fits = leaf.cast == .bool
                        default: fits = false
                        }
                        if fits {
                            step.slot = Int32(slot)
                            step.op = .fastLeaf
                            step.kind = leaf.cast == .bool ? .boolean : .float
                        }
                    }
                    if isRoot && step.op != .fastLeaf { rootIsFlat = false }
                    steps.append(step)
                }
            }
            var end = Step(op: .endObject)
            if !object.globs.isEmpty {
                end.ref = Int32(objects.count)
                objects.append(object)
            }
            if let required {
                end.required = Int32(requiredObjects.count)
                requiredObjects.append(required)
            }
            steps.append(end)
        }

        lower(root, key: nil, isRoot: isRecord)
        let itemPrograms = eachRows.map { _, item, _ -> MapProgram? in
            guard case .object(let plan) = item else { return nil }
            return MapProgram(root: plan, defaultTimestampFormat: defaultTimestampFormat, isRecord: false, constant: constant)
        }
        self.steps = .allocate(capacity: steps.count)
        _ = self.steps.initialize(from: steps)
        keys = .allocate(capacity: max(1, keyBytes.count))
        _ = keys.initialize(from: keyBytes)
        parserBoxes = parsers.map(TimestampParserBox.init)
        self.parsers = .allocate(capacity: max(1, parsers.count))
        _ = self.parsers.initialize(from: parserBoxes.map { .passUnretained($0) })
        self.members = members
        leafRefs = .allocate(capacity: max(1, members.count))
        _ = leafRefs.initialize(from: members.map { LeafRef(member: .passUnretained($0.0), leaf: .passUnretained($0.1)) })
        self.eachRows = eachRows
        self.itemPrograms = itemPrograms
        eachRowRefs = .allocate(capacity: max(1, eachRows.count))
        _ = eachRowRefs.initialize(from: zip(eachRows, itemPrograms).map { entry, program in
            EachRowRef(member: .passUnretained(entry.0), itemProgram: program.map { .passUnretained($0) }, maxItems: entry.0.maxItems)
        })
        self.objects = objects
        self.requiredObjects = requiredObjects
        self.rootIsFlat = rootIsFlat && objects.isEmpty
    }

    /// A leaf member's plans, unretained (see `leafRefs`).
    struct LeafRef {
        let member: Unmanaged<MemberPlan>
        let leaf: Unmanaged<LeafPlan>
    }

    /// An `each_row` member's plans, unretained (see `eachRowRefs`).
    struct EachRowRef {
        let member: Unmanaged<MemberPlan>
        /// The flat program of an object item; nil for a leaf item.
        let itemProgram: Unmanaged<MapProgram>?
        /// `member.maxItems`, read without the member.
        let maxItems: Int
    }

    deinit {
        eachRowRefs.deallocate()
        leafRefs.deallocate()
        steps.deallocate()
        keys.deallocate()
        parsers.deallocate()   // Unmanaged references: nothing to deinitialize
    }
}

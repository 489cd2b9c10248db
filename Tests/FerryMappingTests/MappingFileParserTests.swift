import FerryCore
import Foundation
import Testing
@testable import FerryMapping

private func parseMapping(_ yaml: String) throws(MappingError) -> MappingSpec {
    try MappingFileParser.parse(yaml: yaml, file: "m.yaml")
}

private func loc(_ line: Int, _ column: Int) -> FerryMapping.MappingLocation {
    FerryMapping.MappingLocation(line: line, column: column)
}

private extension FieldSpec {
    var leaf: LeafSpec? {
        if case .leaf(let leaf) = self { return leaf }
        return nil
    }
    var object: ObjectSpec? {
        if case .object(let object) = self { return object }
        return nil
    }
    var eachRow: EachRowSpec? {
        if case .eachRow(let eachRow) = self { return eachRow }
        return nil
    }
}

private extension ObjectSpec {
    subscript(name: String) -> FieldSpec? {
        fields.first { $0.name == name }?.spec
    }
}

private extension MappingSpec {
    func leaf(_ name: String) -> LeafSpec? { root[name]?.leaf }
}

@Suite struct MappingFileParserTests {
    @Test func designExample() throws {
        let spec = try parseMapping("""
            target: toplyne.user_events
            source:                    # optional; defaults come from the file name
              format: csv              # csv | tsv | ndjson
              delimiter: ","
              header: true             # false -> give columns: [a, b, c]
              null_values: ["", "NULL", "\\\\N"]
            where:
              - { column: user_id, not_empty: true }
            fields:
              userId: user_id                          # shorthand: a column
              eventName: event
              timestamp: { column: occurred_at, timestamp: iso8601 }
              eventProperties:
                columns: "prop_*"
                strip_prefix: "prop_"
                fields:
                  plan: plan
                  seats: { column: seats, type: int }
            """)
        #expect(spec.file == "m.yaml")
        #expect(spec.target == Located("toplyne.user_events", at: loc(1, 9)))
        #expect(spec.source.location == loc(3, 3))
        #expect(spec.source.format == Located(.csv, at: loc(3, 11)))
        #expect(spec.source.delimiter == Located(UInt8(ascii: ","), at: loc(4, 14)))
        #expect(spec.source.header == Located(true, at: loc(5, 11)))
        #expect(spec.source.nullValues == Located(["", "NULL", "\\N"], at: loc(6, 16)))
        #expect(spec.source.quote == nil)
        #expect(spec.filters.count == 1)
        #expect(spec.filters.first?.location == loc(8, 5))
        #expect(spec.filters.first?.column == Located("user_id", at: loc(8, 15)))
        #expect(spec.filters.first?.condition == .notEmpty(true))
        #expect(spec.groupBy == nil)
        #expect(spec.root.location == loc(1, 1))
        #expect(spec.root.fields.map(\.name) == ["userId", "eventName", "timestamp", "eventProperties"])
        #expect(spec.root.fields.map(\.location) == [loc(10, 3), loc(11, 3), loc(12, 3), loc(13, 3)])

        let userId = try #require(spec.leaf("userId"))
        #expect(userId.location == loc(10, 11))
        #expect(userId.source == Located(.column("user_id"), at: loc(10, 11)))
        #expect(userId.type == nil && userId.transforms.isEmpty && userId.map == nil)

        let timestamp = try #require(spec.leaf("timestamp"))
        #expect(timestamp.location == loc(12, 14))
        #expect(timestamp.source == Located(.column("occurred_at"), at: loc(12, 24)))
        #expect(timestamp.timestamp == Located("iso8601", at: loc(12, 48)))

        let properties = try #require(spec.root["eventProperties"]?.object)
        #expect(properties.location == loc(14, 5))
        #expect(properties.columns == Located(["prop_*"], at: loc(14, 14)))
        #expect(properties.stripPrefix == Located("prop_", at: loc(15, 19)))
        #expect(properties.columnsType == nil)
        #expect(properties.fields.map(\.name) == ["plan", "seats"])
        #expect(properties["plan"]?.leaf?.source.value == .column("plan"))
        let seats = try #require(properties["seats"]?.leaf)
        #expect(seats.source.value == .column("seats"))
        #expect(seats.type == Located(.int, at: loc(18, 37)))
    }

    @Test func shorthandKeepsTheTextOfQuotedScalars() throws {
        let spec = try parseMapping("""
            target: t
            fields:
              a: "2024"
              b: 'true'
              c: name.first
              d: "with space"
            """)
        #expect(spec.leaf("a")?.source == Located(.column("2024"), at: loc(3, 6)))
        #expect(spec.leaf("b")?.source.value == .column("true"))
        #expect(spec.leaf("c")?.source.value == .column("name.first"))
        #expect(spec.leaf("d")?.source.value == .column("with space"))
    }

    @Test func everyLeafSourceKind() throws {
        let spec = try parseMapping("""
            target: t
            group_by: order_id
            fields:
              column: { column: email }
              value: { value: 42 }
              template: { template: "{first} {last}" }
              env: { env: FERRY_REGION }
              count: { count: true }
              sum: { sum: amount }
              first: { first: created_at }
              last: { last: updated_at }
            """)
        #expect(spec.leaf("column")?.source == Located(.column("email"), at: loc(4, 21)))
        #expect(spec.leaf("value")?.source == Located(.value(.int(42)), at: loc(5, 19)))
        #expect(spec.leaf("template")?.source == Located(.template("{first} {last}"), at: loc(6, 25)))
        #expect(spec.leaf("env")?.source == Located(.env("FERRY_REGION"), at: loc(7, 15)))
        #expect(spec.leaf("count")?.source == Located(.aggregate(.count), at: loc(8, 19)))
        #expect(spec.leaf("sum")?.source == Located(.aggregate(.sum("amount")), at: loc(9, 15)))
        #expect(spec.leaf("first")?.source == Located(.aggregate(.first("created_at")), at: loc(10, 19)))
        #expect(spec.leaf("last")?.source == Located(.aggregate(.last("updated_at")), at: loc(11, 17)))
        #expect(spec.groupBy == Located(["order_id"], at: loc(2, 11)))
    }

    @Test func everyLeafOption() throws {
        let spec = try parseMapping("""
            target: t
            fields:
              tags:
                column: tags
                type: array
                separator: "|"
                item_type: integer
                transform: trim
                required: true
                on_null: error
              seen:
                column: seen
                timestamp: "M/d/yyyy H:mm"
                timezone: America/New_York
                on_null: "null"
              plan:
                column: plan
                map: { f: free, 1: one, "2": 2, ~: none, yes: true }
                unmapped: error
                default: free
                required: false
                on_null: omit
            """)
        let tags = try #require(spec.leaf("tags"))
        #expect(tags.location == loc(4, 5))
        #expect(tags.type == Located(.array, at: loc(5, 11)))
        #expect(tags.separator == Located("|", at: loc(6, 16)))
        #expect(tags.itemType == Located(.int, at: loc(7, 16)))
        #expect(tags.transforms == [Located(.trim, at: loc(8, 16))])
        #expect(tags.required == Located(true, at: loc(9, 15)))
        #expect(tags.onNull == Located(.error, at: loc(10, 14)))

        let seen = try #require(spec.leaf("seen"))
        #expect(seen.timestamp == Located("M/d/yyyy H:mm", at: loc(13, 16)))
        #expect(seen.timezone == Located("America/New_York", at: loc(14, 15)))
        #expect(seen.onNull?.value == .null)

        let plan = try #require(spec.leaf("plan"))
        let map = try #require(plan.map)
        #expect(map.location == loc(18, 10))
        #expect(map.value.map(\.key) == ["f", "1", "2", "~", "yes"])
        #expect(map.value.map(\.value) == [.string("free"), .string("one"), .int(2), .string("none"), .bool(true)])
        #expect(plan.unmapped == Located(.error, at: loc(19, 15)))
        #expect(plan.defaultValue == Located(.string("free"), at: loc(20, 14)))
        #expect(plan.required == Located(false, at: loc(21, 15)))
        #expect(plan.onNull?.value == .omit)
    }

    @Test(arguments: [
        ("string", ValueCast.string), ("str", .string), ("int", .int), ("integer", .int), ("float", .float),
        ("number", .float), ("double", .float), ("bool", .bool), ("boolean", .bool), ("json", .json),
        ("array", .array),
    ])
    func typeNames(written: String, cast: ValueCast) throws {
        let spec = try parseMapping("""
            target: t
            fields:
              a: { column: a, type: \(written) }
            """)
        #expect(spec.leaf("a")?.type?.value == cast)
    }

    @Test func constantsFollowTheCoreSchemaAndQuotesMakeText() throws {
        let spec = try parseMapping("""
            target: t
            fields:
              int: { value: 123 }
              quotedInt: { value: "123" }
              singleQuotedInt: { value: '123' }
              negative: { value: -7 }
              hex: { value: 0x1F }
              octal: { value: 0o17 }
              leadingZero: { value: 0777 }
              float: { value: 1.5 }
              exponent: { value: 1e3 }
              halfDot: { value: .5 }
              trueLower: { value: true }
              trueTitle: { value: True }
              falseUpper: { value: FALSE }
              quotedTrue: { value: "true" }
              yes: { value: yes }
              tilde: { value: ~ }
              nullWord: { value: null }
              empty: { value: }
              quotedEmpty: { value: "" }
              quotedNull: { value: "null" }
              text: { value: hello world }
              date: { value: 2024-01-02 }
              version: { value: 1.2.3 }
              tagged: { value: !!str 5 }
              block:
                value: |
                  two
                  lines
            """)
        func value(_ name: String) -> ConstantValue? {
            if case .value(let constant)? = spec.leaf(name)?.source.value { return constant }
            return nil
        }
        #expect(value("int") == .int(123))
        #expect(value("quotedInt") == .string("123"))
        #expect(value("singleQuotedInt") == .string("123"))
        #expect(value("negative") == .int(-7))
        #expect(value("hex") == .int(31))
        #expect(value("octal") == .int(15))
        #expect(value("leadingZero") == .int(777))
        #expect(value("float") == .double(1.5))
        #expect(value("exponent") == .double(1000))
        #expect(value("halfDot") == .double(0.5))
        #expect(value("trueLower") == .bool(true))
        #expect(value("trueTitle") == .bool(true))
        #expect(value("falseUpper") == .bool(false))
        #expect(value("quotedTrue") == .string("true"))
        #expect(value("yes") == .string("yes"))
        #expect(value("tilde") == .null)
        #expect(value("nullWord") == .null)
        #expect(value("empty") == .null)
        #expect(value("quotedEmpty") == .string(""))
        #expect(value("quotedNull") == .string("null"))
        #expect(value("text") == .string("hello world"))
        #expect(value("date") == .string("2024-01-02"))
        #expect(value("version") == .string("1.2.3"))
        #expect(value("tagged") == .string("5"))
        #expect(value("block") == .string("two\nlines"))
    }

    @Test func defaultIsAConstantToo() throws {
        let spec = try parseMapping("""
            target: t
            fields:
              a: { column: a, default: 0 }
              b: { column: b, default: "0" }
              c: { column: c, default: false }
              d: { column: d, default: null }
            """)
        #expect(spec.leaf("a")?.defaultValue == Located(.int(0), at: loc(3, 28)))
        #expect(spec.leaf("b")?.defaultValue?.value == .string("0"))
        #expect(spec.leaf("c")?.defaultValue?.value == .bool(false))
        #expect(spec.leaf("d")?.defaultValue?.value == .null)
    }

    @Test func everyTransformForm() throws {
        let spec = try parseMapping("""
            target: t
            fields:
              a:
                column: a
                transform:
                  - trim
                  - lower
                  - upper
                  - title
                  - collapse_whitespace
                  - digits_only
                  - null_if_empty
                  - { truncate: 20 }
                  - prefix: "+"
                  - { suffix: " kg" }
                  - { replace: [" ", "_"] }
                  - { replace: { from: "-", to: "" } }
              b: { column: b, transform: { truncate: 3 } }
              c: { column: c, transform: upper }
            """)
        let a = try #require(spec.leaf("a"))
        #expect(a.transforms.map(\.value) == [
            .trim, .lower, .upper, .title, .collapseWhitespace, .digitsOnly, .nullIfEmpty, .truncate(20),
            .prefix("+"), .suffix(" kg"), .replace(from: " ", to: "_"), .replace(from: "-", to: ""),
        ])
        #expect(a.transforms.map(\.location) == (6...17).map { loc($0, 9) })
        #expect(spec.leaf("b")?.transforms == [Located(.truncate(3), at: loc(18, 30))])
        #expect(spec.leaf("c")?.transforms == [Located(.upper, at: loc(19, 30))])
    }

    @Test func nestedObjects() throws {
        let spec = try parseMapping("""
            target: t
            fields:
              profile:
                fields:
                  name: name
                  address:
                    fields:
                      city: { column: city, transform: title }
                      zip: zip
              props:
                columns: ["p_*", "q_?"]
                strip_prefix: p_
                type: float
              extra: { columns: "x_*" }
            """)
        let profile = try #require(spec.root["profile"]?.object)
        #expect(profile.location == loc(4, 5))
        #expect(profile.columns == nil)
        let address = try #require(profile["address"]?.object)
        #expect(address.fields.map(\.name) == ["city", "zip"])
        #expect(address["city"]?.leaf?.transforms.map(\.value) == [.title])
        #expect(address["zip"]?.leaf?.source.value == .column("zip"))

        let props = try #require(spec.root["props"]?.object)
        #expect(props.fields.isEmpty)
        #expect(props.columns == Located(["p_*", "q_?"], at: loc(11, 14)))
        #expect(props.stripPrefix == Located("p_", at: loc(12, 19)))
        #expect(props.columnsType == Located(.float, at: loc(13, 11)))
        #expect(spec.root["extra"]?.object?.columns?.value == ["x_*"])
    }

    @Test func topLevelColumnsWithoutFields() throws {
        let spec = try parseMapping("""
            description: |
              Everything with a prefix, as is.
            target: t
            columns: [attr_*]
            strip_prefix: attr_
            """)
        #expect(spec.root.fields.isEmpty)
        #expect(spec.root.columns?.value == ["attr_*"])
        #expect(spec.root.stripPrefix?.value == "attr_")
    }

    @Test func eachRowTakesAnObjectOrALeaf() throws {
        let spec = try parseMapping("""
            target: talonone.customer_sessions
            group_by: [session_id, customer_id]
            group_order: any
            fields:
              integrationId: { first: session_id }
              total: { sum: price }
              lines: { count: true }
              cartItems:
                each_row:
                  fields:
                    sku: sku
                    quantity: { column: qty, type: int }
              skus:
                each_row: sku
              prices:
                each_row: { column: price, type: float }
            """)
        #expect(spec.groupBy == Located(["session_id", "customer_id"], at: loc(2, 11)))
        #expect(spec.groupOrder == Located(.any, at: loc(3, 14)))
        let cart = try #require(spec.root["cartItems"]?.eachRow)
        #expect(cart.location == loc(9, 5))
        let item = try #require(cart.item.object)
        #expect(item.location == loc(10, 7))
        #expect(item.fields.map(\.name) == ["sku", "quantity"])
        #expect(item["quantity"]?.leaf?.type?.value == .int)
        #expect(spec.root["skus"]?.eachRow?.item.leaf?.source == Located(.column("sku"), at: loc(14, 15)))
        let prices = try #require(spec.root["prices"]?.eachRow?.item.leaf)
        #expect(prices.source.value == .column("price"))
        #expect(prices.type?.value == .float)
    }

    @Test func groupOrderConsecutive() throws {
        let spec = try parseMapping("""
            target: t
            group_by: [a]
            group_order: consecutive
            fields:
              items: { each_row: b }
            """)
        #expect(spec.groupOrder?.value == .consecutive)
        #expect(spec.groupBy?.value == ["a"])
    }

    @Test func sourceOptions() throws {
        let spec = try parseMapping("""
            target: t
            source:
              format: tsv
              quote: "'"
              header: false
              columns: [id, name, email]
              null_values: [NULL, "", ~, "\\\\N"]
            fields:
              id: id
            """)
        #expect(spec.source.format?.value == .tsv)
        #expect(spec.source.quote == Located(UInt8(ascii: "'"), at: loc(4, 10)))
        #expect(spec.source.header == Located(false, at: loc(5, 11)))
        #expect(spec.source.columns == Located(["id", "name", "email"], at: loc(6, 12)))
        #expect(spec.source.nullValues?.value == ["NULL", "", "~", "\\N"])
    }

    @Test(arguments: [
        ("\",\"", UInt8(ascii: ",")), ("\";\"", UInt8(ascii: ";")), ("\"|\"", UInt8(ascii: "|")),
        ("\"\\t\"", 0x09), ("'\\t'", 0x09), ("\\t", 0x09), ("tab", 0x09), ("TAB", 0x09), ("comma", UInt8(ascii: ",")),
        ("semicolon", UInt8(ascii: ";")), ("pipe", UInt8(ascii: "|")), (";", UInt8(ascii: ";")),
        ("':'", UInt8(ascii: ":")),
    ])
    func delimiterSpellings(written: String, byte: UInt8) throws {
        let spec = try parseMapping("""
            target: t
            source:
              delimiter: \(written)
            fields:
              a: a
            """)
        #expect(spec.source.delimiter == Located(byte, at: loc(3, 14)))
    }

    @Test(arguments: [("none", nil), ("\"none\"", nil), ("~", nil), ("null", nil), ("", nil),
                      ("'\"'", UInt8(ascii: "\"")), ("\"'\"", UInt8(ascii: "'")), ("\"`\"", UInt8(ascii: "`"))] as [(String, UInt8?)])
    func quoteSpellings(written: String, byte: UInt8?) throws {
        let spec = try parseMapping("""
            target: t
            source:
              quote: \(written)
            fields:
              a: a
            """)
        let quote = try #require(spec.source.quote)
        #expect(quote.value == byte)
        #expect(quote.location.line == 3)
    }

    @Test(arguments: [("ndjson", InputFormat.ndjson), ("jsonl", .ndjson), ("csv", .csv), ("tsv", .tsv)])
    func formats(written: String, format: InputFormat) throws {
        let spec = try parseMapping("target: t\nsource: { format: \(written) }\nfields: { a: a }\n")
        #expect(spec.source.format == Located(format, at: loc(2, 19)))
    }

    @Test func whereConditions() throws {
        let spec = try parseMapping("""
            target: t
            where:
              - { column: a, not_empty: true }
              - { column: b, not_empty: false }
              - { column: c, equals: 1 }
              - { column: d, not_equals: "x y" }
              - { column: e, in: [US, CA, 1, true] }
              - { column: f, not_in: ["", "-"] }
              - { column: g, matches: "^[0-9]+$" }
              - column: h
                not_matches: test
            fields:
              a: a
            """)
        #expect(spec.filters.map(\.column.value) == ["a", "b", "c", "d", "e", "f", "g", "h"])
        #expect(spec.filters.map(\.condition) == [
            .notEmpty(true), .notEmpty(false), .equals("1"), .notEquals("x y"), .isIn(["US", "CA", "1", "true"]),
            .notIn(["", "-"]), .matches("^[0-9]+$"), .notMatches("test"),
        ])
        #expect(spec.filters.map(\.location) == (3...10).map { loc($0, 5) })
    }

    @Test func anchorsAndAliasesAreFollowed() throws {
        let spec = try parseMapping("""
            target: t
            fields:
              a: &email { column: email, transform: [trim, lower] }
              b: *email
            """)
        #expect(spec.leaf("b")?.source.value == .column("email"))
        #expect(spec.leaf("b")?.transforms.map(\.value) == [.trim, .lower])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let spec = try parseMapping("\u{FEFF}target: t\nfields:\n  a: b\n")
        #expect(spec.target == Located("t", at: loc(1, 9)))
    }

    @Test func crlfLineEndings() throws {
        let spec = try parseMapping("target: t\r\nfields:\r\n  a: b\r\n  c: { column: c, type: int }\r\n")
        #expect(spec.leaf("c")?.type == Located(.int, at: loc(4, 25)))
    }

    @Test func parsesAFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-parser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.yaml").path
        try "target: t\nfields:\n  a: b\n".write(toFile: path, atomically: true, encoding: .utf8)
        let spec = try MappingFileParser.parse(contentsOf: path)
        #expect(spec.file == path)
        #expect(spec.leaf("a")?.source.value == .column("b"))

        try "target: t\nfeilds: {}\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try MappingFileParser.parse(contentsOf: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == """
                \(path):2:1: error: unknown key 'feilds' in the mapping; did you mean 'fields'?
                """)
        }
    }

    @Test func unreadableFileIsOneDiagnosticAtZero() {
        let path = "/nonexistent/ferry/mapping.yaml"
        do {
            _ = try MappingFileParser.parse(contentsOf: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.count == 1)
            #expect(error.diagnostics.first?.location == .unknown)
            #expect(error.description == "\(path):0:0: error: cannot read the mapping file: no such file")
        }
        do {
            _ = try MappingFileParser.parse(contentsOf: FileManager.default.temporaryDirectory.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["cannot read the mapping file: it is a directory"])
        }
    }

    @Test func fileThatIsNotUTF8() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-parser-\(UUID().uuidString).yaml").path
        try Data([0x74, 0x3A, 0x20, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try MappingFileParser.parse(contentsOf: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "\(path):0:0: error: cannot read the mapping file: it is not UTF-8 text")
        }
    }

    /// The mapping files shipped in mappings/ all parse.
    @Test func shippedMappingsParse() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("mappings")
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") } ?? []
        #expect(!files.isEmpty)
        for file in files {
            let path = root.appendingPathComponent(file).path
            do {
                let spec = try MappingFileParser.parse(contentsOf: path)
                #expect(!spec.target.value.isEmpty)
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}

import Testing
@testable import FerryMapping

private func parseMapping(_ yaml: String) throws(MappingError) -> MappingSpec {
    try MappingFileParser.parse(yaml: yaml, file: "m.yaml")
}

/// The diagnostics for `yaml` as "line:column: message", or [] when it parses.
private func mappingErrors(_ yaml: String) -> [String] {
    do {
        _ = try parseMapping(yaml)
        return []
    } catch {
        return error.diagnostics.map { "\($0.location): \($0.message)" }
    }
}

@Suite struct MappingFileParserErrorTests {
    // MARK: - Unknown keys

    @Test func unknownTopLevelKeySuggestsTheClosest() {
        #expect(mappingErrors("""
            target: t
            feilds:
              a: b
            """) == ["2:1: unknown key 'feilds' in the mapping; did you mean 'fields'?"])
        #expect(mappingErrors("""
            taget: t
            fields: { a: b }
            """) == ["1:1: unknown key 'taget' in the mapping; did you mean 'target'?"])
    }

    @Test func unknownKeyWithoutCloseMatchListsTheAllowedKeys() {
        #expect(mappingErrors("""
            target: t
            fields: { a: b }
            xyzzy: 1
            """) == [
                "3:1: unknown key 'xyzzy' in the mapping; expected one of: target, source, where, group_by, "
                    + "group_order, fields, columns, strip_prefix, description",
            ])
    }

    @Test func unknownKeysInSource() {
        #expect(mappingErrors("""
            target: t
            source:
              delimter: ";"
              fromat: csv
              encoding: utf8
            fields: { a: b }
            """) == [
                "3:3: unknown key 'delimter' in 'source'; did you mean 'delimiter'?",
                "4:3: unknown key 'fromat' in 'source'; did you mean 'format'?",
                "5:3: unknown key 'encoding' in 'source'; expected one of: format, delimiter, quote, header, columns, null_values",
            ])
    }

    @Test func unknownKeyInALeaf() {
        #expect(mappingErrors("""
            target: t
            fields:
              email: { column: email, tpye: string }
              profile:
                fields:
                  age: { column: age, requried: true }
            """) == [
                "3:27: unknown key 'tpye' in field 'email'; did you mean 'type'?",
                "6:27: unknown key 'requried' in field 'profile.age'; did you mean 'required'?",
            ])
    }

    @Test func misspeltSourceKeyIsSuggestedInsteadOfNoSource() {
        #expect(mappingErrors("""
            target: t
            fields:
              email: { colum: email, type: string }
            """) == ["3:12: unknown key 'colum' in field 'email'; did you mean 'column'?"])
    }

    @Test func unknownKeyInAnObject() {
        #expect(mappingErrors("""
            target: t
            fields:
              props: { columns: "p_*", transform: trim }
            """) == [
                "3:28: unknown key 'transform' in field 'props'; expected one of: fields, columns, strip_prefix, type",
            ])
    }

    @Test func unknownTransforms() {
        #expect(mappingErrors("""
            target: t
            fields:
              a:
                column: a
                transform: [trim, lowr, { truncat: 3 }, { replace: { form: x, to: y } }, squash]
              b: { column: b, transform: uper }
            """) == [
                "5:23: unknown transform 'lowr'; did you mean 'lower'?",
                "5:31: unknown transform 'truncat'; did you mean 'truncate'?",
                "5:58: unknown key 'form' in 'replace'; did you mean 'from'?",
                "5:78: unknown transform 'squash'; expected one of: trim, lower, upper, title, collapse_whitespace, "
                    + "digits_only, null_if_empty, truncate, prefix, suffix, replace",
                "6:30: unknown transform 'uper'; did you mean 'upper'?",
            ])
    }

    @Test func transformArgumentErrors() {
        #expect(mappingErrors("""
            target: t
            fields:
              a:
                column: a
                transform:
                  - truncate
                  - { truncate: 0 }
                  - { truncate: "5" }
                  - { trim: true }
                  - { prefix: a, suffix: b }
                  - { replace: [a] }
                  - { replace: { from: a } }
                  - { replace: ["", b] }
                  - [trim]
            """) == [
                "6:9: transform 'truncate' needs an argument: { truncate: 20 }",
                "7:21: the argument of 'truncate' must be a positive whole number, found '0'",
                "8:21: the argument of 'truncate' must be a positive whole number, found '5'",
                "9:11: transform 'trim' takes no argument; write it as a plain name: trim",
                "10:9: a transform with an argument is a mapping with one key, such as { truncate: 20 }; found 2 keys",
                "11:20: 'replace' takes [from, to] or { from: ..., to: ... }; found a list",
                "12:20: 'replace' needs both 'from' and 'to'",
                "13:21: 'from' of 'replace' cannot be empty",
                "14:9: a transform is a name such as trim, or a mapping such as { truncate: 20 }; found a list",
            ])
    }

    // MARK: - Duplicate keys

    @Test func duplicateKeyPointsAtTheSecondOccurrence() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: b
              c: d
              a: e
            """) == ["5:3: duplicate key 'a' in 'fields'; it was first written at 3:3"])
    }

    @Test func severalDuplicatesAndOtherErrorsAreAllReported() {
        #expect(mappingErrors("""
            target: t
            target: u
            fields:
              a: b
              a: c
              a: d
              e: { column: x, column: y, tpye: int }
            feilds: 1
            """) == [
                "2:1: duplicate key 'target' in the mapping; it was first written at 1:1",
                "5:3: duplicate key 'a' in 'fields'; it was first written at 4:3",
                "6:3: duplicate key 'a' in 'fields'; it was first written at 4:3",
                "7:19: duplicate key 'column' in field 'e'; it was first written at 7:8",
                "7:30: unknown key 'tpye' in field 'e'; did you mean 'type'?",
                "8:1: unknown key 'feilds' in the mapping; did you mean 'fields'?",
            ])
    }

    @Test func quotedAndPlainSpellingsOfOneKeyAreDuplicates() {
        #expect(mappingErrors("""
            target: t
            fields:
              "a": b
              'a': c
              a: d
              m: { column: m, map: { 1: one, "1": uno } }
            """) == [
                "4:3: duplicate key 'a' in 'fields'; it was first written at 3:3",
                "5:3: duplicate key 'a' in 'fields'; it was first written at 3:3",
                "6:34: duplicate key '1' in 'map' of field 'm'; it was first written at 6:26",
            ])
    }

    @Test func duplicateKeyThatCannotBeRenamedIsReportedAtTheFirstOccurrence() {
        // A tag before the key: the loader does not rewrite it and reports what Yams found.
        #expect(mappingErrors("""
            target: t
            fields:
              !!str a: b
              a: c
            """) == ["3:3: duplicate key 'a' in one mapping; each key may appear once"])
    }

    // MARK: - Leaves

    @Test func twoSourcesInOneLeaf() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: { column: a, value: 1 }
              b:
                template: "{x}"
                env: HOME
                column: b
            """) == [
                "3:19: field 'a' has several sources ('column', 'value'); a leaf takes exactly one of "
                    + "column, value, template, env, count, sum, first, last",
                "6:5: field 'b' has several sources ('template', 'env', 'column'); a leaf takes exactly one of "
                    + "column, value, template, env, count, sum, first, last",
            ])
    }

    @Test func leafWithoutSource() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: { type: int }
              b: {}
            """) == [
                "3:6: field 'a' has no source; give one of column, value, template, env, count, sum, first, last "
                    + "(or 'fields'/'columns' for an object)",
                "4:6: field 'b' has no source; give one of column, value, template, env, count, sum, first, last "
                    + "(or 'fields'/'columns' for an object)",
            ])
    }

    @Test func leafMixedWithObjectKeys() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: { column: a, fields: { b: c } }
            """) == [
                "3:19: field 'a' mixes a value source ('column') with the object key 'fields'; "
                    + "a leaf has one source, an object has 'fields' and/or 'columns'",
            ])
    }

    @Test func badTypeNames() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: { column: a, type: integr }
              b: { column: b, type: text }
              c: { column: c, type: Int }
              d: { column: d, type: array, item_type: array }
              e: { column: e, type: [int] }
            """) == [
                "3:25: unknown type 'integr'; did you mean 'integer'?",
                "4:25: unknown type 'text'; expected one of: string, int, float, bool, json, array",
                "5:25: unknown type 'Int'; did you mean 'int'?",
                "6:43: 'item_type' cannot be array: arrays do not nest",
                "7:25: type must be a single value, found a list",
            ])
    }

    @Test func arrayOptionsWithoutTypeArray() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: { column: a, separator: ";" }
              b: { column: b, type: string, separator: ";" }
              c: { column: c, item_type: int }
              d: { column: d, type: array, separator: "" }
            """) == [
                "3:19: 'separator' is only used with type: array",
                "4:33: 'separator' is only used with type: array",
                "5:19: 'item_type' is only used with type: array",
                "6:43: 'separator' cannot be empty",
            ])
    }

    @Test func unmappedWithoutMap() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: { column: a, unmapped: keep }
              b: { column: b, map: { x: y }, unmapped: drop }
            """) == [
                "3:19: 'unmapped' says what 'map' does with values it has no entry for, and field 'a' has no 'map'",
                "4:44: unknown 'unmapped' value 'drop'; expected one of: keep, null, error",
            ])
    }

    @Test func badOnNullAndMap() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: { column: a, on_null: omitt }
              b: { column: b, map: [x, y] }
              c: { column: c, map: { x: [1] } }
              d: { column: d, map: {} }
            """) == [
                "3:28: unknown 'on_null' value 'omitt'; did you mean 'omit'?",
                "4:24: 'map' of field 'b' must be a mapping (key: value), found a list",
                "5:29: the value for 'x' in 'map' of field 'c' must be a constant (text, number, true, false or null), "
                    + "found a list",
                "6:24: 'map' of field 'd' is empty",
            ])
    }

    @Test func badBooleans() {
        #expect(mappingErrors("""
            target: t
            source:
              header: "true"
            where:
              - { column: a, not_empty: 1 }
            fields:
              a: { column: a, required: yes }
              b: { column: b, required: }
            """) == [
                "3:11: expected true or false for 'header', found the quoted text \"true\"; remove the quotes",
                "5:29: expected true or false for 'not_empty', found '1'",
                "7:29: expected true or false for 'required', found 'yes'",
                "8:29: expected true or false for 'required', found nothing",
            ])
    }

    @Test func badConstants() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: { value: [1, 2] }
              b: { value: 99999999999999999999 }
              c: { value: .inf }
              d: { column: d, default: { x: 1 } }
              e: { value: !!int abc }
              f: { value: !!binary aGk= }
            """) == [
                "3:15: 'value' must be a constant (text, number, true, false or null), found a list",
                "4:15: the integer 99999999999999999999 in 'value' does not fit in 64 bits; quote it to send it as text",
                "5:15: .inf in 'value' is not a number JSON can carry; quote it to send it as text",
                "6:28: 'default' must be a constant (text, number, true, false or null), found a mapping",
                "7:15: 'abc' is not a valid !!int for 'value'",
                "8:15: the YAML tag '!!binary' is not supported in 'value'; write the value plainly or quote it",
            ])
    }

    @Test func emptySourceValues() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: { column: }
              b: { column: "" }
              c: { template: ~ }
              d:
              e: { sum: x }
            """) == [
                "3:16: 'column' needs a value, found nothing",
                "4:16: 'column' cannot be empty",
                "5:18: 'template' needs a value, found '~'",
                "6:5: field 'd' must be a column name, a mapping with one source (column, value, template, env, count, "
                    + "sum, first, last), an object with 'fields' and/or 'columns', or a mapping with 'each_row'; "
                    + "found nothing",
                "7:8: 'sum' aggregates the rows of a group; add group_by: [column, ...] at the top level",
            ])
    }

    @Test func fieldThatIsNoneOfTheForms() {
        let forms = "must be a column name, a mapping with one source (column, value, template, env, count, sum, "
            + "first, last), an object with 'fields' and/or 'columns', or a mapping with 'each_row'"
        #expect(mappingErrors("""
            target: t
            fields:
              a: [b, c]
              b: 12
              c: true
              "": d
              ? [x]
              : y
            """) == [
                "3:6: field 'a' \(forms); found a list",
                "4:6: field 'b' \(forms); found '12'; quote it if it is a column name",
                "5:6: field 'c' \(forms); found 'true'; quote it if it is a column name",
                "6:3: a field name cannot be empty",
                "7:5: keys in 'fields' must be names, found a list",
            ])
    }

    // MARK: - Objects

    @Test func stripPrefixWithoutColumns() {
        #expect(mappingErrors("""
            target: t
            strip_prefix: p_
            fields:
              a: { fields: { x: y }, strip_prefix: p_ }
              b: { strip_prefix: q_ }
            """) == [
                "2:1: 'strip_prefix' applies to the columns matched by 'columns', and the mapping has none",
                "4:26: 'strip_prefix' applies to the columns matched by 'columns', and field 'a' has none",
                "5:8: 'strip_prefix' applies to the columns matched by 'columns', and field 'b' has none",
            ])
    }

    @Test func objectTypeWithoutColumns() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: { fields: { x: y }, type: int }
              b: { columns: [], fields: null }
            """) == [
                "3:26: 'type' of an object applies to the columns matched by 'columns', and field 'a' has none; "
                    + "give each field its own type",
                "4:17: 'columns' is an empty list",
                "4:29: 'fields' of field 'b' is empty; list the output fields under it",
            ])
    }

    @Test func missingFieldsAndTarget() {
        #expect(mappingErrors("""
            source: { format: csv }
            """) == [
                "1:1: the mapping has no 'target'; name the vendor target, such as target: toplyne.user_events",
                "1:1: the mapping has no 'fields' (nor 'columns'); say which output fields to make from each row",
            ])
        #expect(mappingErrors("target: t\nfields:\n") == [
            "2:8: 'fields' is empty; list the output fields under it",
        ])
    }

    @Test func documentThatIsNotAMapping() {
        #expect(mappingErrors("") == ["1:1: the mapping file is empty; it needs at least 'target' and 'fields'"])
        #expect(mappingErrors("# only a comment\n") == [
            "1:1: the mapping file is empty; it needs at least 'target' and 'fields'",
        ])
        #expect(mappingErrors("- target: t\n") == [
            "1:1: a mapping file is a YAML mapping with 'target', 'source', 'where' and 'fields'; found a list",
        ])
    }

    // MARK: - Groups

    @Test func eachRowAndAggregatesNeedGroupBy() {
        #expect(mappingErrors("""
            target: t
            group_order: any
            fields:
              total: { sum: price }
              n: { count: true }
              items: { each_row: { fields: { sku: sku } } }
            """) == [
                "2:1: 'group_order' needs 'group_by'",
                "4:12: 'sum' aggregates the rows of a group; add group_by: [column, ...] at the top level",
                "5:8: 'count' aggregates the rows of a group; add group_by: [column, ...] at the top level",
                "6:12: 'each_row' builds an array from the rows of a group; add group_by: [column, ...] at the top level",
            ])
    }

    @Test func eachRowMisuse() {
        #expect(mappingErrors("""
            target: t
            group_by: [id]
            group_order: sorted
            fields:
              a: { each_row: { each_row: x } }
              b: { each_row: x, type: int }
              c: { each_row: { count: true } }
              d: { each_row: { fields: { e: { first: x } } } }
              n: { count: false }
              m: { each_row: [x] }
            """) == [
                "3:14: unknown 'group_order' value 'sorted'; expected one of: consecutive, any",
                "5:20: 'each_row' cannot be nested inside another 'each_row'",
                "6:21: 'each_row' must be the only key of field 'b'; move 'type' inside it",
                "7:20: 'count' aggregates the rows of a group and cannot be used inside 'each_row'; use 'column'",
                "8:35: 'first' aggregates the rows of a group and cannot be used inside 'each_row'; use 'column'",
                "9:15: 'count' takes true (count: true counts the rows of the group)",
                "10:18: field 'm[]' must be a column name, a mapping with one source (column, value, template, env, "
                    + "count, sum, first, last), an object with 'fields' and/or 'columns', or a mapping with "
                    + "'each_row'; found a list",
            ])
    }

    @Test func badGroupBy() {
        #expect(mappingErrors("""
            target: t
            group_by: []
            fields: { a: a }
            """) == ["2:11: 'group_by' is an empty list"])
        #expect(mappingErrors("""
            target: t
            group_by: { a: b }
            fields: { a: a }
            """) == ["2:11: 'group_by' must be a name or a list of names, found a mapping"])
    }

    // MARK: - Source

    @Test func badDelimiters() {
        #expect(mappingErrors("""
            target: t
            source:
              delimiter: ab
            fields: { a: a }
            """) == [
                "3:14: unknown delimiter 'ab'; write one character in quotes, such as \",\" \";\" \"|\", "
                    + "or one of the words tab, comma, semicolon, pipe",
            ])
        // A bare | starts a YAML block scalar, which is empty here.
        #expect(mappingErrors("""
            target: t
            source:
              delimiter: |
            fields: { a: a }
            """) == [
                "3:14: unknown delimiter ''; write one character in quotes, such as \",\" \";\" \"|\", "
                    + "or one of the words tab, comma, semicolon, pipe",
            ])
    }

    @Test func badQuoteAndFormat() {
        #expect(mappingErrors("""
            target: t
            source:
              format: jsn
              delimiter: ";"
              quote: "''"
            fields: { a: a }
            """) == [
                "3:11: unknown format 'jsn'; did you mean 'jsonl'?",
                "5:10: 'quote' must be one character, such as '\"', or none; found ''''",
            ])
        #expect(mappingErrors("""
            target: t
            source: { delimiter: "|", quote: "|", format: xml }
            fields: { a: a }
            """) == [
                "2:34: the quote character cannot be the delimiter",
                "2:47: unknown format 'xml'; expected one of: csv, tsv, ndjson",
            ])
    }

    @Test func csvOptionsWithNDJSON() {
        #expect(mappingErrors("""
            target: t
            source:
              format: ndjson
              delimiter: ","
              header: true
            fields: { a: a }
            """) == [
                "4:3: 'delimiter' applies to CSV and TSV input, not to ndjson",
                "5:3: 'header' applies to CSV and TSV input, not to ndjson",
            ])
    }

    @Test func badSourceLists() {
        #expect(mappingErrors("""
            target: t
            source:
              header: false
              columns: [id, name, id, ~]
              null_values: NULL
            fields: { a: a }
            """) == [
                "4:27: an item of 'columns' of 'source' needs a value, found '~'",
                "5:16: 'null_values' must be a list, such as [\"\", \"NULL\"], found 'NULL'",
            ])
        #expect(mappingErrors("""
            target: t
            source:
              columns: [id, name, id]
            fields: { a: a }
            """) == ["3:23: column 'id' is listed twice in 'columns'"])
        #expect(mappingErrors("""
            target: t
            source: csv
            fields: { a: a }
            """) == ["2:9: 'source' must be a mapping (key: value), found 'csv'"])
    }

    // MARK: - where

    @Test func whereConditionErrors() {
        #expect(mappingErrors("""
            target: t
            where:
              - { column: a, equals: 1, in: [1, 2] }
              - { column: b }
              - { equals: 3 }
              - { colum: c, equals: 3 }
              - { column: d, equal: 3 }
              - { column: e, equals: }
              - { column: f, equals: [x, y] }
              - { column: g, in: x }
              - { column: h, not_in: [] }
              - { column: i, in: [a, null] }
              - not_empty
            fields: { a: a }
            """) == [
                "3:29: a 'where' condition takes exactly one of not_empty, equals, not_equals, in, not_in, matches, "
                    + "not_matches; found 'equals' and 'in'",
                "4:5: a 'where' condition needs one of: not_empty, equals, not_equals, in, not_in, matches, not_matches",
                "5:5: a 'where' condition needs 'column'",
                "6:7: unknown key 'colum' in a 'where' condition; did you mean 'column'?",
                "7:18: unknown key 'equal' in a 'where' condition; did you mean 'equals'?",
                "8:26: 'equals' needs a value; to keep rows where the column is empty use not_empty: false",
                "9:26: 'equals' compares with one value, found a list; to compare with several values use 'in'",
                "10:22: 'in' takes a list, such as [US, CA], found 'x'",
                "11:26: 'not_in' is an empty list",
                "12:26: an item of 'in' is null; to compare with the text 'null' quote it, "
                    + "to keep rows where the column is empty use not_empty: false",
                "13:5: a 'where' condition must be a mapping (key: value), found 'not_empty'",
            ])
        #expect(mappingErrors("""
            target: t
            where: { column: a, not_empty: true }
            fields: { a: a }
            """) == [
                "2:8: 'where' must be a list of conditions, such as - { column: country, equals: US }; found a mapping",
            ])
    }

    // MARK: - YAML syntax

    @Test func yamlSyntaxErrorsCarryYamlsPosition() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: [b
            """) == ["4:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at 3:6)"])
        #expect(mappingErrors("""
            target: t
            fields:
              a: b
             c: d
            """) == ["4:2: invalid YAML: did not find expected key (while parsing a block mapping at 1:1)"])
        #expect(mappingErrors("""
            target: t
            fields:
              a: "b
            """) == [
                "3:8: invalid YAML: found unexpected end of stream (while scanning a quoted scalar at 3:6)",
            ])
        #expect(mappingErrors("target: t\nfields:\n\ta: b\n") == [
            "3:1: invalid YAML: found character that cannot start any token (while scanning for the next token at 3:1)",
        ])
        #expect(mappingErrors("target: t\nfields: { a: \"x\u{7}\" }\n") == [
            "2:16: invalid YAML: control characters are not allowed",
        ])
        #expect(mappingErrors("target: t\n---\nfields: { a: b }\n") == [
            "2:1: invalid YAML: expected a single document in the stream (at 1:1), but found another document",
        ])
        #expect(mappingErrors("target: *name\n") == ["1:9: invalid YAML: found undefined alias"])
    }

    @Test func aliasedNodeIsReportedWhereItIsWrittenOncePerUse() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: &bad { column: a, tpye: int }
              b: *bad
            where:
              - &cond { column: a, equals: [1] }
              - *cond
            """) == [
                "3:24: unknown key 'tpye' in field 'a'; did you mean 'type'?",
                "3:24: unknown key 'tpye' in field 'b'; did you mean 'type'?",
                "6:32: 'equals' compares with one value, found a list; to compare with several values use 'in'",
            ])
    }

    @Test func mergeKeysAreRefused() {
        #expect(mappingErrors("""
            target: t
            fields:
              a: &base { column: a, type: int }
              b:
                <<: *base
                column: b
            """) == ["5:5: YAML merge keys ('<<') are not supported; write the keys out"])
    }

    // MARK: - Reporting

    @Test func diagnosticsAreInFileOrderAndPrintLikeACompiler() {
        do {
            _ = try parseMapping("""
                fields:
                  b: { column: b, type: nope }
                  a: { column: a, value: 1 }
                group_order: any
                """)
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.allSatisfy { $0.severity == .error && $0.file == "m.yaml" })
            #expect(error.description == """
                m.yaml:1:1: error: the mapping has no 'target'; name the vendor target, such as target: toplyne.user_events
                m.yaml:2:25: error: unknown type 'nope'; expected one of: string, int, float, bool, json, array
                m.yaml:3:19: error: field 'a' has several sources ('column', 'value'); a leaf takes exactly one of column, value, template, env, count, sum, first, last
                m.yaml:4:1: error: 'group_order' needs 'group_by'
                """)
        }
    }
}

import Testing
import FerryCore
@testable import FerryMapping

/// Every class of problem `ferry check` reports, with its YAML line and column.
@Suite struct MappingCompilerTests {
    @Test func unknownFieldSuggestsTheClosest() {
        let errors = compileErrors("""
        target: t
        fields:
          id: a
          cuont: n
        """)
        #expect(errors == ["4:3: the target has no field 'cuont'; did you mean 'count'?"])
    }

    @Test func missingRequiredFieldIsReportedAtTheObject() {
        let errors = compileErrors("""
        target: t
        fields:
          name: a
          address:
            fields:
              zip: z
        """)
        #expect(errors.count == 2)
        #expect(errors.contains { $0.hasSuffix("the target requires 'id' (string); map it under fields:") })
        #expect(errors.contains { $0.hasPrefix("5:") && $0.hasSuffix("the target requires 'address.city' (string); map it under fields:") })
    }

    @Test func typesThatCannotProduceTheVendorType() {
        let errors = compileErrors("""
        target: t
        fields:
          id: { column: a, type: json }
          count: { column: n, type: bool }
          active: { column: f, type: float }
          at: t
          props: p
          tags: { column: x }
          address: z
        """)
        #expect(errors == [
            "3:26: 'id' must be string: type: json produces structured values",
            "4:29: 'count' must be integer: type: bool cannot produce a number",
            "5:30: 'active' must be boolean: type: float cannot produce true/false",
            "6:7: 'at' is timestamp (epoch seconds, integer): say how the source writes the time with timestamp: (iso8601, epoch_s, epoch_ms, epoch_us, epoch_auto, or a pattern such as \"M/d/yyyy H:mm\")",
            "7:10: 'props' is an object: give it fields: (and/or columns: \"prefix_*\"), or type: json for a column that holds a JSON object",
            "8:9: 'tags' is array of string, at most 3: use type: array with separator:, or type: json",
            "9:12: 'address' is an object: give it fields: (and/or columns: \"prefix_*\"), or type: json for a column that holds a JSON object",
        ])
    }

    @Test func badTimestampFormatAndTimeZone() {
        let errors = compileErrors("""
        target: t
        fields:
          id: a
          at: { column: t, timestamp: "yyyy-QQ-dd" }
          when: { column: t, timestamp: iso8601, timezone: Mars/Olympus }
        """)
        #expect(errors.count == 2)
        #expect(errors[0].hasPrefix("4:31: timestamp: "))
        #expect(errors[1].hasPrefix("5:52: "))
        #expect(errors[1].contains("Mars/Olympus"))
    }

    @Test func badDefaultAndNullPolicy() {
        let errors = compileErrors("""
        target: t
        fields:
          id: a
          count: { column: n, default: lots }
          tier: { column: t, default: bronze }
          name: { column: x, on_null: "null" }
        """)
        #expect(errors == [
            "4:32: default \"lots\" is not a valid integer for 'count'",
            "5:31: default \"bronze\" is not a valid one of gold | silver for 'tier'",
            "6:31: the target does not accept null for 'name'; use on_null: omit or error",
        ])
    }

    @Test func groupingMisuse() {
        let errors = compileErrors("""
        target: t
        group_by: [order_id]
        fields:
          id: a
          count: { count: true }
        """)
        #expect(errors.contains("2:11: group_by needs an array field built with each_row:; without one, use no group_by"))
        let withoutGroup = compileErrors("""
        target: t
        fields:
          id: a
          tags:
            each_row: sku
        """)
        #expect(withoutGroup.contains { $0.hasPrefix("5:") && $0.contains("add group_by:") })
    }

    @Test func secretEnvironmentVariablesAreRefused() {
        let errors = compileErrors("""
        target: t
        fields:
          id: { env: TOPLYNE_API_TOKEN }
          name: { env: UNSET_VARIABLE }
        """)
        #expect(errors == [
            "3:14: env: TOPLYNE_API_TOKEN looks like a secret; mappings may only read non-secret variables (credentials come from the target's own variable)",
            "4:16: environment variable UNSET_VARIABLE is not set",
        ])
    }

    @Test func columnsGlobOnlyInFreeFormObjects() {
        let errors = compileErrors("""
        target: t
        fields:
          id: a
          address:
            columns: "addr_*"
            fields:
              city: c
        """)
        #expect(errors == ["5:14: columns: collects arbitrary columns, so it only fits free-form objects (such as eventProperties), not 'address'"])
    }

    @Test func invalidRegexInWhere() {
        let errors = compileErrors("""
        target: t
        where:
          - { column: e, matches: "([a-z" }
        fields:
          id: a
        """)
        #expect(errors.count == 1)
        #expect(errors[0].hasPrefix("3:5: invalid regular expression"))
    }

    @Test func validMappingCompilesWithTheColumnsItReads() throws {
        let mapping = try compile("""
        target: t
        where:
          - { column: kind, equals: user }
        fields:
          id: user_id
          name: { template: "{first} {last}" }
          at: { column: ts, timestamp: epoch_auto }
        """)
        #expect(mapping.columns == ["user_id", "first", "last", "ts", "kind"])
    }
}

import Foundation
import Testing
import FerryCore
@testable import FerryMapping

@Suite struct RecordMapperTests {
    @Test func columnShorthandAndTypeConversionToTheSchema() throws {
        let yaml = """
        target: t
        fields:
          id: user_id
          count: n
          score: s
          active: flag
        """
        let rows = try mapCSV(yaml, "user_id,n,s,flag\nu1,42,3.5,yes\nu2,7.0,10,0\n")
        #expect(rows.map(\.json) == [
            #"{"id":"u1","count":42,"score":3.5,"active":true}"#,
            #"{"id":"u2","count":7,"score":10,"active":false}"#,
        ])
    }

    @Test func invalidValuesNameFieldColumnAndValue() throws {
        let yaml = """
        target: t
        fields:
          id: user_id
          count: n
          active: flag
          tier: t
        """
        let rows = try mapCSV(yaml, "user_id,n,flag,t\nu1,4x,maybe,bronze\n")
        let errors = rows[0].errors
        #expect(errors.map(\.kind) == [.invalidType, .invalidType, .notAllowed])
        #expect(errors[0].description == "n=4x: not an integer")
        #expect(errors[1].field == "active")
        #expect(errors[2].reason == "not one of gold, silver")
    }

    @Test func requiredOmitNullAndError() throws {
        let yaml = """
        target: t
        fields:
          id: user_id
          name: { column: name }
          removable: { column: r, on_null: "null" }
          count: { column: n, on_null: error }
        """
        let rows = try mapCSV(yaml, "user_id,name,r,n\n,x,,1\nu2,,,5\nu3,,,\n")
        #expect(rows[0].errors.map(\.kind) == [.missingRequired])
        #expect(rows[0].errors.first?.reason == "required, but column user_id is empty or missing")
        #expect(rows[1].json == #"{"id":"u2","removable":null,"count":5}"#)
        #expect(rows[2].errors.map(\.kind) == [.nullValue])
    }

    @Test func valueTemplateEnvDefaultAndNullValues() throws {
        let yaml = """
        target: t
        source:
          null_values: ["", "NULL", "\\\\N"]
        fields:
          id: { template: "{first}-{last}" }
          name: { env: REGION }
          tier: { value: gold }
          count: { column: n, default: 0 }
        """
        let rows = try mapCSV(yaml, "first,last,n\nann,lee,NULL\nbo,,\\N\n", environment: ["REGION": "eu"])
        #expect(rows.map(\.json) == [
            #"{"id":"ann-lee","name":"eu","tier":"gold","count":0}"#,
            #"{"id":"bo-","name":"eu","tier":"gold","count":0}"#,
        ])
    }

    @Test func everyTransform() throws {
        let yaml = """
        target: t
        fields:
          id: { column: a, transform: [trim, lower] }
          props:
            fields:
              upper: { column: a, transform: upper }
              title: { column: b, transform: title }
              collapsed: { column: b, transform: collapse_whitespace }
              digits: { column: phone, transform: digits_only }
              short: { column: b, transform: { truncate: 4 } }
              prefixed: { column: phone, transform: [digits_only, { prefix: "+" }, { suffix: "#" }] }
              replaced: { column: b, transform: { replace: [" ", "_"] } }
              gone: { column: blank, transform: [trim, null_if_empty] }
        """
        let rows = try mapCSV(yaml, "a,b,phone,blank\n\"  MiXed \",\"hello   big  world\",\"(555) 010-9999\",\"   \"\n")
        #expect(rows.first?.json == #"{"id":"mixed","props":{"upper":"  MIXED ","title":"Hello   Big  World","collapsed":"hello big world","digits":"5550109999","short":"hell","prefixed":"+5550109999#","replaced":"hello___big__world"}}"#)
    }

    @Test func mapLookupWithUnmappedRules() throws {
        let yaml = """
        target: t
        fields:
          id: id
          tier: { column: level, map: { "1": gold, "2": silver }, unmapped: error }
          name: { column: c, map: { IN: India }, unmapped: keep }
          removable: { column: c, map: { IN: India }, unmapped: "null", on_null: "null" }
        """
        let rows = try mapCSV(yaml, "id,level,c\na,1,IN\nb,2,FR\nc,3,IN\n")
        #expect(rows[0].json == #"{"id":"a","tier":"gold","name":"India","removable":"India"}"#)
        #expect(rows[1].json == #"{"id":"b","tier":"silver","name":"FR","removable":null}"#)
        #expect(rows[2].errors.map(\.kind) == [.unmapped])
    }

    @Test func castsJsonArrayAndItemTypes() throws {
        let yaml = """
        target: t
        fields:
          id: id
          tags: { column: tags, type: array, separator: "|" }
          numbers: { column: nums, type: array, item_type: int }
          props: { column: blob, type: json }
        """
        let rows = try mapCSV(yaml, "id,tags,nums,blob\na,x| y |,\"1,2\",\"{\"\"k\"\":[1,true]}\"\nb,a|b|c|d,1,\"[1]\"\n")
        #expect(rows[0].json == #"{"id":"a","tags":["x","y"],"numbers":[1,2],"props":{"k":[1,true]}}"#)
        #expect(rows[1].errors.map(\.kind) == [.tooLong, .invalidType])
    }

    @Test func timestampsInEveryOutputFormat() throws {
        let yaml = """
        target: t
        fields:
          id: id
          at: { column: t, timestamp: iso8601 }
          when: { column: t, timestamp: iso8601 }
          local: { column: t, timestamp: iso8601 }
          props:
            fields:
              ms: { column: ms, timestamp: epoch_ms }
        """
        let rows = try mapCSV(yaml, "id,t,ms\na,2024-01-31T15:00:00+05:30,1706693400000\nb,31/01/2024,1\n")
        #expect(rows[0].json == #"{"id":"a","at":1706693400,"when":"2024-01-31T09:30:00Z","local":"2024-01-31T15:00:00+05:30","props":{"ms":1706693400}}"#)
        #expect(rows[1].errors.map(\.kind) == [.invalidTimestamp, .invalidTimestamp, .invalidTimestamp])
        #expect(rows[1].errors.first?.column == "t")
        #expect(rows[1].errors.first?.value == "31/01/2024")
    }

    @Test func patternTimestampInAZoneAcrossDST() throws {
        let yaml = """
        target: t
        fields:
          id: id
          at: { column: t, timestamp: "M/d/yyyy H:mm", timezone: America/New_York }
        """
        let rows = try mapCSV(yaml, "id,t\nw,1/15/2024 9:00\ns,7/15/2024 9:00\ngap,3/10/2024 2:30\nfold,11/3/2024 1:30\n")
        #expect(rows.map(\.json) == [
            #"{"id":"w","at":1705327200}"#,     // 14:00Z (EST, -5)
            #"{"id":"s","at":1721048400}"#,     // 13:00Z (EDT, -4)
            #"{"id":"gap","at":1710055800}"#,   // 2:30 does not exist: moved forward to 3:30 EDT = 07:30Z
            #"{"id":"fold","at":1730611800}"#,  // 1:30 happens twice: the earlier (EDT) = 05:30Z
        ])
    }

    @Test func nestedObjectsAndColumnGlobs() throws {
        let yaml = """
        target: t
        fields:
          id: id
          address:
            fields:
              city: city
          props:
            columns: ["p_*", "x?"]
            strip_prefix: p_
            fields:
              seats: { column: p_seats, type: int }
        """
        let rows = try mapCSV(yaml, "id,city,p_plan,p_seats,xa,xbb,p_empty\n1,Pune,pro,5,A,B,\n2,,free,1,,,\n")
        #expect(rows[0].json == #"{"id":"1","address":{"city":"Pune"},"props":{"seats":5,"plan":"pro","xa":"A"}}"#)
        #expect(rows[1].errors.map(\.field) == ["address.city"])
    }

    @Test func whereFilters() throws {
        let yaml = """
        target: t
        where:
          - { column: id, not_empty: true }
          - { column: country, in: [US, CA] }
          - { column: email, not_matches: "@test\\\\.example$" }
          - { column: kind, not_equals: internal }
        fields:
          id: id
        """
        let rows = try mapCSV(yaml, "id,country,email,kind\n1,US,a@x.com,user\n,US,b@x.com,user\n3,FR,c@x.com,user\n4,CA,d@test.example,user\n5,CA,e@x.com,internal\n6,CA,f@x.com,user\n")
        #expect(rows.map(\.outcome) == [.valid, .filtered, .filtered, .filtered, .filtered, .valid])
    }

    @Test func whereEqualsAndNotEmptyCompareTextAsStringsDo() throws {
        // "Zürich" with ü precomposed in the mapping and decomposed (u + combining diaeresis)
        // in the second row: equal as Swift Strings, though not byte for byte.
        let yaml = """
        target: t
        where:
          - { column: city, equals: "Z\u{FC}rich" }
          - { column: id, not_empty: true }
        fields:
          id: id
        """
        let rows = try mapCSV(yaml, "id,city\n1,Z\u{FC}rich\n2,Zu\u{308}rich\n3,Zurich\n,Z\u{FC}rich\n4,Z\u{FC}rich2\n")
        #expect(rows.map(\.outcome) == [.valid, .valid, .filtered, .filtered, .filtered])

        let ndjson = """
        target: t
        where:
          - { column: v, not_empty: true }
          - { column: k, not_equals: "1" }
        fields:
          id: id
        """
        let lines = try mapNDJSON(ndjson, """
        {"id":"a","v":0,"k":2}
        {"id":"b","v":"","k":2}
        {"id":"c","v":false,"k":2}
        {"id":"d","v":{"x":1},"k":2}
        {"id":"e","v":"x","k":1}
        {"id":"f","k":2}
        """)
        #expect(lines.map(\.outcome) == [.valid, .filtered, .valid, .valid, .filtered, .filtered])
    }

    @Test func ndjsonDottedPathsNumbersAndGlobs() throws {
        let yaml = """
        target: t
        fields:
          id: user.id
          count: stats.n
          active: user.on
          tags: { column: tags, type: json }
          address:
            fields:
              city: user.address.city
          props:
            columns: "attr_*"
            strip_prefix: attr_
        """
        let rows = try mapNDJSON(yaml, """
        {"user":{"id":17,"on":true,"address":{"city":"Pune"}},"stats":{"n":3},"tags":["a","b"],"attr_x":1.5,"attr_y":null}
        {"user":{"id":"u2","address":{}},"stats":{"n":"x"}}
        """)
        #expect(rows[0].json == #"{"id":"17","count":3,"active":true,"tags":["a","b"],"address":{"city":"Pune"},"props":{"x":1.5}}"#)
        #expect(rows[1].errors.map(\.field) == ["count", "address.city"])
    }

    @Test func stringMaxLengthCountsCharactersNotBytes() throws {
        let yaml = """
        target: t
        fields:
          id: id
          name: n
        """
        let rows = try mapCSV(yaml, "id,n\na,ééééééééé\nb,ééééééééééé\n")
        #expect(rows[0].outcome == .valid)
        #expect(rows[1].errors.map(\.kind) == [.tooLong])
    }
}

import Testing
@testable import FerryMapping

@Suite struct MappingFileParserSuggestionsTests {
    @Test func editDistance() {
        #expect(Suggestions.editDistance("", "") == 0)
        #expect(Suggestions.editDistance("abc", "") == 3)
        #expect(Suggestions.editDistance("kitten", "sitting") == 3)
        #expect(Suggestions.editDistance("feilds", "fields") == 1)
        #expect(Suggestions.editDistance("Fields", "fields") == 0)
        #expect(Suggestions.editDistance("ca", "abc") == 3)
    }

    @Test func closest() {
        let keys = ["target", "source", "where", "group_by", "group_order", "fields", "columns"]
        #expect(Suggestions.closest(to: "feilds", in: keys) == "fields")
        #expect(Suggestions.closest(to: "FIELDS", in: keys) == "fields")
        #expect(Suggestions.closest(to: "taget", in: keys) == "target")
        #expect(Suggestions.closest(to: "groupby", in: keys) == "group_by")
        #expect(Suggestions.closest(to: "group", in: keys) == "group_by")
        #expect(Suggestions.closest(to: "columnsx", in: keys) == "columns")
        #expect(Suggestions.closest(to: "xyzzy", in: keys) == nil)
        #expect(Suggestions.closest(to: "", in: keys) == nil)
        #expect(Suggestions.closest(to: "anything", in: []) == nil)
        // A third of a long word may differ.
        #expect(Suggestions.closest(to: "colapse_whitespac", in: ["collapse_whitespace"]) == "collapse_whitespace")
        #expect(Suggestions.closest(to: "completely_other", in: ["collapse_whitespace"]) == nil)
        // Ties go to the longer common prefix, then to the first listed.
        #expect(Suggestions.closest(to: "jsn", in: ["csv", "tsv", "ndjson", "jsonl"]) == "jsonl")
        #expect(Suggestions.closest(to: "ab", in: ["xb", "ay"]) == "ay")
        #expect(Suggestions.closest(to: "zz", in: ["xz", "yz"]) == "xz")
    }
}

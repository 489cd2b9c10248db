import Foundation
import Testing
@testable import FerryCore

/// JSONTestSuite (nst/JSONTestSuite, test_parsing): each file's whole content is one JSON text.
/// On disk: 95 y_ files (must parse), 188 n_ (must be rejected), 35 i_ (either, never a crash).
@Suite struct JSONConformanceTests {
    struct Case {
        let name: String
        let bytes: [UInt8]
    }

    static func cases(prefix: String) throws -> [Case] {
        let directory = Fixtures.conformance.appendingPathComponent("JSONTestSuite/test_parsing")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }
            .sorted()
        return try names.map { name in
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            return Case(name: name, bytes: [UInt8](data))
        }
    }

    static func accepts(_ bytes: [UInt8]) -> Bool {
        do {
            _ = try JSONParser.parse(bytes)
            return true
        } catch {
            return false
        }
    }

    @Test("y_ files (95 on disk): every one is accepted")
    func acceptsAllYFiles() throws {
        let cases = try Self.cases(prefix: "y_")
        #expect(cases.count == 95, "y_ files found: \(cases.count)")
        var failures: [String] = []
        for c in cases {
            do {
                _ = try JSONParser.parse(c.bytes)
            } catch {
                failures.append("\(c.name): \(error)")
            }
        }
        print("JSONTestSuite y_: \(cases.count - failures.count) of \(cases.count) accepted")
        #expect(failures.isEmpty, "y_ files rejected:\n\(failures.joined(separator: "\n"))")
    }

    @Test("n_ files (188 on disk): every one is rejected")
    func rejectsAllNFiles() throws {
        let cases = try Self.cases(prefix: "n_")
        #expect(cases.count == 188, "n_ files found: \(cases.count)")
        let failures = cases.filter { Self.accepts($0.bytes) }.map(\.name)
        print("JSONTestSuite n_: \(cases.count - failures.count) of \(cases.count) rejected")
        #expect(failures.isEmpty, "n_ files accepted:\n\(failures.joined(separator: "\n"))")
    }

    @Test("i_ files (35 on disk): each handled without a crash, with the documented outcome")
    func handlesAllIFiles() throws {
        let cases = try Self.cases(prefix: "i_")
        #expect(cases.count == 35, "i_ files found: \(cases.count)")
        var accepted: [String] = []
        var rejected: [String] = []
        for c in cases {
            if Self.accepts(c.bytes) { accepted.append(c.name) } else { rejected.append(c.name) }
        }
        print("JSONTestSuite i_: \(accepted.count) accepted, \(rejected.count) rejected of \(cases.count)")
        print("  accepted: \(accepted.joined(separator: ", "))")
        print("  rejected: \(rejected.joined(separator: ", "))")
        #expect(accepted.count + rejected.count == cases.count)
        // Documented choices: huge numbers are kept (as .decimal), lone surrogate escapes
        // become U+FFFD, 500 levels are within the 512 limit; invalid UTF-8, UTF-16 input
        // and a leading BOM are rejected.
        let expectedAccepted: Set<String> = [
            "i_number_double_huge_neg_exp.json", "i_number_huge_exp.json", "i_number_neg_int_huge_exp.json",
            "i_number_pos_double_huge_exp.json", "i_number_real_neg_overflow.json", "i_number_real_pos_overflow.json",
            "i_number_real_underflow.json", "i_number_too_big_neg_int.json", "i_number_too_big_pos_int.json",
            "i_number_very_big_negative_int.json", "i_object_key_lone_2nd_surrogate.json",
            "i_string_1st_surrogate_but_2nd_missing.json", "i_string_1st_valid_surrogate_2nd_invalid.json",
            "i_string_incomplete_surrogate_and_escape_valid.json", "i_string_incomplete_surrogate_pair.json",
            "i_string_incomplete_surrogates_escape_valid.json", "i_string_invalid_lonely_surrogate.json",
            "i_string_invalid_surrogate.json", "i_string_inverted_surrogates_U+1D11E.json",
            "i_string_lone_second_surrogate.json", "i_structure_500_nested_arrays.json",
        ]
        #expect(Set(accepted) == expectedAccepted,
                "unexpected outcomes: newly accepted \(Set(accepted).subtracting(expectedAccepted).sorted()), newly rejected \(expectedAccepted.subtracting(accepted).sorted())")
    }

    @Test func hugeNumbersFromTheSuiteAreKeptVerbatim() throws {
        #expect(try JSONParser.parse("[1.5e+9999]") == .array([.decimal("1.5e+9999")]))
        #expect(try JSONParser.parse("[-123123123123123123123123123123]") == .array([.decimal("-123123123123123123123123123123")]))
        #expect(try JSONParser.parse("[123e-10000000]") == .array([.decimal("123e-10000000")]))
    }
}

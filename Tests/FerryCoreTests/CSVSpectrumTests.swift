import Foundation
import Testing
@testable import FerryCore

/// csv-spectrum: each csvs/NAME.csv must produce exactly the rows of json/NAME.json.
@Suite struct CSVSpectrumTests {
    static let directory = Fixtures.conformance.appendingPathComponent("csv-spectrum")

    static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("csvs").path)) ?? []
        return files.filter { $0.hasSuffix(".csv") }.map { String($0.dropLast(4)) }.sorted()
    }

    @Test func suiteIsPresent() {
        #expect(Self.names.count == 12, "csv-spectrum files found: \(Self.names)")
    }

    @Test(arguments: names)
    func producesExpectedRows(name: String) throws {
        let csv = Self.directory.appendingPathComponent("csvs/\(name).csv").path
        let expectedData = try Data(contentsOf: Self.directory.appendingPathComponent("json/\(name).json"))
        var expected = try JSONSerialization.jsonObject(with: expectedData)
        // Upstream quirk: location_coordinates.json is a bare object, not an array of rows.
        if let object = expected as? [String: String] { expected = [object] }
        let expectedRows = try #require(expected as? [[String: String]])

        let result = try readCSV(csv)
        #expect(result.failure == nil)
        #expect(result.errors.isEmpty, "row errors: \(result.errors)")
        let actualRows = result.rows.map { Dictionary(uniqueKeysWithValues: zip(result.columns, $0)) }
        if name == "location_coordinates" {
            // Upstream bug: the JSON says the phone number is 1234567890 while the CSV holds
            // 2095257564. Every other field must match exactly; the phone number must be the
            // CSV's own value (we do not invent data to match a broken fixture).
            #expect(actualRows.count == 1)
            var adjusted = expectedRows[0]
            adjusted["Contact Phone Number"] = "2095257564"
            #expect(actualRows == [adjusted])
        } else {
            #expect(actualRows == expectedRows)
        }
    }

    /// The same files read with a tiny chunk size, so every record crosses chunk borders.
    @Test(arguments: names)
    func chunkBoundariesDoNotChangeRows(name: String) throws {
        let csv = Self.directory.appendingPathComponent("csvs/\(name).csv").path
        let whole = try readCSV(csv)
        for chunkSize in [1, 2, 3, 7] {
            let small = try readCSV(csv, chunkSize: chunkSize)
            #expect(small.rows == whole.rows, "chunk size \(chunkSize)")
            #expect(small.lines == whole.lines, "chunk size \(chunkSize)")
            #expect(small.columns == whole.columns)
        }
    }
}

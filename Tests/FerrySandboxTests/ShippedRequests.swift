import Foundation
import FerryCore
import FerryVendors

/// The request bodies `ferry convert` writes for every shipped mapping and sample, checked by
/// hand: Tests/FerryCLITests/Fixtures/expected/<vendor>.<object>/ with requests.ndjson.
struct ShippedRequest: Sendable {
    var directory: String
    var target: Target
    var method: String
    /// The path as sent (percent-encoded), relative to the vendor's base URL.
    var path: String
    var body: [UInt8]?

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let expected = root.appendingPathComponent("Tests/FerryCLITests/Fixtures/expected")

    /// The fixture directories (one per shipped mapping).
    static var directories: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: expected.path)) ?? []).sorted()
    }

    /// The target a directory's mapping names (`mappings/<vendor>/<object>.yaml`, `target:` line).
    static func target(ofDirectory directory: String) throws -> Target {
        let parts = directory.split(separator: ".", maxSplits: 1)
        let mapping = root.appendingPathComponent("mappings/\(parts[0])/\(parts[1]).yaml")
        let text = try String(contentsOf: mapping, encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("target:") }),
              let found = TargetCatalog.target(named: line.dropFirst("target:".count).trimmingCharacters(in: .whitespaces)) else {
            throw FixtureError("no target in \(mapping.path)")
        }
        return found
    }

    static func load(_ directory: String) throws -> [ShippedRequest] {
        let target = try target(ofDirectory: directory)
        let folder = expected.appendingPathComponent(directory)
        let listing = try String(contentsOf: folder.appendingPathComponent("requests.ndjson"), encoding: .utf8)
        return try listing.split(separator: "\n").map { line in
            let entry = try JSONParser.parse(String(line))
            guard case .string(let method)? = entry.value(atPath: "method"),
                  case .string(let path)? = entry.value(atPath: "path") else { throw FixtureError("bad line \(line)") }
            var body: [UInt8]?
            if case .string(let file)? = entry.value(atPath: "file") {
                body = Array(try Data(contentsOf: folder.appendingPathComponent(file)))
            }
            return ShippedRequest(directory: directory, target: target, method: method, path: path, body: body)
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

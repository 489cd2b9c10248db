import Foundation
import Testing
import FerryMapping
@testable import FerryVendors

/// Reading a mapping file, matching its target and compiling it.
@Suite struct MappingLoaderTests {
    /// The package root: Tests/FerryVendorsTests/<this file> is three levels below it.
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var shippedToplyneMappings: [String] {
        let dir = repoRoot.appendingPathComponent("mappings/toplyne")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func theShippedToplyneMappingsAreFound() {
        #expect(Set(Self.shippedToplyneMappings)
                == ["account_events.yaml", "account_profiles.yaml", "user_events.yaml", "user_profiles.yaml"])
    }

    @Test(arguments: shippedToplyneMappings)
    func shippedMappingLoads(_ file: String) throws {
        let path = Self.repoRoot.appendingPathComponent("mappings/toplyne/\(file)").path
        let loaded: LoadedMapping
        do throws(MappingError) {
            loaded = try MappingLoader.load(path: path, environment: [:])
        } catch {
            Issue.record("\(file) does not load:\n\(error)")
            return
        }
        #expect(loaded.path == path)
        #expect(loaded.target.name == "toplyne." + file.dropLast(".yaml".count))
        #expect(loaded.compiled.spec.target.value == loaded.target.name)
    }

    func withTempYAML<T>(_ yaml: String, _ body: (String) throws -> T) throws -> T {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-loader-\(UUID().uuidString).yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    @Test func unknownTargetSuggestsTheClosestAtItsLineAndColumn() throws {
        let yaml = """
        # a mapping with a misspelt target
        target:   toplyne.user_event
        fields:
          userId: user_id
          eventName: event
          timestamp: { column: at, timestamp: epoch_s }

        """
        try withTempYAML(yaml) { path in
            do throws(MappingError) {
                _ = try MappingLoader.load(path: path, environment: [:])
                Issue.record("a mapping for an unknown target loaded")
            } catch {
                let diagnostic = try #require(error.diagnostics.first)
                #expect(error.diagnostics.count == 1)
                #expect(diagnostic.severity == .error)
                #expect(diagnostic.file == path)
                #expect(diagnostic.location == MappingLocation(line: 2, column: 11))
                #expect(diagnostic.message.contains("unknown target 'toplyne.user_event'"))
                #expect(diagnostic.message.contains("did you mean 'toplyne.user_events'?"))
                #expect(diagnostic.description.hasPrefix("\(path):2:11: error: "))
            }
        }
    }

    @Test func unknownTargetWithNothingCloseListsTargets() throws {
        let yaml = """
        target: salesforce.leads
        fields:
          userId: user_id

        """
        try withTempYAML(yaml) { path in
            do throws(MappingError) {
                _ = try MappingLoader.load(path: path, environment: [:])
                Issue.record("a mapping for an unknown target loaded")
            } catch {
                let diagnostic = try #require(error.diagnostics.first)
                #expect(diagnostic.location == MappingLocation(line: 1, column: 9))
                #expect(!diagnostic.message.contains("did you mean"))
                #expect(diagnostic.message.contains("ferry targets"))
            }
        }
    }

    @Test func mappingIsCompiledAgainstTheTargetSchema() throws {
        // userId is required by toplyne.user_events: a mapping without it is refused.
        let yaml = """
        target: toplyne.user_events
        fields:
          eventName: event
          timestamp: { column: at, timestamp: epoch_s }

        """
        try withTempYAML(yaml) { path in
            do throws(MappingError) {
                _ = try MappingLoader.load(path: path, environment: [:])
                Issue.record("a mapping missing a required field loaded")
            } catch {
                #expect(error.diagnostics.contains { $0.message.contains("userId") })
            }
        }
    }
}

import Foundation
import FerryTestSupport

/// Paths shared by the tests: the repository root and `../shared` beside it.
enum Fixtures {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // FerryCoreTests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // repo root

    static let shared: URL = repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let conformance: URL = shared.appendingPathComponent("conformance")

    /// A fresh temporary directory for one test, removed when the tests end.
    static func temporaryDirectory() throws -> URL {
        try TemporaryDirectories.make("ferry-tests")
    }
}

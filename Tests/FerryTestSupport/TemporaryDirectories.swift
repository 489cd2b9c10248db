import Foundation

/// Temporary directories for tests, removed when the test process exits.
///
/// Suites are structs that cannot run code when a test ends, and the tests that made a directory
/// in `init` used to leave it behind: about a hundred directories (20 MB) under the system's
/// temporary directory per `swift test`. Each directory made here is removed, with all it
/// holds, by an `atexit` handler; one left by a crashed run stays for inspection.
public enum TemporaryDirectories {
    /// A new empty directory named `prefix-UUID` under the system's temporary directory.
    public static func make(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        made.add(url)
        return url
    }

    private static let made = Registry()

    private final class Registry: @unchecked Sendable {
        private let lock = NSLock()
        private var urls: [URL] = []
        private var registered = false

        func add(_ url: URL) {
            lock.lock()
            defer { lock.unlock() }
            urls.append(url)
            if !registered {
                registered = true
                atexit { TemporaryDirectories.made.removeAll() }
            }
        }

        func removeAll() {
            lock.lock()
            let all = urls
            urls = []
            lock.unlock()
            for url in all { try? FileManager.default.removeItem(at: url) }
        }
    }
}

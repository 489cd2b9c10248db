import Foundation
import Testing
import AsyncHTTPClient
import FerryCore
import FerrySandbox
import FerryVendors
import NIOCore

/// The real sandbox in this process, and the real `ferry` run as a separate process against it.
/// The CLI is waited for on a thread of its own, so the sandbox keeps answering meanwhile.
enum SandboxHarness {
    /// The sandbox's credentials, as `ferry load --endpoint` reads them from the environment.
    static var credentials: [String: String?] {
        var environment: [String: String?] = [:]
        for (name, value) in SandboxCredentials.environment { environment[name] = value }
        environment["TALONONE_MANAGEMENT_KEY"] = nil
        return environment
    }

    static func run(_ arguments: [String], environment: [String: String?] = credentials) async throws -> CLIRunner.Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try CLIRunner.run(arguments, environment: environment) })
            }.start()
        }
    }

    /// `ferry` started in the background (for kill -9 and SIGINT tests).
    static func start(_ arguments: [String], environment changes: [String: String?] = credentials,
                      stderr: URL) throws -> Process {
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in changes { environment[name] = value }
        let process = Process()
        process.executableURL = try CLIRunner.executable()
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = CLIRunner.repoRoot
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func waitForExit(_ process: Process) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }.start()
        }
    }

    /// Sends each request `ferry convert -o DIR` wrote (requests.ndjson) to `sandbox`, as a
    /// plain HTTP client would: the reference for what `load` must make the ledger hold.
    static func replay(convertOutput directory: URL, target: Target, into sandbox: SandboxServer) async throws {
        let listing = try String(contentsOf: directory.appendingPathComponent("requests.ndjson"), encoding: .utf8)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            for line in listing.split(separator: "\n") {
                let entry = try JSONParser.parse(String(line))
                guard case .string(let method)? = entry.value(atPath: "method"),
                      case .string(let path)? = entry.value(atPath: "path") else { throw HarnessError("bad requests.ndjson line \(line)") }
                var request = HTTPClientRequest(url: sandbox.baseURL(for: target) + path)
                request.method = .init(rawValue: method)
                if let authorization = SandboxCredentials.authorization(for: target) {
                    request.headers.add(name: "Authorization", value: authorization)
                }
                if case .string(let file)? = entry.value(atPath: "file") {
                    request.headers.add(name: "Content-Type", value: target.endpoint.contentType)
                    request.body = .bytes(ByteBuffer(bytes: Array(try Data(contentsOf: directory.appendingPathComponent(file)))))
                }
                let response = try await client.execute(request, timeout: .seconds(10))
                _ = try await response.body.collect(upTo: 1 << 20)
                guard (200..<300).contains(Int(response.status.code)) else {
                    throw HarnessError("replaying \(method) \(path) got HTTP \(response.status.code)")
                }
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// The ledger's records without `sentAt` (the moment of sending, which only load adds).
    static func records(_ sandbox: SandboxServer, _ target: String) async -> [JSONValue] {
        await sandbox.ledger.records(for: target).map { record in
            guard case .object(var object) = record else { return record }
            object.members.removeAll { $0.key == "sentAt" }
            return .object(object)
        }
    }

    /// A CSV of Toplyne user events, users u1...uN (`poisoned` rows carry the sandbox's refusal marker).
    static func eventsCSV(_ count: Int, poisoned: Set<Int> = [], in directory: URL, name: String = "events.csv") throws -> URL {
        var text = "user_id,event,occurred_at,plan,seats,country,note,user_agent\n"
        text.reserveCapacity(count * 80)
        for n in 1...count {
            let note = poisoned.contains(n) ? SandboxServer.refusedRecordMarker : "note \(n)"
            text += "u\(n),view,2024-01-01T00:\(String(format: "%02d", (n / 60) % 60)):\(String(format: "%02d", n % 60))Z,pro,\(n % 50),US,\(note),curl/8\n"
        }
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    static func userIds(_ records: [JSONValue]) -> [String] {
        records.compactMap { if case .string(let id)? = $0.value(atPath: "userId") { return id } else { return nil } }
    }

    static func report(_ url: URL) throws -> [String: Any] {
        guard let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
            throw HarnessError("the report is not a JSON object")
        }
        return json
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

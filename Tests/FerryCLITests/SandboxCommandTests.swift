import Foundation
import Testing

/// `ferry sandbox` as a user runs it: it prints where it listens and the credentials it
/// accepts, and stops cleanly on SIGTERM.
@Suite struct SandboxCommandTests {
    @Test func printsURLsAndCredentialsAndStopsOnSIGTERM() throws {
        let process = Process()
        process.executableURL = try CLIRunner.executable()
        process.arguments = ["sandbox", "--port", "0", "--faults", "503=0.5", "--seed", "9"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        var text = ""
        // The export lines come last, sorted: TOPLYNE_API_TOKEN is the final one.
        while !text.contains("export TOPLYNE_API_TOKEN=sandbox-toplyne-token\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let first = text.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("ferry sandbox listening on http://127.0.0.1:"))
        let base = String(first.dropFirst("ferry sandbox listening on ".count))
        #expect(!base.hasSuffix(":0"))
        #expect(text.contains("  toplyne   \(base)/toplyne\n"))
        #expect(text.contains("\(base)/netcore/us  \(base)/netcore/in  \(base)/netcore/eu"))
        #expect(text.contains("faults: 503=0.5,slow-delay=5000ms,retry-after=1,seed=9\n"))
        for line in ["export PYZE_APP_KEY=sandbox-pyze-app-key", "export TALONONE_API_KEY=sandbox-talonone-api-key",
                     "export TALONONE_EMAIL=sandbox@ferry.invalid", "export NETCORE_API_KEY=sandbox-netcore-api-key"] {
            #expect(text.contains(line + "\n"))
        }
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        let rest = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect((text + rest).contains("ferry sandbox: signal 15, stopping"))
    }

    @Test func aBadFaultSpecIsAUsageError() throws {
        let result = try CLIRunner.run(["sandbox", "--faults", "503=0.2,wobble=1"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("wobble=1"))
        #expect(result.stderr.contains("unknown fault 'wobble'"))
    }
}

import Testing
@testable import FerryCore

/// Credentials from environment variables lose the line end an env file or a secret store
/// leaves behind; unset and empty are the same.
@Suite struct EnvironmentCredentialTests {
    @Test func lineEndsAndSurroundingSpaceAreNotPartOfTheCredential() {
        let environment = ["CRLF": "k-123\r", "LF": "k-123\n", "SPACED": "  k-123\t", "PLAIN": "k-123",
                           "EMPTY": "", "BLANK": " \r\n", "INNER": "a b"]
        for name in ["CRLF", "LF", "SPACED", "PLAIN"] {
            #expect(EnvironmentCredential.value(name, in: environment) == "k-123", "\(name)")
        }
        #expect(EnvironmentCredential.value("INNER", in: environment) == "a b")
        #expect(EnvironmentCredential.value("EMPTY", in: environment) == nil)
        #expect(EnvironmentCredential.value("BLANK", in: environment) == nil)
        #expect(EnvironmentCredential.value("UNSET", in: environment) == nil)
    }

    @Test func aPasswordKeepsItsSpacesButNotItsLineEnd() {
        let environment = ["PASSWORD": " secret \r\n", "NEWLINE_ONLY": "\n"]
        #expect(EnvironmentCredential.value("PASSWORD", in: environment, keepingSpaces: true) == " secret ")
        #expect(EnvironmentCredential.value("NEWLINE_ONLY", in: environment, keepingSpaces: true) == nil)
    }
}

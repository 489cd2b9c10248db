import Foundation

/// A credential read from an environment variable, read the same way by every target: a
/// value that an env file or a secret store wrote with its line end (`"key\r"` from a CRLF
/// file, `"key\n"` from `$(cat file)` kept verbatim) is the credential without it, as
/// `--token-file` reads its file; set but empty is unset.
public enum EnvironmentCredential {
    /// The value of `name` in `environment` without surrounding white space and line ends, or
    /// nil when it is unset or nothing is left. `keepingSpaces`: only line ends are taken off
    /// (a password may begin or end with a space).
    public static func value(_ name: String, in environment: [String: String], keepingSpaces: Bool = false) -> String? {
        guard let raw = environment[name] else { return nil }
        let trimmed = raw.trimmingCharacters(in: keepingSpaces ? .newlines : .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}

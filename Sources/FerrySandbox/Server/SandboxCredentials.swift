import FerryVendors

/// The fixed credentials the sandbox accepts. They are not secrets: `ferry sandbox` prints
/// them, and `ferry load --sandbox` runs with `environment`.
///
/// | vendor | how it is presented | value |
/// |---|---|---|
/// | Toplyne | `Authorization: Bearer …` (`TOPLYNE_API_TOKEN`) | `sandbox-toplyne-token` |
/// | Pyze profiles | `Authorization: Bearer …` (`PYZE_API_TOKEN`) | `sandbox-pyze-token` |
/// | Pyze events | `"appKey"` in the body (`PYZE_APP_KEY`), no header | `sandbox-pyze-app-key` |
/// | Talon.One integration | `Authorization: ApiKey-v1 …` (`TALONONE_API_KEY`) | `sandbox-talonone-api-key` |
/// | Talon.One management | `Authorization: Bearer …` (`TALONONE_MANAGEMENT_TOKEN`, also what POST /v1/sessions returns) | `sandbox-talonone-session-token` |
/// | Talon.One management | `Authorization: ManagementKey-v1 …` (`TALONONE_MANAGEMENT_KEY`) | `sandbox-talonone-management-key` |
/// | Talon.One login | POST /v1/sessions `{"email", "password"}` (`TALONONE_EMAIL`, `TALONONE_PASSWORD`) | `sandbox@ferry.invalid`, `sandbox-password` |
/// | Netcore | `Authorization: Bearer …` (`NETCORE_API_KEY`) | `sandbox-netcore-api-key` |
public enum SandboxCredentials {
    public static let toplyneToken = "sandbox-toplyne-token"
    public static let pyzeToken = "sandbox-pyze-token"
    public static let pyzeAppKey = "sandbox-pyze-app-key"
    public static let talonOneAPIKey = "sandbox-talonone-api-key"
    public static let talonOneSessionToken = "sandbox-talonone-session-token"
    public static let talonOneManagementKey = "sandbox-talonone-management-key"
    public static let talonOneEmail = "sandbox@ferry.invalid"
    public static let talonOnePassword = "sandbox-password"
    public static let netcoreAPIKey = "sandbox-netcore-api-key"

    /// Environment variable -> the value the sandbox accepts, for every credential a target
    /// reads (its `auth.environmentVariable`) and for the management login.
    public static var environment: [String: String] {
        var environment: [String: String] = [
            "TALONONE_MANAGEMENT_KEY": talonOneManagementKey,
            "TALONONE_EMAIL": talonOneEmail,
            "TALONONE_PASSWORD": talonOnePassword,
        ]
        for target in TargetCatalog.all {
            environment[target.auth.environmentVariable] = secret(for: target)
        }
        return environment
    }

    /// The secret a client of `target` puts where the target's auth scheme says.
    public static func secret(for target: Target) -> String {
        switch (target.vendor, target.auth.kind) {
        case (_, .pyzeAppKey): return pyzeAppKey
        case (_, .managementSession): return talonOneSessionToken
        case (.toplyne, _): return toplyneToken
        case (.pyze, _): return pyzeToken
        case (.talonone, _): return talonOneAPIKey
        case (.netcore, _): return netcoreAPIKey
        }
    }

    /// The `Authorization` header a client of `target` sends; nil where the credential travels
    /// in the body (Pyze events).
    public static func authorization(for target: Target) -> String? {
        switch target.auth.kind {
        case .bearer, .managementSession: return "Bearer \(secret(for: target))"
        case .apiKeyV1: return "ApiKey-v1 \(secret(for: target))"
        case .pyzeAppKey: return nil
        }
    }
}

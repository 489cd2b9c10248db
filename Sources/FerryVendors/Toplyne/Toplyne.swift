import FerryMapping

/// Toplyne's upload API (vendor-docs/toplyne-upload-api.txt): four batch endpoints, Bearer
/// token, JSON bodies, epoch-second times, success judged from the body's `status`.
///
/// Where the document contradicts itself, ferry chooses (and `ferry targets NAME` shows it):
/// - Event time member: the parameter tables say `timestamp`, the sample requests
///   `timeStamp`. ferry sends `timestamp`: the tables are the field definitions, while the
///   samples are not even valid JSON (curly quotes, an unclosed object).
/// - Account profiles envelope: the text says the payload is "keyed at accounts", the sample
///   uses `profiles`. ferry sends `{"accounts": [...]}`, following the text that defines it;
///   the sample's key looks copied from the user-profiles sample.
/// - User events: the table names the member `usertId`; the sample and every other endpoint
///   say `userId`. ferry sends `userId`.
/// - User events per request: not stated. ferry uses 500, the limit the document gives for
///   the same request shape on account events.
/// - Request size: not stated. ferry caps bodies at 1 MiB (the common default of proxies such
///   as nginx), well above 500 typical events.
/// - Answers: HTTP 200 can carry `"status": "failure"` (the wrong-token example, MsgCode 400).
///   Only `"status": "success"` counts as delivered; a failure whose message mentions
///   authentication stops the run, other failures are content rejections.
public enum Toplyne {
    public static let baseURL = "https://api.toplyne.io"
    public static let tokenVariable = "TOPLYNE_API_TOKEN"
    /// Largest request body ferry sends to Toplyne (the document states none).
    public static let maxBodyBytes = 1 << 20

    static let auth = AuthScheme(kind: .bearer, environmentVariable: tokenVariable,
                                 headerExample: "Authorization: Bearer $\(tokenVariable)")

    static let commonDecisions = [
        "Success is judged from the body: only {\"status\": \"success\"} counts; HTTP 200 with {\"status\": \"failure\"} is a failure (authentication failure when its message says so, e.g. MsgCode 400 \"Authentication Failure\").",
        "Request bodies are capped at 1 MiB (the document states no size limit).",
    ]

    static let timestampDecision = "Event time is sent as `timestamp` (the parameter table), not `timeStamp` (the sample request, which is not valid JSON either)."

    /// The two event endpoints share one request shape.
    static func eventsTarget(name: String, identifier: String, identifierSummary: String, path: String,
                             summary: String, decisions: [String]) -> Target {
        Target(
            name: name, vendor: .toplyne, summary: summary,
            endpoint: Endpoint(method: .post, defaultBaseURL: baseURL, path: path),
            auth: auth, envelope: .objectArray(key: "events"),
            limits: RequestLimits(maxRecords: 500, maxBytes: maxBodyBytes),
            schema: RecordSchema(fields: [
                FieldSchema(identifier, .string(), required: true, summary: identifierSummary),
                FieldSchema("eventName", .string(), required: true, summary: "Name of the event performed"),
                FieldSchema("timestamp", .timestamp(.epochSeconds), required: true, summary: "When the event occurred, UNIX epoch seconds"),
                FieldSchema("eventProperties", .object(.propertyBag), summary: "Additional properties of the event"),
            ]),
            defaultTimestampFormat: .epochSeconds, response: .toplyneStatusBody,
            decisions: [timestampDecision] + decisions + commonDecisions)
    }

    public static let accountEvents = eventsTarget(
        name: "toplyne.account_events", identifier: "accountId",
        identifierSummary: "Unique identifier of the account, uniform across your systems",
        path: "/v1/upload/accounts/events", summary: "Account-level events, up to 500 per request", decisions: [])

    public static let accountProfiles = Target(
        name: "toplyne.account_profiles", vendor: .toplyne,
        summary: "Account details (upsert), up to 100 per request",
        endpoint: Endpoint(method: .post, defaultBaseURL: baseURL, path: "/v1/upload/accounts/profiles"),
        auth: auth, envelope: .objectArray(key: "accounts"),
        limits: RequestLimits(maxRecords: 100, maxBytes: maxBodyBytes),
        schema: RecordSchema(fields: [
            FieldSchema("accountId", .string(), required: true, summary: "Unique identifier of the account"),
            FieldSchema("creationTime", .timestamp(.epochSeconds), required: true, summary: "When the account was created, UNIX epoch seconds"),
            FieldSchema("accountName", .string(), summary: "Name of the account"),
            FieldSchema("website", .string(), summary: "Website of the account"),
            FieldSchema("country", .string(), summary: "Country of the account"),
            FieldSchema("accountProperties", .object(.propertyBag), summary: "Additional properties of the account"),
        ]),
        defaultTimestampFormat: .epochSeconds, response: .toplyneStatusBody,
        decisions: ["The body is {\"accounts\": [...]}: the text says the payload is \"keyed at accounts\"; the sample's \"profiles\" looks copied from the user-profiles sample."] + commonDecisions)

    public static let userEvents = eventsTarget(
        name: "toplyne.user_events", identifier: "userId",
        identifierSummary: "Unique identifier of the user, uniform across your systems",
        path: "/v1/upload/users/events",
        summary: "User-level events, up to 500 per request (ferry's choice; the document is silent)",
        decisions: [
            "The user identifier is `userId` (the table's `usertId` is a typo; the sample and the other endpoints say userId).",
            "Up to 500 events per request: the document gives no limit for user events, so ferry uses the account-events limit for the same request shape.",
        ])

    public static let userProfiles = Target(
        name: "toplyne.user_profiles", vendor: .toplyne,
        summary: "User profiles (upsert), up to 100 per request",
        endpoint: Endpoint(method: .post, defaultBaseURL: baseURL, path: "/v1/upload/users/profiles"),
        auth: auth, envelope: .objectArray(key: "profiles"),
        limits: RequestLimits(maxRecords: 100, maxBytes: maxBodyBytes),
        schema: RecordSchema(fields: [
            FieldSchema("userId", .string(), required: true, summary: "Unique identifier of the user"),
            FieldSchema("creationTime", .timestamp(.epochSeconds), required: true, summary: "When the user was created, UNIX epoch seconds"),
            FieldSchema("firstName", .string(), summary: "First name"),
            FieldSchema("lastName", .string(), summary: "Last name"),
            FieldSchema("email", .string(), summary: "Email address"),
            FieldSchema("phone", .string(), summary: "Phone number"),
            FieldSchema("country", .string(), summary: "Country"),
            FieldSchema("userProperties", .object(.propertyBag), summary: "Additional properties of the user"),
        ]),
        defaultTimestampFormat: .epochSeconds, response: .toplyneStatusBody,
        decisions: commonDecisions)

    public static let targets = [accountEvents, accountProfiles, userEvents, userProfiles]
}

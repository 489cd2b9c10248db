import Foundation
import FerryCore
import FerryMapping

/// Pyze's Enterprise APIs (vendor-docs/pyze-enterprise-api.txt): the User Profiles API (a
/// batch of profiles, at most 50 profile fields per request, on a host the account manager
/// gives) and the Enterprise Events API (one event document per request, the app key in the
/// body, 202 when accepted).
///
/// Where the document is unclear or contradicts itself, ferry chooses (and `ferry targets
/// NAME` shows it):
/// - Profiles body: the example is not JSON (key/value pairs inside `[...]`, single quotes,
///   two bare arrays). ferry sends `{"user_profiles": [{...}, {...}]}`, an array of profile
///   objects, which is what the example's shape and its one key say.
/// - Profiles host: "obtain your User Profiles upload API endpoint ... from your Pyze Account
///   manager" with https://import.pyze.com/users/profile "as an example". ferry has no
///   default: `--endpoint` (the base URL the account manager gives) is required, so profiles
///   never go to a guessed host.
/// - Profile identifiers: the table requires `userId` ("Customer id for this user in your
///   database"); the example calls that id `customer_id` and identifies its second profile by
///   `pyze_id` alone. ferry follows the table: `userId` is required; `pyze_id` (Pyze's own user
///   id) is optional. Both are repeated in every piece of a split profile.
/// - "Up to 50 profile fields" per request: ferry counts the top-level members of all profiles
///   in one request together (identifiers included; `user_alias` counts as one). A wider
///   profile is split into several that repeat the identifiers (`PyzeProfileAdjuster`).
/// - Profiles auth: the document only says credentials come from the account manager. ferry
///   assumes `Authorization: Bearer $PYZE_API_TOKEN`.
/// - Profile dates: ISO-8601 in UTC (`2016-04-12T17:27:20Z`, the custom-attribute example's
///   form); `date_of_birth` is a calendar date `1994-07-06`. null removes an attribute (a
///   mapping writes it with `on_null: "null"`).
/// - Events: one event per request, `type` `"event"` and `appKey` (from `PYZE_APP_KEY`) added
///   when the mapping does not give them, `messageId` derived from the event, `eventTime` in
///   RFC 3339 keeping the source's offset (the example's `-07:00`), `sentAt` added by `load`.
/// - Success: HTTP 2xx (the document: 202); 400 is a rejection of the content, 401/403 an
///   authentication failure, 500 retried.
public enum Pyze {
    public static let eventsBaseURL = "https://import.pyze.com"
    public static let profilesPath = "/users/profile"
    public static let eventsPath = "/v1/events"
    /// The credential for the User Profiles API (ferry's assumption: a Bearer token).
    public static let tokenVariable = "PYZE_API_TOKEN"
    /// The app key every event carries in its body.
    public static let appKeyVariable = "PYZE_APP_KEY"
    /// "Each request may include up to 50 profile fields."
    public static let maxProfileFields = 50
    /// Members that identify a profile, repeated in every piece of a split profile.
    public static let profileIdentifiers = ["userId", "pyze_id"]
    /// Largest request body ferry sends to Pyze (the document states none).
    public static let maxBodyBytes = 1 << 20

    /// The Pyze profile fields the document names (others are custom attributes).
    static let namedProfileFields: Set<String> = [
        "userId", "pyze_id", "user_alias", "first_name", "last_name", "email_id", "gender",
        "date_of_birth", "date_of_first_use", "date_of_last_use",
    ]

    static func isEmptyObject(_ value: JSONValue) -> Bool {
        if case .object(let object) = value { return object.isEmpty }
        return false
    }

    static let commonDecisions = [
        "Request bodies are capped at 1 MiB (the document states no size limit).",
        "Success is any HTTP 2xx (the events API answers 202); 400 is a rejection of the content, 401 and 403 an authentication failure (403: \"Need access to the provided app\"), 408, 429 and 5xx are retried.",
    ]

    // MARK: User profiles

    static let profileDecisions = [
        "The body is {\"user_profiles\": [{...}, {...}]}, an array of profile objects: the document's example is not JSON (key/value pairs inside [...], single quotes, two bare arrays), but its one key and its list of profiles say this.",
        "No default host: the document says to obtain the User Profiles endpoint from the Pyze account manager and uses https://import.pyze.com/users/profile only as an example. Give the base URL with --endpoint (ferry appends /users/profile); profiles are never sent to a guessed host.",
        "Authorization: Bearer $PYZE_API_TOKEN is ferry's assumption: the document only says the credentials come from the Pyze account manager.",
        "userId is required (the table: \"Customer id for this user in your database\", Required Y); the example's customer_id is that id under another name, and its second profile, identified by pyze_id alone, would not be accepted. pyze_id (Pyze's own user id) is optional; userId and pyze_id are repeated in every piece of a split profile.",
        "\"Each request may include up to 50 profile fields\": ferry counts the top-level members of all profiles in one request together (identifiers included, user_alias as one field) and starts a new request before the 51st. A profile with more than 50 fields is split into several profiles, each repeating the identifiers and carrying the next fields in the mapping's order (so at most 48 other fields when both userId and pyze_id are present); the pieces touch different attributes, so the order Pyze applies them in does not matter.",
        "null removes an attribute (\"To remove a profile attribute, set it to null\"): every profile field but userId and pyze_id accepts null, which a mapping sends with on_null: \"null\"; an empty cell is otherwise left out and the attribute kept.",
        "Times are ISO-8601 in UTC (2016-04-12T17:27:20Z, the form of the custom-attribute example; the profile example's +00:00 is the same instant), also inside custom attributes. date_of_birth is a calendar date (1994-07-06): a time exactly at midnight UTC (what a timestamp: leaf writes for a date) is cut to its date, anything else is invalid_date.",
        "Custom attributes are any other members, named as the mapping names them (no prefix is added or required: the example's custom- prefix is the customer's convention; the table says my_custom_attribute). Values are booleans, text, numbers, ISO-8601 dates, arrays or null; an object must be an operation, {\"inc\": number} or {\"remove\": [values]} (the example's custom-purchase and custom-tags), else invalid_operation. An object left empty because its source cells were empty is left out.",
        "user_alias carries both alias_label and alias_id (or is null to remove it); one without the other is invalid_alias.",
    ]

    public static let userProfiles = Target(
        name: "pyze.user_profiles", vendor: .pyze,
        summary: "User profiles (create or update attributes), at most 50 profile fields per request",
        endpoint: Endpoint(method: .post, defaultBaseURL: nil, path: profilesPath, contentType: "application/json"),
        auth: AuthScheme(kind: .bearer, environmentVariable: tokenVariable,
                         headerExample: "Authorization: Bearer $\(tokenVariable)"),
        envelope: .objectArray(key: "user_profiles"),
        limits: RequestLimits(maxRecords: maxProfileFields, maxBytes: maxBodyBytes, maxFields: maxProfileFields),
        schema: RecordSchema(fields: [
            FieldSchema("userId", .string(), required: true, summary: "Customer id for this user in your database; identifies a user uniquely"),
            FieldSchema("pyze_id", .string(), summary: "Pyze's own id for the user"),
            FieldSchema("user_alias", .object(RecordSchema(fields: [
                FieldSchema("alias_label", .string(), summary: "Where the alias comes from, e.g. facebook"),
                FieldSchema("alias_id", .string(), summary: "The user's id there"),
            ])), nullable: true, summary: "Another id of the user: both alias_label and alias_id"),
            FieldSchema("first_name", .string(), nullable: true, summary: "First name"),
            FieldSchema("last_name", .string(), nullable: true, summary: "Last name"),
            FieldSchema("email_id", .string(), nullable: true, summary: "Email address"),
            FieldSchema("date_of_birth", .string(), nullable: true, summary: "Calendar date, YYYY-MM-DD"),
            FieldSchema("gender", .string(), nullable: true, summary: "Gender, e.g. F"),
            FieldSchema("date_of_first_use", .timestamp(.iso8601UTC), nullable: true, summary: "When the user first used the app"),
            FieldSchema("date_of_last_use", .timestamp(.iso8601UTC), nullable: true, summary: "When the user last used the app"),
        ], allowsOtherMembers: true),
        defaultTimestampFormat: .iso8601UTC, response: .httpStatus,
        decisions: profileDecisions + commonDecisions,
        adjuster: PyzeProfileAdjuster())

    // MARK: Events

    static let eventDecisions = [
        "One event per request: the document describes a request as one JSON document with the fields of one event.",
        "type is always \"event\" (\"Type of the request message, events\"; the example sends \"event\"): ferry adds it, first, when the mapping does not give it.",
        "appKey is required in every event: ferry adds it from $PYZE_APP_KEY, read when ferry starts, unless the mapping gives one (an export spanning several apps). With neither, convert, validate and load refuse each event (missing_app_key). It is the only credential the events API documents (the example sends no Authorization header), so request files written by convert contain it.",
        "messageId (optional, \"Unique identifier for each message\"): when the mapping gives none, ferry derives it from the event so that resending the same source row gives the same id: SHA-256 of the event's canonical JSON (members sorted by key at every level, without appKey, messageId and sentAt), its first 128 bits written as a version-8 UUID (RFC 9562). Two rows that map to identical events share an id.",
        "sentAt is the moment of sending (\"helps to correct clock skew\"): load adds it to each request as it sends it, so convert output never holds it and a mapping cannot set it.",
        "eventTime is RFC 3339 keeping the source's offset (2020-06-03T17:03:48-07:00, as in the example), UTC with Z when the source has none; times inside attributes likewise.",
        "userId is text (the table's \"strin\" is a typo for string); a numeric id is sent as \"42\".",
        "context or attributes left empty because their source fields were empty are left out.",
    ]

    /// Built once, reading `PYZE_APP_KEY` from the process environment.
    public static let events = eventsTarget(environment: ProcessInfo.processInfo.environment)

    /// The events target with the app key taken from `environment`.
    public static func eventsTarget(environment: [String: String]) -> Target {
        var target = Target(
            name: "pyze.events", vendor: .pyze,
            summary: "Server-side events, one event document per request",
            endpoint: Endpoint(method: .post, defaultBaseURL: eventsBaseURL, path: eventsPath, contentType: "application/json"),
            auth: AuthScheme(kind: .pyzeAppKey, environmentVariable: appKeyVariable,
                             headerExample: "appKey in each event body, no Authorization header"),
            envelope: .single,
            limits: RequestLimits(maxRecords: 1, maxBytes: maxBodyBytes),
            schema: RecordSchema(fields: [
                FieldSchema("type", .enumeration(["event"]), summary: "Type of the request message; ferry sets \"event\""),
                FieldSchema("event", .string(), required: true, summary: "Name of the custom event"),
                FieldSchema("userId", .string(), required: true, summary: "Unique identifier for the user"),
                FieldSchema("eventTime", .timestamp(.rfc3339), required: true, summary: "When the event happened"),
                FieldSchema("context", .object(RecordSchema(fields: [
                    FieldSchema("userAgent", .string(), summary: "User agent of the user's device"),
                    FieldSchema("ip", .string(), summary: "The user's current IP address"),
                ])), summary: "Where the event came from"),
                FieldSchema("appKey", .string(), summary: "Pyze app key; ferry adds $\(appKeyVariable) when not mapped"),
                FieldSchema("messageId", .string(), summary: "Unique identifier for each message; ferry derives one when not mapped"),
                FieldSchema("attributes", .object(.propertyBag), summary: "Additional properties about the event"),
            ]),
            defaultTimestampFormat: .rfc3339, response: .httpStatus,
            decisions: eventDecisions + commonDecisions,
            adjuster: PyzeEventAdjuster(environment: environment))
        target.sendTimeField = "sentAt"
        return target
    }

    public static let targets = [userProfiles, events]
}

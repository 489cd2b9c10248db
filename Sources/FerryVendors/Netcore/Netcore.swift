import FerryMapping

/// Netcore CE's Add Activity API (vendor-docs/netcore-activity-api.txt): one endpoint in three
/// data centres, Bearer API key, a JSON array of up to 1000 activities per request (a single
/// activity is the same request with one element: `--batch-size 1`).
///
/// Where the document is silent or contradicts itself, ferry chooses (and `ferry targets
/// netcore.activities` shows it):
/// - Region: the document lists US, Indian and EU hosts and no default. ferry has none either:
///   the user picks one (`--region us|in|eu`), since sending to the wrong data centre fails
///   or lands the data where it does not belong.
/// - `asset_id`: the parameter table says required; the bulk sample leaves it out of two of its
///   three activities. ferry follows the table and requires it.
/// - `identity` / `annonid`: the table marks `identity` required, yet `annonid`'s text says it is
///   mandatory when identity is not passed (anonymous users). ferry requires at least one of the
///   two, so anonymous activities can be sent.
/// - `identity` is "String/Integer": ferry always sends text (`"42"`), the type of the other
///   identifiers and of the panel's primary key.
/// - `timestamp`: the text allows UTC (`Z`) or an ISO-8601 offset; the samples carry no offset at
///   all (`2020-04-28T16:47:37`), which ferry never sends. RFC 3339 in the source's own offset
///   when it has one (`+05:30`), else UTC with `Z`. Times inside `activity_params` are written
///   the same way.
/// - Empty arrays: the vendor silently drops an activity whose array is blank ("Do Not Pass an
///   Empty Array"). ferry refuses such a record as invalid (`empty_array`) so that it is
///   counted and explained instead of lost unseen.
/// - The samples are not valid JSON (unquoted `Purchase` and `CUSTOMER_ID`; unbalanced braces in
///   the bulk sample): ferry follows the parameter table for names and types.
/// - Numbers in `activity_params`: the bulk sample sends `2` in one activity and `"2"` in the
///   next. ferry sends the types the mapping gives (`type: int` writes `2`, a text column `"2"`).
/// - Request size: not stated. ferry caps bodies at 4 MiB (1000 activities of a few KiB each).
/// - Success: the document shows only `{"status": "success"}` with HTTP 2xx; every documented
///   failure has its own status code. An empty 2xx body is also success (nothing says
///   otherwise, and resending a stored activity would duplicate it); a 2xx body whose `status`
///   is anything else is a failure.
public enum Netcore {
    public static let path = "/v1/activity/upload"
    public static let keyVariable = "NETCORE_API_KEY"
    /// Largest request body ferry sends to Netcore (the document states none).
    public static let maxBodyBytes = 4 << 20
    /// Activities per request: "bulk (Max:1000)".
    public static let maxActivities = 1000

    public static let regions = [
        Region("us", baseURL: "https://api2.netcoresmartech.com"),
        Region("in", baseURL: "https://apiin2.netcoresmartech.com"),
        Region("eu", baseURL: "https://apieu2.netcoresmartech.com"),
    ]

    static let auth = AuthScheme(kind: .bearer, environmentVariable: keyVariable,
                                 headerExample: "Authorization: Bearer $\(keyVariable)")

    static let decisions = [
        "Region: the document lists three data centres (us https://api2.netcoresmartech.com, in https://apiin2.netcoresmartech.com, eu https://apieu2.netcoresmartech.com) and no default; ferry has none either: pick one with --region.",
        "asset_id is required: the parameter table says so, although the bulk sample leaves it out of two of its three activities.",
        "At least one of identity and annonid: the table marks identity required, but annonid's text says annonid is mandatory when identity is not passed (anonymous users), so either one suffices.",
        "identity is sent as a string: the document says String/Integer; ferry sends text (\"42\"), like the panel's primary key.",
        "timestamp is RFC 3339: the source's own offset when it has one (2021-12-29T06:12:28+05:30), else UTC with Z (2021-12-29T12:06:28Z), as the text describes; the samples' times without any offset (2020-04-28T16:47:37) are never sent. Times inside activity_params are written the same way.",
        "Empty arrays are refused: the document says an activity with a blank array is not inserted (\"Do Not Pass an Empty Array\"); rather than let the vendor drop it silently, ferry counts such a record as invalid (empty_array) and explains it.",
        "The sample requests are not valid JSON (unquoted Purchase and CUSTOMER_ID, unbalanced braces in the bulk sample): ferry follows the parameter table for names and types.",
        "Numbers inside activity_params keep the types the mapping gives them: the bulk sample sends total_item_qty as 2 in one activity and \"2\" in the next; type: int writes 2, a text value \"2\".",
        "Up to 1000 activities per request (\"bulk (Max:1000)\"); one activity is the same request with --batch-size 1.",
        "Request bodies are capped at 4 MiB (the document states no size limit): 1000 activities of up to about 4 KiB each.",
        "Success is HTTP 2xx with {\"status\": \"success\"} or with an empty body (the only documented failures have their own status codes, and resending a stored activity would duplicate it); a 2xx body whose status is anything else is a failure (authentication failure when its message says so), and any other 2xx body is retried.",
    ]

    public static let activities = Target(
        name: "netcore.activities", vendor: .netcore,
        summary: "Activities (events) of known or anonymous contacts, up to 1000 per request",
        endpoint: Endpoint(method: .post, defaultBaseURL: nil, path: path,
                           contentType: "application/json", regions: regions),
        auth: auth, envelope: .array,
        limits: RequestLimits(maxRecords: maxActivities, maxBytes: maxBodyBytes),
        schema: RecordSchema(fields: [
            FieldSchema("activity_name", .string(), required: true, summary: "Name of the activity"),
            FieldSchema("asset_id", .string(), required: true, summary: "The website_id or app_id the activity is mapped to"),
            FieldSchema("timestamp", .timestamp(.rfc3339), required: true, summary: "When the activity occurred"),
            FieldSchema("identity", .string(), summary: "Identifying information of a known contact (email, mobile or customer id: the panel's primary key)"),
            FieldSchema("annonid", .string(), summary: "Unique ID of an anonymous contact; mandatory when identity is not passed"),
            FieldSchema("activity_source", .enumeration(["web", "app"]), required: true, summary: "web for a website asset, app for an app asset"),
            FieldSchema("activity_params", .object(.propertyBag), required: true, summary: "The activity's payload data (e.g. items for a purchase)"),
        ], atLeastOneOf: [["identity", "annonid"]]),
        defaultTimestampFormat: .rfc3339, response: .successStatusOrEmptyBody,
        decisions: decisions, emptyArrays: .reject)

    public static let targets = [activities]
}

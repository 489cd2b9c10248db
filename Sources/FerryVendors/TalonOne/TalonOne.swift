import FerryMapping

/// Talon.One's integration API (vendor-docs/talonone-integration-api.txt): six endpoints of a
/// deployment the customer hosts (no default base URL: `--endpoint`), `Authorization: ApiKey-v1
/// <key>`, one record per request, RFC 3339 times. Identifiers in the path come from a record
/// field and are not repeated in the body.
///
/// The document lists operations, paths and the names of the body models (NewCustomerProfile,
/// IntegrationRequest, NewEvent, CouponReservations, NewReferral) but defines none of those
/// models. ferry takes their members from the vendor's published models of the same names
/// (its generated SDK documentation) and chooses where those are unclear; every choice is in
/// `decisions` (and `ferry targets NAME`):
/// - Path parameters keep the document's names: `customerProfileId` (the profile's integration
///   ID), `customerSessionId`, `couponValue`, `integrationId`.
/// - Customer sessions are sent as the document's IntegrationRequest: `{"customerSession": {...}}`;
///   `responseContent` is not offered (ferry reads only the status). Session `state` is one of
///   open, closed, cancelled: `partially_returned` exists only through the vendor's return
///   endpoint, which this document does not have. Cart items need `sku` and `quantity`; at most
///   1000 per session.
/// - `audiencesChanges` (profiles) needs both `adds` and `deletes`: ferry sends `[]` for the one
///   the mapping leaves empty, and leaves `audiencesChanges` out when both are empty.
/// - Events: `attributes` is required by the vendor; ferry sends `{}` when the mapping gives none.
/// - Coupon reservations: integration IDs come from the rows of a group (one coupon); a group with
///   more than 1000 is sent as several requests to the same coupon (reservations add up).
/// - Limits: one record per request (every body is one object); 1 MiB per body (stated nowhere).
/// - Answers: see `ResponseRule.talonOneIntegration` (409 and Talon.One's own 404 reject one record).
/// - `customer_data_deletion` is destructive: `load` sends nothing without `--yes`.
public enum TalonOne {
    public static let keyVariable = "TALONONE_API_KEY"
    /// Largest request body ferry sends (the document states none).
    public static let maxBodyBytes = 1 << 20
    /// Cart items per session update (the vendor's model: "Do not exceed 1000 items").
    public static let maxCartItems = 1000
    /// Integration IDs per coupon-reservation request (ferry's choice; the document is silent).
    public static let maxReservationIDs = 1000

    static let auth = AuthScheme(kind: .apiKeyV1, environmentVariable: keyVariable,
                                 headerExample: "Authorization: ApiKey-v1 $\(keyVariable)")

    static func endpoint(_ method: HTTPMethod, _ path: String, _ parameters: [PathParameter] = []) -> Endpoint {
        Endpoint(method: method, defaultBaseURL: nil, path: path, pathParameters: parameters,
                 contentType: "application/json")
    }

    static let oneRecord = RequestLimits(maxRecords: 1, maxBytes: maxBodyBytes)

    // MARK: Decisions shared by every target

    static let commonDecisions = [
        "Base URL: the document's paths are relative to the customer's own Talon.One deployment (its example host is http://localhost); there is no default, so load needs --endpoint https://<your deployment>.",
        "The document names the body models (NewCustomerProfile, IntegrationRequest, NewEvent, CouponReservations, NewReferral) but does not define them: member names, types and required flags come from the vendor's published models of the same names.",
        "One record per request: every body is a single object (the document has no batch form).",
        "Request bodies are capped at 1 MiB (the document states no size limit; it is the usual default of the proxies in front of a deployment); a larger record is invalid (record_too_large).",
        "Times are RFC 3339 in the source's own offset (2024-01-31T15:00:00+05:30), else UTC with Z; times inside attributes are written the same way.",
        "Success is any HTTP 2xx (the document shows no failure body on success). 401/403 stop the run; 400/413/422 reject the record; 409 (the record conflicts with the deployment's state, such as an event for a session of another profile) rejects the record instead of stopping the run; 404 with Talon.One's JSON error body (message/errors: the named profile, coupon or campaign does not exist) rejects the record, while a 404 without one (a proxy's page: a wrong --endpoint) stops the run; 408/425/429/5xx are retried, honouring Retry-After.",
    ]

    static let pathDecision = "The path parameter is percent-encoded (anything but A-Z a-z 0-9 - . _ ~, so \"user/1 x\" becomes user%2F1%20x) and is not repeated in the body; an empty one makes the record invalid."

    // MARK: talonone.customer_profiles

    static let audiencesChanges = RecordSchema(fields: [
        FieldSchema("adds", .array(.integer), summary: "IDs of the audiences the customer joins (ferry sends [] when empty)"),
        FieldSchema("deletes", .array(.integer), summary: "IDs of the audiences the customer leaves (ferry sends [] when empty)"),
    ])

    public static let customerProfiles = Target(
        name: "talonone.customer_profiles", vendor: .talonone,
        summary: "Create or update a customer profile (attributes, audience memberships), one per request",
        endpoint: endpoint(.put, "/v2/customer_profiles/{customerProfileId}",
                           [PathParameter(name: "customerProfileId", field: "customerProfileId")]),
        auth: auth, envelope: .single, limits: oneRecord,
        schema: RecordSchema(fields: [
            FieldSchema("customerProfileId", .string(), required: true,
                        summary: "The profile's integration ID, stable for the customer (path only, not in the body)"),
            FieldSchema("attributes", .object(.propertyBag), summary: "Profile attributes (created in the Campaign Manager first)"),
            FieldSchema("audiencesChanges", .object(audiencesChanges), summary: "Audiences the customer joins or leaves"),
        ]),
        defaultTimestampFormat: .rfc3339, response: .talonOneIntegration,
        decisions: [
            "The path parameter is customerProfileId, as the document names it in PUT /v2/customer_profiles/{customerProfileId}; its text says it is the profile's integrationId (any identifier that stays stable for the customer).",
            "The body is the document's NewCustomerProfile: attributes. audiencesChanges (adds/deletes, audience IDs) is also accepted, from the vendor's later request model for the same endpoint; it is sent only when mapped.",
            "audiencesChanges needs both adds and deletes: ferry sends [] for the one that is empty and leaves audiencesChanges out when both are.",
        ] + [pathDecision] + commonDecisions,
        adjuster: ProfileAudiencesAdjuster())

    // MARK: talonone.customer_sessions

    static let cartItem = RecordSchema(fields: [
        FieldSchema("name", .string(), summary: "Name of the item"),
        FieldSchema("sku", .string(), required: true, summary: "Stock keeping unit of the item"),
        FieldSchema("quantity", .integer, required: true, summary: "Quantity of the item"),
        FieldSchema("price", .number, summary: "Price in the application's currency (required unless the item is in a catalog)"),
        FieldSchema("category", .string(), summary: "Type, group or model of the item"),
        FieldSchema("weight", .number, summary: "Weight of the item in grams"),
        FieldSchema("height", .number, summary: "Height of the item in mm"),
        FieldSchema("width", .number, summary: "Width of the item in mm"),
        FieldSchema("length", .number, summary: "Length of the item in mm"),
        FieldSchema("attributes", .object(.propertyBag), summary: "Cart item attributes"),
        FieldSchema("additionalCosts", .object(.propertyBag), summary: "Additional costs of this item by name: {\"shipping\": {\"price\": 4.5}}"),
    ])

    public static let sessionStates = ["open", "closed", "cancelled"]

    static let customerSession = RecordSchema(fields: [
        FieldSchema("profileId", .string(), summary: "Integration ID of the customer profile; \"\" or left out for an anonymous session"),
        FieldSchema("couponCodes", .array(.string()), summary: "Coupon codes entered"),
        FieldSchema("referralCode", .string(), summary: "Referral code entered"),
        FieldSchema("state", .enumeration(sessionStates), summary: "State of the session (the vendor's default: open)"),
        FieldSchema("cartItems", .array(.object(cartItem), maxItems: maxCartItems), summary: "The items in the cart, at most 1000"),
        FieldSchema("additionalCosts", .object(.propertyBag), summary: "Session costs by name, not tied to an item: {\"shipping\": {\"price\": 4.5}}"),
        FieldSchema("identifiers", .array(.string()), summary: "Session identifiers that limits can use (device IDs, ...)"),
        FieldSchema("attributes", .object(.propertyBag), summary: "Session attributes"),
    ])

    public static let customerSessions = Target(
        name: "talonone.customer_sessions", vendor: .talonone,
        summary: "Create or update a customer session with its cart items (grouped from rows), one per request",
        endpoint: endpoint(.put, "/v2/customer_sessions/{customerSessionId}",
                           [PathParameter(name: "customerSessionId", field: "customerSessionId")]),
        auth: auth, envelope: .single, limits: oneRecord,
        schema: RecordSchema(fields: [
            FieldSchema("customerSessionId", .string(), required: true,
                        summary: "The session's integration ID, unique in the account (path only, not in the body)"),
            FieldSchema("customerSession", .object(customerSession), required: true, summary: "The session"),
        ]),
        defaultTimestampFormat: .rfc3339, response: .talonOneIntegration,
        decisions: [
            "The body is the document's IntegrationRequest, {\"customerSession\": {...}}; its optional responseContent is not offered, since ferry reads only the status.",
            "state is one of open, closed, cancelled (sessions are created open or closed, then open -> closed, open -> cancelled, closed -> cancelled). partially_returned is refused: a session reaches it only through the vendor's return-cart-items endpoint, which this document does not have; map it to closed (map: {partially_returned: closed}) to send the session as it was before the return.",
            "Cart items need sku and quantity (an integer); name and price are optional (price may come from the deployment's catalog). position, returnedQuantity and remainingQuantity are computed by the vendor and not sent.",
            "At most 1000 cart items per session (the vendor's model: \"Do not exceed 1000 items\"); a larger cart makes every row of the session invalid (too_long). With cart item flattening, the vendor also limits the sum of quantities to 10,000, which ferry cannot know is on.",
            "additionalCosts (of the session and of cart items) map a cost's name to {\"price\": <number>} (the vendor's AdditionalCost; costs must exist in the Campaign Manager first); any other shape makes the record invalid (vendor_rule: invalid_cost).",
            "profileId: leave it out for an anonymous session, or send \"\" as the document suggests (default: \"\" in the mapping).",
        ] + [pathDecision] + commonDecisions,
        adjuster: CustomerSessionCheck())

    // MARK: talonone.events

    public static let events = Target(
        name: "talonone.events", vendor: .talonone,
        summary: "Track an event in a customer session, one per request",
        endpoint: endpoint(.post, "/v1/events"),
        auth: auth, envelope: .single, limits: oneRecord,
        schema: RecordSchema(fields: [
            FieldSchema("profileId", .string(), summary: "Integration ID of the customer profile; \"\" or left out for an anonymous session"),
            FieldSchema("type", .string(), required: true, summary: "The event type; not a reserved event name"),
            FieldSchema("attributes", .object(.propertyBag), summary: "Additional data of the event (ferry sends {} when none is mapped)"),
            FieldSchema("sessionId", .string(), required: true, summary: "The session the event belongs to (created when it does not exist)"),
        ]),
        defaultTimestampFormat: .rfc3339, response: .talonOneIntegration,
        decisions: [
            "sessionId is required (\"an event is always part of a session\"); if the session exists it must belong to the same profileId, or the vendor refuses the event (ferry counts that record as rejected).",
            "attributes is required by the vendor's NewEvent model: ferry sends {} when the mapping gives none, so mappings need not spell it out.",
        ] + commonDecisions,
        adjuster: EventAttributesDefault())

    // MARK: talonone.coupon_reservations

    public static let couponReservations = Target(
        name: "talonone.coupon_reservations", vendor: .talonone,
        summary: "Reserve a coupon for customer profiles (integration IDs grouped from rows), one coupon per request",
        endpoint: endpoint(.post, "/v1/coupon_reservations/{couponValue}",
                           [PathParameter(name: "couponValue", field: "couponValue")]),
        auth: auth, envelope: .single, limits: oneRecord,
        schema: RecordSchema(fields: [
            FieldSchema("couponValue", .string(), required: true, summary: "The coupon code (path only, not in the body)"),
            FieldSchema("integrationIDs", .array(.string()), required: true, summary: "Integration IDs of the customer profiles to reserve it for"),
        ]),
        defaultTimestampFormat: .rfc3339, response: .talonOneIntegration,
        decisions: [
            "integrationIDs is built from the rows of a group: group_by the coupon column and each_row the profile's integration ID; rows with an empty ID give nothing (filter them with where: not_empty to count them).",
            "A group with no integration ID is invalid (vendor_rule: empty_array): a reservation for nobody is not sent.",
            "At most 1000 integration IDs per request (the document is silent): a longer list goes out as several requests to the same coupon, 1000 at a time, since each request adds its profiles to the coupon's reservations.",
        ] + [pathDecision] + commonDecisions,
        adjuster: ReservationSplitter(limit: maxReservationIDs))

    // MARK: talonone.referrals

    public static let referrals = Target(
        name: "talonone.referrals", vendor: .talonone,
        summary: "Create a referral code for an advocate, one per request",
        endpoint: endpoint(.post, "/v1/referrals"),
        auth: auth, envelope: .single, limits: oneRecord,
        schema: RecordSchema(fields: [
            FieldSchema("campaignId", .integer, required: true, summary: "The referral campaign the code is for"),
            FieldSchema("advocateProfileIntegrationId", .string(), required: true, summary: "Integration ID of the advocate's profile"),
            FieldSchema("friendProfileIntegrationId", .string(), summary: "Integration ID of the friend's profile"),
            FieldSchema("startDate", .timestamp(.rfc3339), summary: "When the code becomes valid"),
            FieldSchema("expiryDate", .timestamp(.rfc3339), summary: "When the code expires (never, when left out)"),
            FieldSchema("usageLimit", .integer, summary: "How often the code can be used; 0: no limit beyond the campaign's"),
            FieldSchema("attributes", .object(.propertyBag), summary: "Referral attributes"),
        ]),
        defaultTimestampFormat: .rfc3339, response: .talonOneIntegration,
        decisions: [
            "campaignId is an integer and advocateProfileIntegrationId is required, as the text of createReferral says; usageLimit and attributes come from the vendor's later NewReferral model and are sent only when mapped.",
        ] + commonDecisions)

    // MARK: talonone.customer_data_deletion

    public static let customerDataDeletion = Target(
        name: "talonone.customer_data_deletion", vendor: .talonone,
        summary: "DESTRUCTIVE: delete a customer's personal data (profile and referencing attributes), one per request",
        endpoint: Endpoint(method: .delete, defaultBaseURL: nil, path: "/v1/customer_data/{integrationId}",
                           pathParameters: [PathParameter(name: "integrationId", field: "integrationId")],
                           contentType: "application/json"),
        auth: auth, envelope: .none, limits: oneRecord,
        schema: RecordSchema(fields: [
            FieldSchema("integrationId", .string(), required: true, summary: "Integration ID of the customer profile whose data is deleted (path only)"),
        ]),
        defaultTimestampFormat: .rfc3339, response: .talonOneIntegration,
        decisions: [
            "Destructive: deletes all attributes of the customer profile and of the entities that reference it. load sends nothing without --yes; check, validate and convert work without it.",
            "The request has no body (the document: Content-Type not defined): convert writes no request file, and requests.ndjson lists each DELETE with its path and 0 bytes.",
            "A customer the deployment does not know (404 with Talon.One's error body) is a rejected record, not the end of the run.",
        ] + [pathDecision] + commonDecisions,
        destructive: true)

    public static let targets = [
        withAttributes(customerProfiles, [CustomAttributeScope(path: "attributes", entity: "CustomerProfile")]),
        withAttributes(customerSessions, [CustomAttributeScope(path: "customerSession.attributes", entity: "CustomerSession"),
                                          CustomAttributeScope(path: "customerSession.cartItems[].attributes", entity: "CartItem")]),
        withAttributes(events, [CustomAttributeScope(path: "attributes", entity: "Event")]),
        couponReservations,
        withAttributes(referrals, [CustomAttributeScope(path: "attributes", entity: "Referral")]),
        customerDataDeletion,
    ]

    /// Where each target's records carry custom attributes, for `ferry check --remote`.
    static func withAttributes(_ target: Target, _ scopes: [CustomAttributeScope]) -> Target {
        var target = target
        target.customAttributes = scopes
        return target
    }
}

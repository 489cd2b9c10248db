import FerryMapping

/// Talon.One management API: coupons imported as a CSV file
/// (vendor-docs/talonone-management-api.txt, "Import coupons via CSV file").
///
/// The document says only "Upload a CSV file containing the coupons that should be created.
/// The file should be sent as multipart data." ferry chooses, and says so in `ferry targets`:
/// - the CSV columns are the coupon fields of the same document's Coupon object that a
///   customer sets: value, expiryDate, startDate, recipientIntegrationId, usageLimit,
///   attributes (a JSON object in one field);
/// - the file goes in the multipart part named `upFile` as `coupons.csv` (Talon.One's
///   convention for file uploads; the document names no part);
/// - applicationId and campaignId come from the mapping (usually `value:`), fill the path,
///   and are not in the file; records for another application or campaign start another upload;
/// - up to 10,000 coupons and 5 MiB per upload (the document states no limit);
/// - authentication is the management API's: a session token (`Bearer`) from
///   TALONONE_MANAGEMENT_TOKEN, a management key from TALONONE_MANAGEMENT_KEY, or a session
///   ferry opens with POST /v1/sessions from TALONONE_EMAIL and TALONONE_PASSWORD.
public enum TalonOneCouponImport {
    public static let boundary = "ferry-coupon-import-3b9e1f4c"
    public static let columns = ["value", "expiryDate", "startDate", "recipientIntegrationId", "usageLimit", "attributes"]

    public static let target: Target = {
        var target = base
        target.customAttributes = [CustomAttributeScope(path: "attributes", entity: "Coupon")]
        return target
    }()

    static let base = Target(
        name: "talonone.coupons_import", vendor: .talonone,
        summary: "Coupons uploaded as a CSV file (management API), up to 10,000 per upload",
        endpoint: Endpoint(method: .post, defaultBaseURL: nil,
                           path: "/v1/applications/{applicationId}/campaigns/{campaignId}/import_coupons",
                           pathParameters: [PathParameter(name: "applicationId", field: "applicationId"),
                                            PathParameter(name: "campaignId", field: "campaignId")],
                           contentType: "multipart/form-data; boundary=\(boundary)"),
        auth: AuthScheme(kind: .managementSession, environmentVariable: "TALONONE_MANAGEMENT_TOKEN",
                         headerExample: "Authorization: Bearer $TALONONE_MANAGEMENT_TOKEN, or ManagementKey-v1 $TALONONE_MANAGEMENT_KEY, or a session ferry opens with POST /v1/sessions from $TALONONE_EMAIL and $TALONONE_PASSWORD"),
        envelope: .multipartCSV(field: "upFile", fileName: "coupons.csv", columns: columns, boundary: boundary),
        limits: RequestLimits(maxRecords: 10_000, maxBytes: 5 << 20),
        schema: RecordSchema(fields: [
            FieldSchema("applicationId", .integer, required: true, summary: "The application (path; not in the file)"),
            FieldSchema("campaignId", .integer, required: true, summary: "The campaign (path; not in the file)"),
            FieldSchema("value", .string(), required: true, summary: "The coupon code"),
            FieldSchema("expiryDate", .timestamp(.rfc3339), summary: "When the coupon expires"),
            FieldSchema("startDate", .timestamp(.rfc3339), summary: "When the coupon becomes valid"),
            FieldSchema("recipientIntegrationId", .string(), summary: "The customer profile the coupon is for"),
            FieldSchema("usageLimit", .integer, summary: "How often the coupon may be used (0: unlimited)"),
            FieldSchema("attributes", .object(.propertyBag), summary: "Custom coupon attributes, written as JSON in one CSV field"),
        ]),
        defaultTimestampFormat: .rfc3339, response: .httpStatus,
        decisions: [
            "The document gives no CSV layout: ferry writes the columns value, expiryDate, startDate, recipientIntegrationId, usageLimit, attributes (the settable fields of the document's Coupon object; attributes as JSON text).",
            "The file is sent as the multipart part \"upFile\" named coupons.csv; the document names no part.",
            "applicationId and campaignId come from the mapping, fill the path and are not written to the file; coupons for another application or campaign go in another upload.",
            "Up to 10,000 coupons and 5 MiB per upload: the document states no limit.",
        ])
}

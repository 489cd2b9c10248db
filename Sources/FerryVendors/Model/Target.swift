import FerryCore
import FerryMapping

/// A vendor endpoint ferry can send records to: everything needed to build, check, batch,
/// send and judge its requests. Data plus a little behaviour (the response interpreter).
public struct Target: Sendable {
    /// `vendor.object`, e.g. `toplyne.user_events`.
    public var name: String
    public var vendor: Vendor
    /// One line for `ferry targets`.
    public var summary: String
    public var endpoint: Endpoint
    public var auth: AuthScheme
    public var envelope: Envelope
    public var limits: RequestLimits
    /// The schema of one record inside the envelope.
    public var schema: RecordSchema
    /// How times are written where the schema does not say (inside free-form properties).
    public var defaultTimestampFormat: TimestampOutputFormat
    /// Judges the vendor's answers.
    public var response: ResponseRule
    /// Where the vendor's document is unclear or contradicts itself, what ferry chose and why.
    public var decisions: [String]
    /// Destructive targets (deletion) need `--yes` before anything is sent.
    public var destructive: Bool
    /// Arrays that would be sent empty: allowed, or the record is invalid.
    public var emptyArrays: EmptyArrayPolicy
    /// Last touches to each mapped record (see `RecordAdjuster`).
    public var adjuster: (any RecordAdjuster)?
    /// Where records carry the account's custom attributes, for `ferry check --remote`.
    public var customAttributes: [CustomAttributeScope] = []
    /// A member `load` adds to each single-record body as it sends it, holding the moment of
    /// sending in RFC 3339 UTC (Pyze's `sentAt`); convert never writes it.
    public var sendTimeField: String?

    public init(name: String, vendor: Vendor, summary: String, endpoint: Endpoint, auth: AuthScheme,
                envelope: Envelope, limits: RequestLimits, schema: RecordSchema,
                defaultTimestampFormat: TimestampOutputFormat, response: ResponseRule,
                decisions: [String] = [], destructive: Bool = false, emptyArrays: EmptyArrayPolicy = .allow,
                adjuster: (any RecordAdjuster)? = nil) {
        self.name = name
        self.vendor = vendor
        self.summary = summary
        self.endpoint = endpoint
        self.auth = auth
        self.envelope = envelope
        self.limits = limits
        self.schema = schema
        self.defaultTimestampFormat = defaultTimestampFormat
        self.response = response
        self.decisions = decisions
        self.destructive = destructive
        self.emptyArrays = emptyArrays
        self.adjuster = adjuster
    }
}

public enum Vendor: String, Sendable, CaseIterable {
    case toplyne
    case pyze
    case talonone
    case netcore

    public var displayName: String {
        switch self {
        case .toplyne: return "Toplyne"
        case .pyze: return "Pyze"
        case .talonone: return "Talon.One"
        case .netcore: return "Netcore"
        }
    }
}

public enum HTTPMethod: String, Sendable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
    case delete = "DELETE"
}

/// Where requests go. `path` may hold `{name}` parameters filled from record fields.
public struct Endpoint: Sendable {
    public var method: HTTPMethod
    /// The vendor's production base URL; nil when each customer has their own host
    /// (then `--endpoint` is required).
    public var defaultBaseURL: String?
    public var path: String
    /// Path parameters, in order of appearance in `path`.
    public var pathParameters: [PathParameter]
    public var contentType: String
    /// Data centres with their own base URLs (Netcore: us, in, eu); `--region` picks one.
    public var regions: [Region]

    public init(method: HTTPMethod, defaultBaseURL: String?, path: String, pathParameters: [PathParameter] = [],
                contentType: String = "application/json; charset=utf-8", regions: [Region] = []) {
        self.method = method
        self.defaultBaseURL = defaultBaseURL
        self.path = path
        self.pathParameters = pathParameters
        self.contentType = contentType
        self.regions = regions
    }
}

/// An object of a record that holds custom attributes of one vendor entity: `attributes`
/// of a Talon.One customer profile, or `cartItems[].attributes` of its cart items.
public struct CustomAttributeScope: Sendable, Equatable {
    /// Output path of the object; `[]` marks an array of objects (`cartItems[].attributes`).
    public var path: String
    /// The vendor's entity name (`CustomerProfile`, `CartItem`).
    public var entity: String

    public init(path: String, entity: String) {
        self.path = path
        self.entity = entity
    }
}

/// One of a vendor's data centres.
public struct Region: Sendable, Equatable {
    public var name: String
    public var baseURL: String

    public init(_ name: String, baseURL: String) {
        self.name = name
        self.baseURL = baseURL
    }
}

/// A `{name}` in an endpoint path, taken from a record field.
public struct PathParameter: Sendable {
    public var name: String
    /// The mapping's output field that supplies it.
    public var field: String
    /// Whether the field is also sent in the body, or only in the path.
    public var alsoInBody: Bool

    public init(name: String, field: String, alsoInBody: Bool = false) {
        self.name = name
        self.field = field
        self.alsoInBody = alsoInBody
    }
}

/// How the secret is presented. The secret itself comes from `environmentVariable` (or a
/// token file) and never appears in logs, reports or dead letters.
public struct AuthScheme: Sendable {
    public enum Kind: String, Sendable {
        /// `Authorization: Bearer <secret>`
        case bearer
        /// `Authorization: ApiKey-v1 <secret>` (Talon.One integration API)
        case apiKeyV1 = "apikey-v1"
        /// Talon.One management API: a session token from POST /v1/sessions, or a management key.
        case managementSession = "management-session"
        /// Pyze: the app key in the body plus the credential its account manager issues.
        case pyzeAppKey = "pyze-app-key"
    }

    public var kind: Kind
    public var environmentVariable: String
    /// How the header is written, for `ferry targets` (never with a real secret).
    public var headerExample: String

    public init(kind: Kind, environmentVariable: String, headerExample: String) {
        self.kind = kind
        self.environmentVariable = environmentVariable
        self.headerExample = headerExample
    }
}

/// How records are wrapped into one request body.
public enum Envelope: Sendable, Equatable {
    /// `{"<key>": [record, ...]}`
    case objectArray(key: String)
    /// `[record, ...]`
    case array
    /// The record itself is the body (one record per request).
    case single
    /// No body (for example DELETE with the identifier in the path).
    case none
    /// A CSV file uploaded as multipart/form-data: a header row of `columns`, then one line
    /// per record (its members in column order). Records are encoded by `CSVRecordEncoder`.
    case multipartCSV(field: String, fileName: String, columns: [String], boundary: String)

    public var displayName: String {
        switch self {
        case .objectArray(let key): return "{\"\(key)\": [record, ...]}"
        case .array: return "[record, ...]"
        case .single: return "the record itself"
        case .none: return "no body"
        case .multipartCSV(let field, let fileName, let columns, _):
            return "multipart/form-data, part \"\(field)\" = \(fileName) with CSV columns \(columns.joined(separator: ","))"
        }
    }
}

/// What one request may hold.
public struct RequestLimits: Sendable {
    public var maxRecords: Int
    /// Largest request body in bytes.
    public var maxBytes: Int
    /// Most top-level fields all records of one request may carry together (Pyze profiles: 50).
    public var maxFields: Int?

    public init(maxRecords: Int, maxBytes: Int, maxFields: Int? = nil) {
        self.maxRecords = maxRecords
        self.maxBytes = maxBytes
        self.maxFields = maxFields
    }
}

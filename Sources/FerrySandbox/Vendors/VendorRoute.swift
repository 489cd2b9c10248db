import Foundation
import FerryCore
import FerryMapping
import FerryVendors
import NIOCore

/// One target's endpoint in the sandbox: checks a request as the vendor would (credential,
/// media type, size, JSON, envelope, per-request limits, every record against the target's
/// schema with `RecordChecker` and the target's own vendor rules) and gives the ledger records of an accepted one (see
/// `SandboxLedger` for their shape). A request with any bad record is refused whole: none of
/// the vendor documents describes partial acceptance.
struct VendorRoute: Sendable {
    /// What the route looks at in a request.
    struct Incoming: Sendable {
        var authorization: String?
        var contentType: String?
        /// The path after the vendor prefix, as sent (percent-encoded).
        var path: String
        /// Path parameters, percent-decoded.
        var parameters: [String: String]
        /// As received: scanned and parsed in place.
        var body: ByteBuffer
        /// The body was longer than the target's `maxBytes` (and was not kept whole).
        var bodyTooLarge: Bool = false
    }

    /// What an acceptable request gives the ledger: its records, or (when the ledger only
    /// counts and `AcceptanceScanner` vouched for the body) only their number.
    struct Accepted: Sendable {
        let records: [JSONValue]
        let count: Int

        init(records: [JSONValue]) {
            self.records = records
            self.count = records.count
        }

        init(count: Int) {
            self.records = []
            self.count = count
        }
    }

    let target: Target
    /// `/toplyne`, `/netcore/eu`, ...
    let prefix: String
    let checker: RecordChecker
    /// The schema `AcceptanceScanner` checks bodies against, for targets whose every rule it
    /// knows: a JSON envelope, no path parameters, no app key in the body, no per-request field
    /// limit, no vendor rules beyond the schema (`RecordAdjuster`), no state (Talon.One).
    let scanRule: ObjectRule?
    /// `acceptedCredentials(target)`, made once.
    let credentials: [(scheme: String, credential: String)]

    init(target: Target, prefix: String) {
        self.target = target
        self.prefix = prefix
        self.checker = RecordChecker(target: target)
        self.credentials = Self.acceptedCredentials(target)
        let scannable: Bool
        switch target.envelope {
        case .objectArray, .array, .single:
            scannable = target.endpoint.pathParameters.isEmpty && target.auth.kind != .pyzeAppKey
                && target.limits.maxFields == nil && target.adjuster == nil && target.vendor != .talonone
        case .none, .multipartCSV:
            scannable = false
        }
        self.scanRule = scannable ? checker.rule : nil
    }

    /// The route's path with `{name}` parameters, as the router matches it.
    var routerPath: String { prefix + target.endpoint.path }

    /// The ledger records of an acceptable request, or why the vendor would refuse it.
    /// With `countOnly`, a body the scanner vouches for is accepted by its record count alone.
    func check(_ request: Incoming, countOnly: Bool = false) -> Result<Accepted, Rejection> {
        do {
            if countOnly, let count = try scannedCount(request) { return .success(Accepted(count: count)) }
            return .success(Accepted(records: try records(of: request)))
        } catch {
            return .failure(error)
        }
    }

    /// The number of records of an acceptable body, when `AcceptanceScanner` can tell; nil
    /// sends the request through the full check (`records(of:)`), which also words refusals.
    func scannedCount(_ request: Incoming) throws(Rejection) -> Int? {
        guard let rule = scanRule, !request.bodyTooLarge else { return nil }
        try authenticate(request.authorization)
        try checkParameters(request.parameters)
        try checkMediaType(request)
        let scanned = request.body.withReadableUInt8s { body in
            AcceptanceScanner.count(body, envelope: target.envelope, rule: rule, emptyArrays: target.emptyArrays)
        }
        guard let count = scanned, count <= target.limits.maxRecords else { return nil }
        return count
    }

    func records(of request: Incoming) throws(Rejection) -> [JSONValue] {
        try authenticate(request.authorization)
        try checkParameters(request.parameters)
        if request.bodyTooLarge {
            throw Rejection(reason: .tooLarge, message: "the request body is larger than \(target.limits.maxBytes) bytes")
        }
        switch target.envelope {
        case .none:
            return [pathRecord(request, body: nil)]
        case .multipartCSV(let field, _, let columns, _):
            let rows = try couponRows(request, field: field, columns: columns)
            try checkCount(rows.count)
            try checkRecords(rows.map(\.record)) { "row \(rows[$0].line)" }
            return rows.map { pathRecord(request, body: $0.record) }
        case .objectArray, .array, .single:
            let items = try jsonItems(request)
            try checkCount(items.count)
            if let maxFields = target.limits.maxFields {
                let fields = items.reduce(0) { total, item in
                    if case .object(let object) = item { return total + object.count }
                    return total
                }
                if fields > maxFields {
                    throw .content("\(fields) profile fields in one request; each request may include up to \(maxFields) profile fields")
                }
            }
            if target.auth.kind == .pyzeAppKey, let item = items.first { try checkAppKey(item) }
            try checkRecords(items, label: label(index:))
            if target.endpoint.pathParameters.isEmpty { return items }
            return items.map { pathRecord(request, body: $0) }
        }
    }

    // MARK: Credentials

    /// The Authorization schemes (lowercase) and credentials the target accepts; none for
    /// Pyze, whose app key travels in the body.
    static func acceptedCredentials(_ target: Target) -> [(scheme: String, credential: String)] {
        switch target.auth.kind {
        case .pyzeAppKey:
            return []
        case .bearer:
            return [("bearer", SandboxCredentials.secret(for: target))]
        case .apiKeyV1:
            return [("apikey-v1", SandboxCredentials.secret(for: target))]
        case .managementSession:
            return [("bearer", SandboxCredentials.talonOneSessionToken),
                    ("managementkey-v1", SandboxCredentials.talonOneManagementKey)]
        }
    }

    func authenticate(_ header: String?) throws(Rejection) {
        guard target.auth.kind != .pyzeAppKey else { return }
        guard let header, !header.isEmpty else {
            throw Rejection(reason: .unauthenticated, message: "Unauthorized: no Authorization header")
        }
        // What senders write, `Scheme credential`, compared as bytes; anything else (spaces
        // around the credential, say) is taken apart below.
        if credentials.contains(where: { Self.isExactly(header, scheme: $0.scheme, credential: $0.credential) }) { return }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2,
              credentials.contains(where: { $0.scheme == parts[0].lowercased() && $0.credential == parts[1].trimmingCharacters(in: .whitespaces) })
        else {
            throw Rejection(reason: .unauthenticated, message: "Unauthorized: invalid credentials")
        }
    }

    /// `header` is `scheme` (in any case of ASCII letters), one space, and `credential`.
    static func isExactly(_ header: String, scheme: String, credential: String) -> Bool {
        var header = header
        return header.withUTF8 { bytes in
            let schemeBytes = scheme.utf8, credentialBytes = credential.utf8
            guard bytes.count == schemeBytes.count + 1 + credentialBytes.count else { return false }
            var k = 0
            for expected in schemeBytes {
                let byte = bytes[k]
                let lower = byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
                guard lower == expected else { return false }
                k += 1
            }
            guard bytes[k] == UInt8(ascii: " ") else { return false }
            k += 1
            for expected in credentialBytes {
                guard bytes[k] == expected else { return false }
                k += 1
            }
            return true
        }
    }

    /// Pyze events: the app key travels in the body.
    func checkAppKey(_ event: JSONValue) throws(Rejection) {
        guard case .string(let key)? = event.value(atPath: "appKey"), !key.isEmpty else {
            throw .content("\"appKey\" is not provided")
        }
        if key != SandboxCredentials.pyzeAppKey {
            throw Rejection(reason: .forbidden, message: "Need access to the provided app")
        }
    }

    // MARK: Content

    func checkParameters(_ parameters: [String: String]) throws(Rejection) {
        for parameter in target.endpoint.pathParameters {
            guard let value = parameters[parameter.name], !value.isEmpty else {
                throw .content("the path parameter \(parameter.name) is empty")
            }
            if case .integer? = target.schema.field(named: parameter.field)?.type, Int64(value) == nil {
                throw .content("the path parameter \(parameter.name) must be an integer, found \"\(value)\"")
            }
        }
    }

    func mediaType(_ contentType: String?) -> String {
        (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    func checkMediaType(_ request: Incoming) throws(Rejection) {
        // What senders write, compared as is; anything else is taken apart by `mediaType`.
        if let type = request.contentType, type == "application/json" || type == "application/json; charset=utf-8" { return }
        guard mediaType(request.contentType) == "application/json" else {
            throw Rejection(reason: .unsupportedMediaType,
                            message: "the Content-Type must be application/json, found \(request.contentType ?? "none")")
        }
    }

    func jsonItems(_ request: Incoming) throws(Rejection) -> [JSONValue] {
        try checkMediaType(request)
        let value: JSONValue
        do {
            value = try request.body.withReadableUInt8s { buffer in
                Result { () throws(JSONParseError) in try JSONParser.parse(buffer) }
            }.get()
        } catch {
            throw .content("malformed JSON: \(error)")
        }
        switch target.envelope {
        case .objectArray(let key):
            guard case .object(let object) = value, case .array(let items)? = object[key] else {
                throw .content("the body must be a JSON object whose \"\(key)\" member is an array of records")
            }
            return items
        case .array:
            guard case .array(let items) = value else { throw .content("the body must be a JSON array of records") }
            return items
        default:
            guard case .object = value else { throw .content("the body must be a JSON object") }
            return [value]
        }
    }

    func checkCount(_ count: Int) throws(Rejection) {
        if count == 0 {
            throw .content(target.vendor == .netcore ? "Do Not Pass an Empty Array: the request holds no activities"
                                                      : "the request holds no records")
        }
        if count > target.limits.maxRecords {
            throw .content("\(count) records in one request; at most \(target.limits.maxRecords) are accepted")
        }
    }

    /// Where a record is in the request, for messages: `events[3]`, `[3]`, or nothing for a
    /// single-record body.
    func label(index: Int) -> String {
        switch target.envelope {
        case .objectArray(let key): return "\(key)[\(index)]"
        case .array: return "[\(index)]"
        default: return ""
        }
    }

    /// `label(i)` names record `i` in messages; it is asked only for records with problems.
    func checkRecords(_ records: [JSONValue], label: (Int) -> String) throws(Rejection) {
        var details: [String] = []
        var bad = 0
        for (index, record) in records.enumerated() {
            var problems = problems(in: record)
            if Self.isPoisoned(record) {
                problems.append("\(Self.poison): the sandbox refuses records holding this text (for tests of refused records)")
            }
            if problems.isEmpty { continue }
            bad += 1
            let label = label(index)
            for problem in problems {
                if label.isEmpty { details.append(problem) }
                else if label.hasPrefix("row ") { details.append("\(label): \(problem)") }
                else { details.append(problem.hasPrefix("the record") ? "\(label): \(problem)" : "\(label).\(problem)") }
            }
        }
        guard bad > 0 else { return }
        let message = records.count == 1 ? "the record is invalid" : "\(bad) of \(records.count) records are invalid"
        throw .content(message, details: details)
    }

    /// A text that makes the sandbox refuse the record holding it (as any string value, at any
    /// depth), the way the vendor refuses a record it finds wrong although it fits the schema:
    /// for tests of refused records inside otherwise good batches.
    static let poison = "sandbox-refuses-this-record"

    static func isPoisoned(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let s): return s == poison
        case .array(let items): return items.contains(where: isPoisoned)
        case .object(let object): return object.members.contains { isPoisoned($0.value) }
        default: return false
        }
    }

    /// The schema's problems, then the vendor rules the schema cannot state, as the target's
    /// `RecordAdjuster` checks them (Pyze's `user_alias` pairs and `{"inc"}`/`{"remove"}`
    /// operations, Talon.One's `{"price"}` costs and non-empty reservations): an adjuster that
    /// refuses the record, or would split it because it is too wide for one request, is a problem.
    func problems(in record: JSONValue) -> [String] {
        let problems = checker.problems(in: record)
        guard problems.isEmpty, let adjuster = target.adjuster, case .object(let object) = record else { return problems }
        do {
            let pieces = try adjuster.adjust(object)
            if pieces.count > 1 { return ["too wide for one request (ferry would send it as \(pieces.count) requests)"] }
            return []
        } catch {
            return ["\(error.message) (\(error.kind))"]
        }
    }

    // MARK: Records

    /// `{"path": ..., "parameters": {...}, "body": ...}`.
    func pathRecord(_ request: Incoming, body: JSONValue?) -> JSONValue {
        var parameters = JSONObject()
        for parameter in target.endpoint.pathParameters {
            parameters.append(parameter.name, .string(request.parameters[parameter.name] ?? ""))
        }
        var record = JSONObject([(key: "path", value: .string(request.path)), (key: "parameters", value: .object(parameters))])
        if let body { record.append("body", body) }
        return .object(record)
    }

    /// The coupons of a CSV import: one object per row, of its non-empty cells typed as the
    /// schema says (integers as numbers, `attributes` parsed as JSON; a cell that does not
    /// parse stays text, which the checker then reports).
    func couponRows(_ request: Incoming, field: String, columns: [String]) throws(Rejection) -> [(line: Int, record: JSONValue)] {
        guard mediaType(request.contentType) == "multipart/form-data",
              let boundary = MultipartForm.boundary(ofContentType: request.contentType ?? "") else {
            throw Rejection(reason: .unsupportedMediaType,
                            message: "the Content-Type must be multipart/form-data with a boundary, found \(request.contentType ?? "none")")
        }
        let rows: [(line: Int, fields: [String])]
        do throws(MultipartError) {
            let form = try MultipartForm(parsing: Array(request.body.readableBytesView), boundary: boundary)
            guard let part = form.parts.first(where: { $0.name == field }) else {
                throw MultipartError("no part named \"\(field)\" (the CSV file of coupons)")
            }
            rows = try CSVText.rows(part.body)
        } catch {
            throw .content("bad upload: \(error.message)")
        }
        guard let header = rows.first?.fields else { throw .content("the CSV file is empty") }
        let unknown = header.filter { !columns.contains($0) }
        if !unknown.isEmpty {
            throw .content("unknown CSV column\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); known: \(columns.joined(separator: ", "))")
        }
        if !header.contains("value") { throw .content("the CSV file has no value column") }
        var records: [(line: Int, record: JSONValue)] = []
        for row in rows.dropFirst() {
            guard row.fields.count == header.count else {
                throw .content("line \(row.line): \(row.fields.count) fields, the header has \(header.count)")
            }
            var record = JSONObject()
            for (column, cell) in zip(header, row.fields) where !cell.isEmpty {
                record.append(column, typedCell(cell, column: column))
            }
            records.append((row.line, .object(record)))
        }
        return records
    }

    func typedCell(_ cell: String, column: String) -> JSONValue {
        switch target.schema.field(named: column)?.type {
        case .integer?:
            return Int64(cell).map(JSONValue.int) ?? .string(cell)
        case .object?:
            return (try? JSONParser.parse(cell)) ?? .string(cell)
        default:
            return .string(cell)
        }
    }
}

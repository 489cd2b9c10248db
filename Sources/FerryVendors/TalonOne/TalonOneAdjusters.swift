import FerryCore

// The last touches Talon.One's integration targets give a mapped record (see `RecordAdjuster`).
// Each runs on the record as mapped, path parameter fields still at the top level.

/// Customer profiles: the vendor's `audiencesChanges` needs both `adds` and `deletes`. The one the
/// mapping leaves empty is sent as `[]`; with both empty, `audiencesChanges` is left out.
struct ProfileAudiencesAdjuster: RecordAdjuster {
    func adjust(_ record: JSONObject) throws(AdjustmentError) -> [JSONObject] {
        guard let index = record.members.lastIndex(where: { $0.key == "audiencesChanges" }),
              case .object(let changes) = record.members[index].value else { return [record] }
        var out = record
        let adds = changes["adds"], deletes = changes["deletes"]
        if Self.isEmpty(adds) && Self.isEmpty(deletes) {
            out.members.remove(at: index)
            return [out]
        }
        out.members[index].value = .object(JSONObject([
            ("adds", Self.isEmpty(adds) ? .array([]) : adds ?? .array([])),
            ("deletes", Self.isEmpty(deletes) ? .array([]) : deletes ?? .array([])),
        ]))
        return [out]
    }

    static func isEmpty(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: return true
        case .array(let items)?: return items.isEmpty
        default: return false
        }
    }
}

/// Customer sessions: every additional cost, of the session or of a cart item, is
/// `{"price": <number>}` (the vendor's AdditionalCost; the schema can only say "an object of
/// named costs"). The 1000-item cap is the schema's `maxItems`, checked by the mapper.
struct CustomerSessionCheck: RecordAdjuster {
    func adjust(_ record: JSONObject) throws(AdjustmentError) -> [JSONObject] {
        guard case .object(let session)? = record["customerSession"] else { return [record] }
        try Self.checkCosts(session["additionalCosts"], at: "customerSession.additionalCosts")
        if case .array(let items)? = session["cartItems"] {
            for (index, item) in items.enumerated() {
                if case .object(let object) = item {
                    try Self.checkCosts(object["additionalCosts"], at: "customerSession.cartItems[\(index)].additionalCosts")
                }
            }
        }
        return [record]
    }

    static func checkCosts(_ value: JSONValue?, at path: String) throws(AdjustmentError) {
        guard case .object(let costs)? = value else { return }
        for (name, cost) in costs.members {
            switch cost {
            case .object(let object):
                switch object["price"] {
                case .int?, .double?, .decimal?:
                    if object.count == 1 { continue }
                    throw AdjustmentError(kind: "invalid_cost", message: "\(path).\(name) may only hold price, found \(object.keys.joined(separator: ", "))")
                case nil:
                    throw AdjustmentError(kind: "invalid_cost", message: "\(path).\(name) needs a price")
                default:
                    throw AdjustmentError(kind: "invalid_cost", message: "\(path).\(name).price must be a number (type: float)")
                }
            default:
                throw AdjustmentError(kind: "invalid_cost", message: "\(path).\(name) must be an object {\"price\": <number>}")
            }
        }
    }
}

/// Events: the vendor requires `attributes`; `{}` when the mapping gives none.
struct EventAttributesDefault: RecordAdjuster {
    func adjust(_ record: JSONObject) throws(AdjustmentError) -> [JSONObject] {
        if record["attributes"] != nil { return [record] }
        var out = record
        out.append("attributes", .object(JSONObject()))
        return [out]
    }
}

/// Coupon reservations: a reservation for nobody is refused; a list longer than `limit` is
/// sent as several requests to the same coupon, `limit` IDs at a time, in order.
struct ReservationSplitter: RecordAdjuster {
    var limit: Int

    func adjust(_ record: JSONObject) throws(AdjustmentError) -> [JSONObject] {
        guard let index = record.members.lastIndex(where: { $0.key == "integrationIDs" }),
              case .array(let ids) = record.members[index].value else { return [record] }
        if ids.isEmpty {
            throw AdjustmentError(kind: "empty_array",
                                  message: "integrationIDs is empty: no row of the group gives an integration ID, and a reservation for nobody is not sent")
        }
        if ids.count <= limit { return [record] }
        var parts: [JSONObject] = []
        var start = 0
        while start < ids.count {
            var part = record
            part.members[index].value = .array(Array(ids[start..<min(start + limit, ids.count)]))
            parts.append(part)
            start += limit
        }
        return parts
    }
}

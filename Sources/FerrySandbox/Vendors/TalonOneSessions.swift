import FerryCore

/// The one piece of a Talon.One deployment's state the sandbox keeps: which customer profile
/// each customer session belongs to. The integration document: an event "is always part of a
/// session ... if the specified session already exists, it must belong to the same
/// `profileId` or an error will be returned" (the sandbox answers 409, which ferry counts as
/// a rejected record). Sessions are created by PUT customer_sessions and by the first event
/// naming them; an empty or absent `profileId` is the anonymous profile `""`.
actor TalonOneSessions {
    private var owners: [String: String] = [:]

    /// Records the session of an accepted record, or says why the deployment refuses it.
    func admit(target: String, records: [JSONValue]) -> Rejection? {
        for record in records {
            switch target {
            case "talonone.customer_sessions":
                guard case .string(let session)? = record.value(atPath: ["parameters", "customerSessionId"]) else { continue }
                owners[session] = Self.profile(record.value(atPath: ["body", "customerSession", "profileId"]))
            case "talonone.events":
                guard case .string(let session)? = record.value(atPath: "sessionId") else { continue }
                let profile = Self.profile(record.value(atPath: "profileId"))
                if let owner = owners[session], owner != profile {
                    return Rejection(reason: .conflict,
                                     message: "the customer session \(session) belongs to another customer profile",
                                     details: ["sessionId: the session belongs to \(owner.isEmpty ? "an anonymous profile" : "profile \(owner)")"])
                }
                owners[session] = profile
            default:
                continue
            }
        }
        return nil
    }

    static func profile(_ value: JSONValue?) -> String {
        if case .string(let text)? = value { return text }
        return ""
    }

    func reset() { owners = [:] }
}

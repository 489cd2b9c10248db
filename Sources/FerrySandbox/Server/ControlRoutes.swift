import FerryCore
import FerryVendors
import Hummingbird

/// The sandbox's own endpoints, under `/_sandbox/`:
/// - `GET /_sandbox/ledger/{target}`: `{"target", "count", "entries": [{"sequence", "fault"?, "record"}]}`;
/// - `GET /_sandbox/counts`: `{"requests", "records": {target: n}, "lost_records": {target: n},
///   "faults": {kind: n}, "rate_limited"}`;
/// - `GET /_sandbox/duplicates`: `{target: [{"record", "sequences"}]}` for records accepted twice;
/// - `POST /_sandbox/reset`: empties the ledger and the Talon.One sessions, restarts request
///   numbering and counters;
/// - `POST /_sandbox/faults` (body: a `FaultPlan` spec) replaces the plan; `GET` shows it.
struct ControlRoutes: Sendable {
    let state: SandboxState

    func register(on router: Router<BasicRequestContext>) {
        let state = state, ledger = state.ledger, traffic = state.traffic
        router.get("/_sandbox/ledger/{target}") { _, context in
            let name = context.parameters.get("target") ?? ""
            guard TargetCatalog.target(named: name) != nil else {
                return SandboxRouter.json(jsonObject(["error": .string("unknown target '\(name)'")]), status: 404)
            }
            let entries = await ledger.entries(for: name)
            return SandboxRouter.json(jsonObject([
                "target": .string(name),
                "count": .int(Int64(entries.count)),
                "entries": .array(entries.map(Self.entry)),
            ]))
        }
        router.get("/_sandbox/counts") { _, _ in
            SandboxRouter.json(await Self.counts(ledger: ledger, traffic: traffic))
        }
        router.get("/_sandbox/duplicates") { _, _ in
            var result = JSONObject()
            for target in await ledger.targets {
                let duplicates = await ledger.duplicates(for: target)
                if duplicates.isEmpty { continue }
                result.append(target, .array(duplicates.map { duplicate in
                    jsonObject(["record": duplicate.record, "sequences": .array(duplicate.sequences.map { .int(Int64($0)) })])
                }))
            }
            return SandboxRouter.json(.object(result))
        }
        router.post("/_sandbox/reset") { _, _ in
            await state.reset()
            return SandboxRouter.json(jsonObject(["status": .string("reset")]))
        }
        router.get("/_sandbox/faults") { _, _ in
            SandboxRouter.json(jsonObject(["faults": .string(await traffic.plan.description)]))
        }
        router.post("/_sandbox/faults") { request, _ in
            let (body, _) = try await VendorExchange.collect(request.body, limit: 64 << 10)
            do throws(FaultPlanError) {
                let plan = try FaultPlan(parsing: String(buffer: body))
                await traffic.replacePlan(plan)
                return SandboxRouter.json(jsonObject(["faults": .string(plan.description)]))
            } catch {
                return SandboxRouter.json(jsonObject(["error": .string(error.description)]), status: 400)
            }
        }
    }

    static func entry(_ entry: SandboxLedger.Entry) -> JSONValue {
        var object = JSONObject([(key: "sequence", value: .int(Int64(entry.sequence)))])
        if let fault = entry.fault { object.append("fault", .string(fault.rawValue)) }
        object.append("record", entry.record)
        return .object(object)
    }

    static func counts(ledger: SandboxLedger, traffic: SandboxTraffic) async -> JSONValue {
        let faults = await traffic.faultCounts
        return jsonObject([
            "requests": .int(Int64(await traffic.requests)),
            "records": jsonObject(sorted: await ledger.counts) { .int(Int64($0)) },
            "lost_records": jsonObject(sorted: await ledger.lostCounts) { .int(Int64($0)) },
            "faults": .object(JSONObject(FaultPlan.Kind.allCases.compactMap { kind in
                faults[kind].map { (key: kind.rawValue, value: JSONValue.int(Int64($0))) }
            })),
            "rate_limited": .int(Int64(await traffic.rateLimited)),
        ])
    }
}

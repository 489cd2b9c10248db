/// What the sandbox decided about one vendor request before looking at it.
struct Admission: Sendable {
    /// The request's arrival number (1-based, over all vendors).
    var sequence: UInt64
    /// The fault to inject (forced by `X-Sandbox-Fault` or drawn from the plan).
    var fault: FaultPlan.Kind?
    /// Set when the credential's rate limit is exhausted: the Retry-After seconds.
    var rateLimitedFor: Int?
    /// The plan in force when the request arrived.
    var plan: FaultPlan
}

/// The sandbox's traffic state: request numbering, the fault plan, counters of injected
/// faults, and the rate limiter.
actor SandboxTraffic {
    private(set) var plan: FaultPlan
    private var sequence: UInt64 = 0
    private(set) var faultCounts: [FaultPlan.Kind: Int] = [:]
    private(set) var rateLimited = 0
    private var limiter: RateLimiter?

    init(plan: FaultPlan, rateLimit: Double?) {
        self.plan = plan
        self.limiter = rateLimit.map { RateLimiter(rate: $0) }
    }

    /// Numbers the request and decides its fault: a forced one wins over the plan's draw. A
    /// request over the rate limit gets no fault (its answer is the 429).
    func admit(credential: String, forced: FaultPlan.Kind?) -> Admission {
        sequence += 1
        if let wait = limiter?.take(for: credential) {
            rateLimited += 1
            return Admission(sequence: sequence, fault: nil, rateLimitedFor: wait, plan: plan)
        }
        let fault = forced ?? plan.fault(forRequest: sequence)
        if let fault { faultCounts[fault, default: 0] += 1 }
        return Admission(sequence: sequence, fault: fault, rateLimitedFor: nil, plan: plan)
    }

    var requests: UInt64 { sequence }

    func replacePlan(_ plan: FaultPlan) { self.plan = plan }

    /// Numbering restarts at 1, counters at 0, buckets full; the plan stays.
    func reset() {
        sequence = 0
        faultCounts = [:]
        rateLimited = 0
        limiter?.reset()
    }
}

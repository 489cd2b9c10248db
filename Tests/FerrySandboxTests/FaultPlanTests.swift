import Testing
@testable import FerrySandbox

@Suite struct FaultPlanTests {
    static let spec = "503=0.2,429=0.1,500=0.05,502=0.05,drop=0.05,slow=0.02,latency=20ms,lost=0.01,retry-after=1,slow-delay=5s,seed=42"

    @Test func parsesTheFullSpec() throws {
        let plan = try FaultPlan(parsing: Self.spec)
        #expect(plan.rates == [.serviceUnavailable: 0.2, .tooManyRequests: 0.1, .internalServerError: 0.05, .badGateway: 0.05,
                               .drop: 0.05, .slow: 0.02, .lost: 0.01])
        #expect(plan.latency == .milliseconds(20))
        #expect(plan.slowDelay == .seconds(5))
        #expect(plan.retryAfter == 1)
        #expect(plan.seed == 42)
        #expect(try FaultPlan(parsing: plan.description) == plan)
        #expect(try FaultPlan(parsing: "") == FaultPlan.none)
        #expect(try FaultPlan(parsing: " slow-delay=1.5s , latency=250us ").slowDelay == .milliseconds(1500))
    }

    @Test(arguments: [
        ("503=2", "503=2", "from 0 to 1"),
        ("429=0.1,teapot=0.1", "teapot=0.1", "unknown fault 'teapot'"),
        ("latency=20", "latency=20", "duration"),
        ("slow-delay=fast", "slow-delay=fast", "duration"),
        ("retry-after=1.5", "retry-after=1.5", "whole number"),
        ("seed=-1", "seed=-1", "non-negative"),
        ("drop", "drop", "NAME=VALUE"),
        ("503=0.6,429=0.6", "503=0.6,429=0.6", "more than 1"),
    ])
    func parseErrorsNameTheBadItem(spec: String, item: String, message: String) {
        #expect {
            _ = try FaultPlan(parsing: spec)
        } throws: { error in
            guard let error = error as? FaultPlanError else { return false }
            return error.item == item && error.description.contains(message)
        }
    }

    /// With n draws, a kind of rate p happens n·p times give or take sqrt(n·p·(1-p)); four
    /// standard deviations leave a chance below 1e-4 per kind that a good generator fails.
    @Test func drawsHappenAtTheirRates() throws {
        let plan = try FaultPlan(parsing: Self.spec)
        let n = 100_000
        var counts: [FaultPlan.Kind?: Int] = [:]
        for sequence in 1...UInt64(n) { counts[plan.fault(forRequest: sequence), default: 0] += 1 }
        for (kind, rate) in plan.rates {
            let expected = Double(n) * rate
            let tolerance = 4 * (Double(n) * rate * (1 - rate)).squareRoot()
            #expect(abs(Double(counts[kind] ?? 0) - expected) <= tolerance, "\(kind): \(counts[kind] ?? 0), expected \(expected)")
        }
        #expect(abs(Double(counts[nil] ?? 0) - Double(n) * 0.52) <= 4 * (Double(n) * 0.52 * 0.48).squareRoot())
    }

    @Test func decisionsDependOnSeedAndSequenceOnly() throws {
        let plan = try FaultPlan(parsing: "503=0.3,drop=0.2,seed=7")
        let first = (1...2000).map { plan.fault(forRequest: UInt64($0)) }
        let again = (1...2000).map { try? FaultPlan(parsing: "drop=0.2,503=0.3,seed=7").fault(forRequest: UInt64($0)) }
        #expect(first == again)
        // Asking out of order gives the same answers.
        #expect((1...2000).reversed().map { plan.fault(forRequest: UInt64($0)) } == first.reversed())
        var other = plan
        other.seed = 8
        #expect((1...2000).map { other.fault(forRequest: UInt64($0)) } != first)
        #expect(FaultPlan.none.fault(forRequest: 1) == nil)
    }
}

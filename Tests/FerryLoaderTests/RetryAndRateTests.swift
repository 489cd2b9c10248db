import Testing
@testable import FerryLoader

@Suite struct RetryPolicyTests {
    @Test func capsDoubleUpToTheMaximumThenAttemptsRunOut() {
        let policy = RetryPolicy(maxAttempts: 9, baseDelay: 0.5, maxDelay: 30, maxTotal: 10_000)
        let caps = (1...9).map { policy.delay(afterAttempt: $0, elapsed: 0, retryAfter: nil) { 0.999_999 } }
        let rounded = caps.map { $0.map { ($0 * 1000).rounded() / 1000 } }
        #expect(rounded == [0.5, 1, 2, 4, 8, 16, 30, 30, nil])
    }

    @Test func fullJitterWaitsAnywhereFromZero() {
        let policy = RetryPolicy()
        #expect(policy.delay(afterAttempt: 3, elapsed: 0, retryAfter: nil) { 0 } == 0)
        #expect(policy.delay(afterAttempt: 3, elapsed: 0, retryAfter: nil) { 0.5 } == 1.0)
    }

    @Test func retryAfterIsNeverUndercut() {
        let policy = RetryPolicy()
        #expect(policy.delay(afterAttempt: 1, elapsed: 0, retryAfter: 7) { 0.5 } == 7)
        #expect(policy.delay(afterAttempt: 6, elapsed: 0, retryAfter: 1) { 0.5 } == 8)
    }

    @Test func theTotalTimeBoundsRetries() {
        let policy = RetryPolicy(maxAttempts: 100, maxTotal: 60)
        #expect(policy.delay(afterAttempt: 2, elapsed: 59.5, retryAfter: nil) { 0.9 } == nil)
        #expect(policy.delay(afterAttempt: 2, elapsed: 10, retryAfter: 120) { 0 } == nil)
        #expect(policy.delay(afterAttempt: 2, elapsed: 10, retryAfter: 30) { 0 } == 30)
    }

    @Test func retryAfterHeaders() {
        let date = 1_445_412_480.0   // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryPolicy.parseRetryAfter("120", now: 0) == 120)
        #expect(RetryPolicy.parseRetryAfter(" 1.5 ", now: 0) == 1.5)
        #expect(RetryPolicy.parseRetryAfter("\"3\"", now: 0) == 3)
        #expect(RetryPolicy.parseRetryAfter("-5", now: 0) == 0)
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: date - 10) == 10)
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: date + 10) == 0)
        #expect(RetryPolicy.parseRetryAfter("soon", now: 0) == nil)
        #expect(RetryPolicy.parseRetryAfter(nil, now: 0) == nil)
        #expect(RetryPolicy.httpDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(RetryPolicy.httpDate("Tue, 29 Feb 2000 12:00:00 GMT") == 951_825_600)
    }
}

@Suite struct TokenBucketTests {
    @Test func burstThenTheRate() {
        var bucket = TokenBucket(rate: 10, burst: 3)
        let waits = (0..<6).map { _ in bucket.take(at: 0) }
        #expect(waits.map { ($0 * 1000).rounded() / 1000 } == [0, 0, 0, 0.1, 0.2, 0.3])
    }

    @Test func tokensRefillOverTimeUpToTheBurst() {
        var bucket = TokenBucket(rate: 2, burst: 2)
        #expect(bucket.take(at: 0) == 0)
        #expect(bucket.take(at: 0) == 0)
        #expect(bucket.take(at: 0.5) == 0)          // one token back after half a second
        #expect(bucket.take(at: 100) == 0)          // idle time never banks more than the burst
        #expect(bucket.take(at: 100) == 0)
        #expect(bucket.take(at: 100) == 0.5)
    }

    @Test func averageRateHoldsOverManyRequests() {
        var bucket = TokenBucket(rate: 50)
        var clock = 0.0
        for _ in 0..<1_000 { clock += bucket.take(at: clock) }
        // 50 free at the start, then 950 at 50/s.
        #expect(abs(clock - 19.0) < 1e-6)
    }
}

@Suite struct AdaptiveConcurrencyTests {
    @Test func halvesOnPushbackOncePerRoundTripAndNeverBelowOne() {
        var control = AdaptiveConcurrency(maximum: 32)
        #expect(control.current == 32)
        control.record(.pushback)
        #expect(control.current == 16)
        control.record(.pushback)            // the same burst of 429s: still cooling down
        #expect(control.current == 16)
        for _ in 0..<16 { control.record(.failure) }
        control.record(.pushback)
        #expect(control.current == 8)
        for _ in 0..<20 {
            for _ in 0..<control.current { control.record(.failure) }
            control.record(.pushback)
        }
        #expect(control.current == 1)
    }

    @Test func growsByOnePerLimitSuccessesUpToTheMaximum() {
        var control = AdaptiveConcurrency(maximum: 6, start: 2)
        control.record(.success(latency: 0.1))
        #expect(control.current == 2)
        control.record(.success(latency: 0.1))
        #expect(control.current == 3)
        for _ in 0..<100 { control.record(.success(latency: 0.1)) }
        #expect(control.current == 6)
    }

    @Test func risingLatencyCountsAsPushback() {
        var control = AdaptiveConcurrency(maximum: 8)
        for _ in 0..<20 { control.record(.success(latency: 0.1)) }
        control.record(.success(latency: 0.25))   // 2.5x the baseline: fine
        #expect(control.current == 8)
        control.record(.success(latency: 0.5))    // 5x: slow down
        #expect(control.current == 4)
    }

    /// On a near server a few times a sub-millisecond baseline is jitter, not load: the
    /// latency must also rise by 50 ms before the limit is halved.
    @Test func jitterOnANearServerIsNotPushback() {
        var control = AdaptiveConcurrency(maximum: 32)
        for _ in 0..<50 { control.record(.success(latency: 0.0004)) }
        control.record(.success(latency: 0.008))  // 20x the baseline, 7.6 ms more
        #expect(control.current == 32)
        control.record(.success(latency: 0.06))   // 60 ms: a real stall
        #expect(control.current == 16)
    }
}

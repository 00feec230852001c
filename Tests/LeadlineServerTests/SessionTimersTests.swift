import Foundation
@testable import LeadlineServer
import Testing

/// The session's timeouts and rate limit are pure state machines: fed the monotonic
/// time, they answer what to do. Tested by calling them, with no sockets and no waiting.
@Suite struct SessionTimersTests {
    /// What the timers answer at each of `times`, in turn.
    static func actions(_ timers: inout SessionTimers, at times: [TimeInterval]) -> [SessionTimers.Action?] {
        times.map { timers.tick(at: $0) }
    }

    @Test func noPingUnlessAsked() {
        var timers = SessionTimers(loginTimeout: 10, now: 0)
        timers.loggedIn = true
        #expect(Self.actions(&timers, at: [60, 3600]) == [nil, nil])
    }

    @Test func aPingOnlyAfterAQuietPeriodAndThenEachPeriod() {
        var timers = SessionTimers(loginTimeout: 10, now: 0)
        timers.loggedIn = true
        timers.keepalive = 30
        // The PING itself counts as traffic: the next one is a period later.
        #expect(Self.actions(&timers, at: [29, 30, 31, 60]) == [nil, .ping(1), nil, .ping(2)])
        // Traffic either way pushes the next PING back.
        timers.received(at: 80)
        #expect(Self.actions(&timers, at: [100]) == [nil])
        timers.sent(at: 105)
        #expect(Self.actions(&timers, at: [134, 135]) == [nil, .ping(3)])
        timers.keepalive = nil
        #expect(Self.actions(&timers, at: [10_000]) == [nil], "KEEPALIVE off stops them")
    }

    @Test func theLoginTimeoutEndsOnlySessionsThatHaveNotLoggedIn() {
        var waiting = SessionTimers(loginTimeout: 0.5, now: 100)
        waiting.received(at: 100.4)  // typing does not buy time: a LOGIN must come
        #expect(Self.actions(&waiting, at: [100.5, 100.6]) == [nil, .goodbye(code: "IDLE", reason: "no LOGIN within 0.5 seconds")])

        var present = SessionTimers(loginTimeout: 0.5, now: 100)
        present.loggedIn = true
        #expect(Self.actions(&present, at: [10_000]) == [nil], "a quiet session that logged in is not timed out")
    }

    @Test func configuredTimesAreSpokenPlainly() {
        #expect(SessionTimers.seconds(60) == "60 seconds")
        #expect(SessionTimers.seconds(1) == "1 second")
        #expect(SessionTimers.seconds(0.25) == "0.25 seconds")
    }

    /// How many of `tries` requests at `now` the bucket lets through.
    static func taken(_ bucket: inout TokenBucket, tries: Int, at now: TimeInterval) -> Int {
        (0..<tries).reduce(0) { count, _ in count + (bucket.take(now: now) ? 1 : 0) }
    }

    @Test func theRateLimitAllowsABurstThenTheSustainedRate() {
        var bucket = TokenBucket(rate: 2, burst: 3, now: 0)
        #expect(Self.taken(&bucket, tries: 5, at: 0) == 3, "the burst, then nothing")
        #expect(Self.taken(&bucket, tries: 1, at: 0.4) == 0)
        #expect(Self.taken(&bucket, tries: 2, at: 0.5) == 1, "two a second: one more after half a second")
        #expect(Self.taken(&bucket, tries: 10, at: 100) == 3, "a long pause refills only up to the burst")

        var unlimited = TokenBucket(rate: 0, burst: 0, now: 0)
        #expect(Self.taken(&unlimited, tries: 1000, at: 0) == 1000)
    }
}

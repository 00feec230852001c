import Foundation
import LeadlineCore
import LeadlineWire

/// The protocol state of one connection: who is logged in, what they watch, and the
/// counters that bound them. Owned by the connection, on the hub queue.
struct Session {
    /// The person logged in, if any.
    var person: Person?
    var watch: WatchMode = .board
    /// A reply is outstanding (a commit, a login check or a login delay): later
    /// requests wait, so replies go out in request order.
    var awaitingReply = false
    var loginFailures = 0
    /// Seconds of silence after which the server sends `PING`, if asked (`KEEPALIVE`).
    var keepalive: TimeInterval?
    var pingCounter: UInt64 = 0
    /// Monotonic times, in seconds, of the last bytes in and out.
    var lastInbound: TimeInterval
    var lastOutbound: TimeInterval
    let connectedAt: TimeInterval
    var linesReceived = 0
    var bucket: TokenBucket

    init(now: TimeInterval, limits: Limits) {
        lastInbound = now
        lastOutbound = now
        connectedAt = now
        bucket = TokenBucket(rate: limits.requestsPerSecond, burst: limits.requestBurst, now: now)
    }
}

/// A request-rate limiter: `rate` per second sustained, `burst` at once.
struct TokenBucket {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var updated: TimeInterval

    init(rate: Double, burst: Double, now: TimeInterval) {
        self.rate = rate
        self.burst = burst
        tokens = burst
        updated = now
    }

    /// Takes one token if there is one.
    mutating func take(now: TimeInterval) -> Bool {
        guard rate > 0 else { return true }
        tokens = min(burst, tokens + (now - updated) * rate)
        updated = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// Seconds on a monotonic clock, for timeouts (never the domain clock, which may be simulated).
func monotonicSeconds() -> TimeInterval {
    TimeInterval(DispatchTime.now().uptimeNanoseconds) / 1e9
}

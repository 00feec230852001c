import Foundation
import LeadlineCore
import LeadlineWire

/// The protocol state of one connection: who is logged in, what they watch, and the
/// counters that bound them. Owned by the connection, on the hub queue; it knows
/// nothing of sockets.
struct Session {
    /// The person logged in, if any.
    var person: Person? {
        didSet {
            timers.loggedIn = person != nil
            accountCheckedAt = nil
        }
    }
    /// The shop's ``ShopState/accountsGeneration`` when `person`'s account was last
    /// found unchanged (nil: not since login).
    var accountCheckedAt: Int?
    var watch: WatchMode = .board
    /// A reply is outstanding (a commit, a login check or a login delay): later
    /// requests wait, so replies go out in request order.
    var awaitingReply = false
    /// Changes this connection sent that are decided but not yet durable: a client may
    /// pipeline changes, which then share group commits with everyone else's.
    var writesInFlight = 0
    /// A request that must see this connection's own changes durable first (a read, a
    /// login, a retry): it waits here, and reading pauses, until `writesInFlight` is 0.
    var held: TaggedRequest?
    /// How many changes one connection may have in flight before reading pauses. 256,
    /// not 64: a publisher keeping 100 changes in flight then has all of them decided
    /// into the next group commit, and each watcher gets them in one write (the peer
    /// harness's pipelined fan-out: 1.53 M → 1.91 M deliveries/s).
    static let pipelineDepth = 256
    /// An `IMPORT` whose file is arriving: lines go to it, not to the request reader.
    var upload: LeadUpload?
    var loginFailures = 0
    var linesReceived = 0
    var bucket: TokenBucket
    /// The login timeout and the keepalive, as a pure state machine.
    var timers: SessionTimers

    init(now: TimeInterval, limits: Limits) {
        bucket = TokenBucket(rate: limits.requestsPerSecond, burst: limits.requestBurst, now: now)
        timers = SessionTimers(loginTimeout: limits.loginTimeout, now: now)
    }

    mutating func received(at now: TimeInterval) { timers.received(at: now) }
    mutating func sent(at now: TimeInterval) { timers.sent(at: now) }
}

/// The timeouts of one connection, as a pure state machine: fed the monotonic time
/// and what happened, it answers what to do — say `PING`, or `BYE IDLE` — and is
/// tested by calling it, with no sockets and no waiting.
struct SessionTimers: Equatable {
    /// What the connection must do now.
    enum Action: Equatable {
        /// Send `PING n`: the line has been quiet for the keepalive period.
        case ping(UInt64)
        /// Say `BYE code :reason` and close.
        case goodbye(code: String, reason: String)
    }

    let loginTimeout: TimeInterval
    let connectedAt: TimeInterval
    private(set) var lastInbound: TimeInterval
    private(set) var lastOutbound: TimeInterval
    /// Seconds of silence after which the server sends `PING`, if asked (`KEEPALIVE`).
    var keepalive: TimeInterval?
    private(set) var pingCounter: UInt64 = 0
    var loggedIn = false

    init(loginTimeout: TimeInterval, now: TimeInterval) {
        self.loginTimeout = loginTimeout
        connectedAt = now
        lastInbound = now
        lastOutbound = now
    }

    mutating func received(at now: TimeInterval) { lastInbound = now }
    mutating func sent(at now: TimeInterval) { lastOutbound = now }

    /// What is due at `now`, if anything.
    mutating func tick(at now: TimeInterval) -> Action? {
        if !loggedIn, now - connectedAt > loginTimeout {
            return .goodbye(code: "IDLE", reason: "no LOGIN within \(Self.seconds(loginTimeout))")
        }
        if let keepalive, now - max(lastInbound, lastOutbound) >= keepalive {
            pingCounter += 1
            lastOutbound = now
            return .ping(pingCounter)
        }
        return nil
    }

    /// "60 seconds", "1 second", "0.5 seconds": how a message says a configured time.
    static func seconds(_ interval: TimeInterval) -> String {
        let rounded = (interval * 1000).rounded() / 1000
        let number = rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        return number + (rounded == 1 ? " second" : " seconds")
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

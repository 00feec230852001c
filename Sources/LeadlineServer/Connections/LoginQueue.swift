import Foundation

/// Decides which waiting login gets its token checked next, and how long a failure
/// waits before it is answered.
///
/// Checking a token costs a hash (on purpose), done one at a time off the hub queue.
/// First come, first served let 2,000 attacking connections delay a real user's LOGIN
/// by seconds. Here each address has its own line, and the lines are served by
/// standing: addresses that logged in recently and are not failing first, then
/// addresses with no history, then failing ones, least failing first; within a standing,
/// the longest waiting. Failures count per address and fade (half-life five minutes),
/// and a failure's answer waits longer the more its address has failed, so an
/// attacker's failures slow the attacker and nobody else. Pure: fed the monotonic time.
struct LoginQueue<Job> {
    /// The first failure's delay; it doubles with each further failure, up to ``maxDelay``.
    let baseDelay: TimeInterval
    let maxDelay: TimeInterval = 8
    static var halfLife: TimeInterval { 300 }
    /// A successful login vouches for its address this long.
    static var trusted: TimeInterval { 86_400 }
    /// Addresses remembered at most (the least interesting are forgotten first).
    static var memory: Int { 10_000 }

    private struct Waiting {
        let job: Job
        let since: TimeInterval
    }

    private struct Standing {
        var failures: Double = 0
        var updated: TimeInterval = 0
        var lastSuccess: TimeInterval?

        func failures(at now: TimeInterval) -> Double {
            failures * pow(0.5, (now - updated) / LoginQueue.halfLife)
        }
    }

    private var lines: [String: [Waiting]] = [:]
    private var standings: [String: Standing] = [:]
    private(set) var count = 0

    init(baseDelay: TimeInterval) { self.baseDelay = baseDelay }

    mutating func enqueue(_ job: Job, from address: String, now: TimeInterval) {
        lines[address, default: []].append(Waiting(job: job, since: now))
        count += 1
    }

    /// The next login to check, if any wait.
    mutating func next(now: TimeInterval) -> Job? {
        var best: (address: String, rank: (Int, Double, TimeInterval))?
        for (address, line) in lines {
            guard let head = line.first else { continue }
            let rank = (standingClass(address, now: now), standings[address]?.failures(at: now) ?? 0, head.since)
            if best == nil || rank < best!.rank { best = (address, rank) }
        }
        guard let address = best?.address, var line = lines[address] else { return nil }
        let head = line.removeFirst()
        lines[address] = line.isEmpty ? nil : line
        count -= 1
        return head.job
    }

    /// Drops the waiting logins `matching` (their connection closed).
    mutating func remove(from address: String, where matching: (Job) -> Bool) {
        guard let line = lines[address] else { return }
        let kept = line.filter { !matching($0.job) }
        count -= line.count - kept.count
        lines[address] = kept.isEmpty ? nil : kept
    }

    mutating func succeeded(from address: String, now: TimeInterval) {
        var standing = standings[address] ?? Standing()
        standing.lastSuccess = now
        standings[address] = standing
        forgetIfCrowded(now: now)
    }

    /// Records a failure; returns how long its answer waits, given also how many times
    /// this connection has failed.
    mutating func failed(from address: String, connectionFailures: Int, now: TimeInterval) -> TimeInterval {
        var standing = standings[address] ?? Standing()
        standing.failures = standing.failures(at: now) + 1
        standing.updated = now
        standings[address] = standing
        forgetIfCrowded(now: now)
        let strikes = max(Double(connectionFailures), standing.failures.rounded(.down))
        return min(maxDelay, baseDelay * pow(2, max(0, strikes - 1)))
    }

    /// 0: logged in lately and not failing; 1: unknown; 2: failing.
    private func standingClass(_ address: String, now: TimeInterval) -> Int {
        guard let standing = standings[address] else { return 1 }
        let failing = standing.failures(at: now) >= 1
        if let success = standing.lastSuccess, now - success < Self.trusted, !failing { return 0 }
        return failing ? 2 : 1
    }

    private mutating func forgetIfCrowded(now: TimeInterval) {
        guard standings.count > Self.memory else { return }
        let faded = standings.filter { $0.value.failures(at: now) < 0.5 && $0.value.lastSuccess.map { now - $0 > Self.trusted } ?? true }
        for address in faded.keys { standings[address] = nil }
        while standings.count > Self.memory, let any = standings.keys.first { standings[any] = nil }
    }
}

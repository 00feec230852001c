import Dispatch
import Foundation
import LeadlineCore
import LeadlineJournal
import LeadlineWire

/// The SOP clock in the server: raising alerts as they fall due, on the real clock
/// (checked every second) or on a simulated one (`CLOCK ADVANCE`).
extension Hub {
    /// Raises every alert due now: journaled, then broadcast. Repeats until none is
    /// left, since raising one can make the next due (a backup alert starts the
    /// escalation's clock), so a server back from downtime catches up in one go.
    func raiseDueAlerts() {
        for _ in 0..<16 {
            let now = stampTime()
            let alerts = speculative.dueChanges(at: now)
            guard !alerts.isEmpty else { break }
            commit(stamp(alerts, by: nil, at: now)) { _ in }
        }
        nextAlertCheck = nil
    }

    /// On the real clock: raises alerts once their time has come (called each tick).
    /// A step of the clock is logged once and makes the next check look afresh, since
    /// what falls due next (today's sweep, say) depends on the clock's reading.
    func checkAlertsOnRealClock() {
        guard !config.clock.isSimulated, !stopping else { return }
        let now = config.clock.now
        if let step = clockWatch.observe(wall: now, monotonic: monotonicSeconds()) {
            log("the clock stepped \(ClockWatch.spoken(step)); new events are stamped by the clock as it reads now, "
                + "and alerts fall due by it (event order stays by seq)")
            nextAlertCheck = nil
        }
        if let next = nextAlertCheck, now < next { return }
        raiseDueAlerts()
        nextAlertCheck = speculative.nextAlertTime(after: now) ?? now.addingTimeInterval(3600)
    }

    /// Moves a simulated clock to `target`, raising each alert at the moment it falls
    /// due, in time order; `done` runs once all of them are durable and broadcast.
    func advanceSimulatedClock(to target: Date, done: @escaping (Result<Date, JournalError>) -> Void) {
        guard case .simulated(let clock) = config.clock else {
            done(.success(config.clock.now))
            return
        }
        var steps = 0
        while let next = speculative.nextAlertTime(after: clock.now), next <= target, steps < 100_000 {
            clock.set(next)
            raiseDueAlerts()
            steps += 1
        }
        if target > clock.now { clock.set(target) }
        raiseDueAlerts()
        journal.append([]) { result in done(result.map { clock.now }) }
    }

    /// The longest single `CLOCK ADVANCE`: a month of alerts is a drill; centuries of
    /// daily sweeps would flood the journal and every watcher.
    static let longestAdvance: TimeInterval = 31 * 86_400

    /// `CLOCK` and `CLOCK ADVANCE`.
    func clockRequest(_ advance: ClockAdvance?, tag: String?, from c: Connection) {
        let mode = config.clock.isSimulated ? "sim" : "real"
        guard let advance else {
            c.send(encoder.ok(tag: tag, verb: "CLOCK", fields: [Field("now", config.clock.now), Field("mode", mode)]))
            return
        }
        guard case .simulated(let clock) = config.clock else {
            c.send(encoder.error(tag: tag, CommandError(
                .denied, fields: [Field("mode", "real")],
                "the clock is real and moves by itself; start the server with --clock sim to move time")))
            return
        }
        guard c.session.person?.role == .owner else {
            c.send(encoder.error(tag: tag, CommandError.denied(
                need: [.owner], "moving the clock needs the owner role; you are \(c.session.person?.role.rawValue ?? "nobody")")))
            return
        }
        let target: Date
        switch advance {
        case .by(let seconds):
            target = clock.now.addingTimeInterval(seconds)
        case .to(let spec):
            guard let t = spec.resolve(now: clock.now, policy: config.policy), t > clock.now else {
                c.send(encoder.error(tag: tag, CommandError.invalid(
                    argument: "amount", "the clock only moves forward; it is \(config.policy.spoken(clock.now, now: clock.now)) now")))
                return
            }
            target = t
        }
        guard target.timeIntervalSince(clock.now) <= Self.longestAdvance else {
            c.send(encoder.error(tag: tag, CommandError.invalid(
                argument: "amount", "the clock moves at most 31 days at a time; advance in steps")))
            return
        }
        guard TimeBounds.contains(target) else {
            c.send(encoder.error(tag: tag, CommandError.invalid(argument: "amount", "the clock stays \(TimeBounds.spoken)")))
            return
        }
        c.session.awaitingReply = true
        advanceSimulatedClock(to: Timestamp.truncatedToMillis(target)) { [self] result in
            switch result {
            case .success(let now):
                c.send(encoder.ok(tag: tag, verb: "CLOCK", fields: [Field("now", now), Field("mode", mode)]))
            case .failure(let error):
                c.send(encoder.error(tag: tag, unavailable(error)))
            }
            resume(c)
        }
    }
}

import Foundation
import LeadlineCore
import LeadlineJournal

/// The SOP clock: raising alerts as they fall due, on the real clock (checked each
/// tick) or on a simulated one (moved by `CLOCK ADVANCE`).
extension ShopState {
    /// Raises every alert due now: journaled, then published. Repeats until none is
    /// left, since raising one can make the next due (a backup alert starts the
    /// escalation's clock), so a server back from downtime catches up in one go.
    func raiseDueAlerts() {
        for _ in 0..<16 {
            let now = stampTime()
            let alerts = onSpeculative { $0.dueChanges(at: now) }
            guard !alerts.isEmpty else { break }
            commit(stamp(alerts, by: nil, at: now)) { _ in }
        }
        nextAlertCheck = nil
    }

    /// On the real clock: raises alerts once their time has come (called each tick).
    /// A step of the clock is logged once and makes the next check look afresh, since
    /// what falls due next (today's sweep, say) depends on the clock's reading.
    func checkAlertsOnRealClock(monotonic: TimeInterval) {
        guard !clock.isSimulated else { return }
        let now = clock.now
        if let step = clockWatch.observe(wall: now, monotonic: monotonic) {
            log("the clock stepped \(ClockWatch.spoken(step)); new events are stamped by the clock as it reads now, "
                + "and alerts fall due by it (event order stays by seq)")
            nextAlertCheck = nil
            if step < 0 { reindexAlerts(asOf: now) }
        }
        if let next = nextAlertCheck, now < next { return }
        raiseDueAlerts()
        nextAlertCheck = onSpeculative { $0.nextAlertTime(after: now) } ?? now.addingTimeInterval(3600)
    }

    /// Moves a simulated clock to `target`, raising each alert at the moment it falls
    /// due, in time order; `done` runs once all of them are durable and published.
    func advanceSimulatedClock(to target: Date, done: @escaping (Result<Date, JournalError>) -> Void) {
        guard case .simulated(let clock) = clock else {
            done(.success(self.clock.now))
            return
        }
        var steps = 0
        while let next = onSpeculative({ $0.nextAlertTime(after: clock.now) }), next <= target, steps < 100_000 {
            clock.set(next)
            raiseDueAlerts()
            steps += 1
        }
        if target > clock.now { clock.set(target) }
        raiseDueAlerts()
        afterPendingWrites { result in done(result.map { clock.now }) }
    }
}

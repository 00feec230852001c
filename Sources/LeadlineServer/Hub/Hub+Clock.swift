import Dispatch
import Foundation
import LeadlineCore
import LeadlineJournal
import LeadlineWire

/// `CLOCK` and `CLOCK ADVANCE`: reading the server's clock, and moving a drill's.
extension Hub {
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
        shop.advanceSimulatedClock(to: Timestamp.truncatedToMillis(target)) { [self] result in
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

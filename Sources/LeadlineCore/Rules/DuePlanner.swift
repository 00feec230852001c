import Foundation

/// When each kind of callback is due, and the next touch of each cadence.
///
/// - missed-call, new-lead: the kind's window of business time after arrival;
/// - promised: the promised time (`due=`); update: `due=`, else the day's close;
/// - estimate: same day if sent before the cutoff, else the next business morning;
///   then +48 h; then day 5 (002);
/// - post-job: 24 h after the job, late after 48 h (003);
/// - re-engage: the next follow-up block (003).
/// An explicit `due=` wins for every kind. Times outside business hours move to the
/// next opening.
public struct DuePlanner: Sendable {
    public let policy: Policy
    public let calendar: BusinessCalendar

    public init(policy: Policy) {
        self.policy = policy
        calendar = policy.business
    }

    /// A first response's plan: when it is due, when it is late (the backup trigger),
    /// and the action expected.
    public struct Plan: Sendable, Equatable {
        public var due: Date?
        public var late: Date?
        public var action: String
    }

    public func firstResponse(kind: LeadKind, arriving at: Date, requested: Date?, job: Date?) -> Plan {
        if let requested { return Plan(due: requested, late: nil, action: kind == .estimate ? "follow-up" : "call") }
        switch kind {
        case .missedCall, .newLead:
            return Plan(due: calendar.add(policy.windows[kind] ?? 15 * 60, to: at), late: nil, action: "call")
        case .promised:
            return Plan(due: at, late: nil, action: "call")
        case .update:
            return Plan(due: calendar.closing(at), late: nil, action: "call")
        case .estimate:
            return Plan(due: estimateStep(0, sent: at), late: nil, action: "follow-up")
        case .postJob:
            let done = job ?? at
            return Plan(due: calendar.openOrNext(done.addingTimeInterval(policy.postJob.due)),
                        late: calendar.openOrNext(done.addingTimeInterval(policy.postJob.late)), action: "call")
        case .reengage:
            return Plan(due: calendar.nextBlock(after: at, minutes: policy.followUpBlocks), late: nil, action: "call")
        }
    }

    /// Follow-up `step` (0, 1, 2) of an estimate sent at `sent`; nil after the third.
    public func estimateStep(_ step: Int, sent: Date) -> Date? {
        switch step {
        case 0:
            let day = calendar.localDate(sent)
            let minute = policy.calendar.component(.hour, from: sent) * 60 + policy.calendar.component(.minute, from: sent)
            if let interval = calendar.openInterval(day), minute < policy.estimate.cutoffMinute, sent < interval.end {
                return interval.end
            }
            return calendar.within(calendar.businessDay(1, after: sent), minute: policy.estimate.nextMorningMinute)
        case 1:
            return calendar.openOrNext(sent.addingTimeInterval(policy.estimate.second))
        case 2:
            return calendar.openOrNext(sent.addingTimeInterval(policy.estimate.third))
        default:
            return nil
        }
    }

    /// The missed-call rhythm's next touch after the `index`-th unanswered attempt
    /// (0-based), for a lead whose recovery began (its first attempt) at `started`;
    /// nil when the rhythm is over. "Day N" counts business days from that start.
    public func rhythmStep(_ index: Int, started: Date, now: Date) -> (action: String, due: Date)? {
        guard index < policy.missedCallRhythm.count else { return nil }
        let step = policy.missedCallRhythm[index]
        let due: Date
        switch step.when {
        case .after(let interval):
            due = interval == 0 ? now : calendar.add(interval, to: now)
        case .day(let n, let minute):
            due = max(calendar.within(calendar.businessDay(n, after: started), minute: minute), calendar.openOrNext(now))
        }
        return (step.action, due)
    }
}

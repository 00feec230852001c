import Foundation

/// The 000 rule, written once: what lets an open lead sleep overnight.
///
/// "The CRM says 'contacted' when nobody actually had a real conversation" is the
/// failure it exists for, so a status alone proves nothing. A lead may sleep when it is
///
/// - closed (disqualified with its reason, closed as no-response after attempts, completed);
/// - booked, or its work approved;
/// - a field outcome with its clock running: `estimate-sent` with the cadence's next
///   follow-up set, `no-decision` with its follow-up date;
/// - worked: an attempt logged (for a lead that arrived today, that means today) and the
///   next touch set for later — connected with a follow-up time, or no answer with the
///   next attempt's time;
/// - a callback scheduled by its nature with nothing owed yet: a promise, an update,
///   an estimate or post-job follow-up, a re-engagement, untouched and not yet due.
///
/// Anything else is named with what is missing: no attempt logged today, a status that
/// claims contact (`waiting-on-customer`, `follow-up-scheduled`, `customer-replied`)
/// with no attempt behind it, no next step, or a next touch already overdue. The sweep,
/// `STATUS`'s reply, `RULES`, the client's board and the scorecard all ask this rule.
public enum OutcomeRule {
    /// What the rule looks at: the client keeps the same facts from `LEAD` rows and events.
    public struct Facts: Sendable, Equatable {
        public var isOpen: Bool
        public var status: LeadStatus
        public var kind: LeadKind
        public var due: Date?
        /// Attempts logged on the lead, ever.
        public var attempts: Int
        public var createdAt: Date

        public init(isOpen: Bool, status: LeadStatus, kind: LeadKind, due: Date?, attempts: Int, createdAt: Date) {
            self.isOpen = isOpen
            self.status = status
            self.kind = kind
            self.due = due
            self.attempts = attempts
            self.createdAt = createdAt
        }
    }

    /// The rule's answer: documented (and by what), or what is missing.
    public enum Verdict: Sendable, Equatable {
        case documented(String)
        case missing([String])

        public var isDocumented: Bool {
            if case .documented = self { return true }
            return false
        }

        /// "waiting-on-customer but no attempt is logged, no next step"
        public var spoken: String {
            switch self {
            case .documented(let proof): return proof
            case .missing(let gaps): return gaps.joined(separator: ", ")
            }
        }
    }

    /// The rule in the seeds' words, for `RULES` (the proof of the sweep).
    public static let proof = "booked or work approved; estimate-sent or no-decision with its follow-up set; "
        + "attempts logged (today, for a lead that arrived today) with the next touch set; "
        + "a promised, update, estimate, post-job or re-engagement callback not yet due; "
        + "closed (disqualified with its reason, no-response after attempts, completed). "
        + "A status that claims contact with no attempt logged is not an outcome"

    /// Statuses that say the customer was reached: they need an attempt behind them.
    public static let claimsContact: Set<LeadStatus> = [.waitingOnCustomer, .followUpScheduled, .customerReplied]

    /// Kinds whose first touch is scheduled by their nature, not owed on arrival.
    public static let scheduledKinds: Set<LeadKind> = [.promised, .update, .estimate, .postJob, .reengage]

    /// Judges `facts` at instant `t` (the sweep's time, or now); `sameDay` says whether
    /// two instants fall on the same local day of the shop.
    public static func assess(_ facts: Facts, at t: Date, sameDay: (Date, Date) -> Bool) -> Verdict {
        guard facts.isOpen else { return .documented("closed (\(facts.status.rawValue))") }
        switch facts.status {
        case .booked: return .documented("booked")
        case .workApproved: return .documented("work approved")
        default: break
        }
        let nextIsSet = facts.due.map { $0 > t } ?? false
        var gaps: [String] = []
        if facts.status == .estimateSent || facts.status == .noDecision {
            if nextIsSet { return .documented("\(facts.status.rawValue), follow-up set") }
        } else if claimsContact.contains(facts.status), facts.attempts == 0 {
            gaps.append("\(facts.status.rawValue) but no attempt is logged")
        } else if facts.attempts > 0 {
            if nextIsSet { return .documented("attempts logged, next touch set") }
        } else if scheduledKinds.contains(facts.kind) {
            if nextIsSet { return .documented("scheduled: nothing owed yet") }
        } else {
            gaps.append(sameDay(facts.createdAt, t) ? "no attempt logged today" : "no attempt logged")
        }
        if let due = facts.due {
            if due <= t { gaps.append("overdue") }
        } else {
            gaps.append("no next step")
        }
        return .missing(gaps)
    }
}

extension Lead {
    /// The facts the outcome rule looks at.
    public var outcomeFacts: OutcomeRule.Facts {
        OutcomeRule.Facts(isOpen: isOpen, status: status, kind: kind, due: due, attempts: attempts.count, createdAt: createdAt)
    }
}

extension Board {
    /// The 000 rule for `lead` at `t` (see ``OutcomeRule``).
    public func outcome(of lead: Lead, at t: Date) -> OutcomeRule.Verdict {
        let calendar = policy.calendar
        return OutcomeRule.assess(lead.outcomeFacts, at: t) { calendar.isDate($0, inSameDayAs: $1) }
    }
}

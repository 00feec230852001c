import Foundation

/// The order callbacks are worked in (003): emergencies first, then today's missed
/// calls, promised callbacks, new leads, updates, estimate follow-ups, post-job calls
/// and re-engagement; within a class, the earliest due first.
public struct CallbackPriority: Comparable, Sendable {
    /// The class, 0 (emergency) to 7 (re-engagement).
    public let rank: Int
    public let due: Date?
    public let id: LeadID

    public static func < (a: CallbackPriority, b: CallbackPriority) -> Bool {
        if a.rank != b.rank { return a.rank < b.rank }
        switch (a.due, b.due) {
        case let (x?, y?) where x != y: return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return a.id < b.id
        }
    }

    /// Human names of the classes, for `RULES` and documentation.
    public static let classes = [
        "emergency", "missed calls from today", "promised callbacks", "new leads",
        "updates", "estimate follow-ups", "post-job follow-ups", "re-engagement",
    ]
}

extension Lead {
    /// Where this lead stands in the callback queue at `now`.
    public func priority(at now: Date, policy: Policy) -> CallbackPriority {
        let rank: Int
        if urgency == .emergency {
            rank = 0
        } else {
            switch kind {
            case .missedCall: rank = policy.calendar.isDate(createdAt, inSameDayAs: now) ? 1 : 3
            case .promised: rank = 2
            case .newLead: rank = 3
            case .update: rank = 4
            case .estimate: rank = 5
            case .postJob: rank = 6
            case .reengage: rank = 7
            }
        }
        return CallbackPriority(rank: rank, due: due, id: id)
    }
}

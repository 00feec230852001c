import Foundation

/// The order callbacks are worked in (003): emergencies first, then today's missed
/// calls, promised callbacks, new leads, updates, estimate follow-ups, post-job calls
/// and re-engagement; within a class, the earliest due first.
public struct CallbackPriority: Comparable, Hashable, Sendable {
    /// The class, 0 (emergency) to 7 (re-engagement).
    public let rank: Int
    public let due: Date?
    public let id: LeadID

    /// No due time sorts after every due time; the same due time falls back on the id.
    /// (Plain numbers, no optional matched: a `LIST` of ten thousand compares 130,000
    /// pairs.)
    public static func < (a: CallbackPriority, b: CallbackPriority) -> Bool {
        if a.rank != b.rank { return a.rank < b.rank }
        let x = a.due?.timeIntervalSince1970 ?? .infinity
        let y = b.due?.timeIntervalSince1970 ?? .infinity
        if x != y { return x < y }
        return a.id < b.id
    }

    /// Human names of the classes, for `RULES` and documentation.
    public static let classes = [
        "emergency", "missed calls from today", "promised callbacks", "new leads",
        "updates", "estimate follow-ups", "post-job follow-ups", "re-engagement",
    ]
}

extension CallbackPriority {
    /// The class of a callback (0 emergency ... 7 re-engagement); `today` says whether
    /// a missed call came in today (older missed calls rank with new leads).
    public static func rank(kind: LeadKind, urgency: Urgency, today: Bool) -> Int {
        if urgency == .emergency { return 0 }
        switch kind {
        case .missedCall: return today ? 1 : 3
        case .promised: return 2
        case .newLead: return 3
        case .update: return 4
        case .estimate: return 5
        case .postJob: return 6
        case .reengage: return 7
        }
    }
}

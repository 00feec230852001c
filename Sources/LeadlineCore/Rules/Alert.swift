import Foundation

/// The kinds of alert the SOP clock raises (PRODUCT.md's eight triggers).
public enum AlertKind: String, Vocabulary {
    /// 1. A lead has had no owner for the assignment window.
    case unassigned
    /// 2. A promised or update callback is near its due time with no attempt.
    case dueSoon = "due-soon"
    /// 3. The primary logged no attempt by the due time: the backup is asked.
    case backup
    /// 3 and 7. The backup did not act either, or an owner-level exception.
    case escalation
    /// 4. The primary marked themselves away: their backups are asked.
    case away
    /// 6. The end-of-day sweep found a lead without a documented outcome.
    case sweep
    /// 8. A new lead has the phone number of an open one.
    case duplicate
    /// 5. An open lead has no next step.
    case nextStepMissing = "next-step-missing"

    public static let argumentName = "kind"

    /// The field of the alert that says which instance of the condition it is about
    /// (the due time, the moment a lead became unowned, ...): raised once per value.
    var anchorKey: String? {
        switch self {
        case .dueSoon, .backup, .escalation: return "due"
        case .unassigned, .nextStepMissing, .away: return "since"
        case .sweep: return "sweep"
        case .duplicate: return nil
        }
    }
}

/// An alert: what happened, the lead and people concerned, who is asked to act, and
/// why, in words a person understands.
public struct Alert: Sendable, Equatable {
    public var kind: AlertKind
    public var lead: LeadID?
    /// The person the alert is about, when it is about a person (away).
    public var person: String?
    public var owner: String?
    public var backup: String?
    /// Who is asked to act.
    public var ask: [String]
    /// Which instance of the condition this is (see ``AlertKind``); nil for one-off alerts.
    public var anchor: Date?
    /// The open lead a duplicate duplicates.
    public var of: LeadID?
    /// For a `next-step-missing` alert about a visit with no outcome posted: the
    /// appointment's start (written `appt=`), which it is about, once.
    public var appointment: Date?
    public var text: String

    public init(kind: AlertKind, lead: LeadID?, person: String? = nil, owner: String?, backup: String?,
                ask: [String], anchor: Date?, of: LeadID? = nil, appointment: Date? = nil, text: String) {
        self.kind = kind
        self.lead = lead
        self.person = person
        self.owner = owner
        self.backup = backup
        self.ask = ask
        self.anchor = anchor
        self.of = of
        self.appointment = appointment
        self.text = text
    }
}

/// Whether a person is away (in the field, out, tied up), since when, and why.
public struct Presence: Sendable, Equatable {
    public var since: Date
    public var reason: String?

    public init(since: Date, reason: String?) {
        self.since = since
        self.reason = reason
    }
}

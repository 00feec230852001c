import Foundation

/// Something that happened to the board: the payload of an ``Event``.
///
/// Changes are facts, decided once by ``Board/decide(_:by:at:)`` and then applied by
/// ``Board/apply(_:)`` live, on the durable copy, and on replay after a restart; so
/// each carries the state *after* the change (the new owner, the new due time), never
/// an instruction that could apply differently the second time.
public enum Change: Sendable, Equatable {
    /// `CREATED`: a lead entered the board.
    case created(Intake)
    /// `CLAIMED`: someone became the primary owner, by claim or by takeover.
    case claimed(Claim)
    /// `RELEASED`: the primary gave the lead back to the queue.
    case released(lead: LeadID, from: String, reason: String?)
    /// `ASSIGNED`: a supervisor set the owner and backup (both carried, `none` = nobody).
    case assigned(lead: LeadID, owner: String?, backup: String?)
    /// `NOTED`: a note on the lead's history.
    case noted(lead: LeadID, text: String)
    /// `ATTEMPTED`: a callback attempt, with the status and due time it leaves behind.
    case attempted(lead: LeadID, channel: AttemptChannel, outcome: AttemptOutcome,
                   status: LeadStatus, due: Date?, note: String?)
    /// `STATUS`, or `CLOSED` for a closing status.
    case statusChanged(StatusChange)
    /// `PERSON` (private, never sent to clients): a person added, or their role or token changed.
    case personSaved(Person)
    /// `PERSON removed=yes` (private): a person removed.
    case personRemoved(name: String)

    /// The lead this change is about, if any.
    public var lead: LeadID? {
        switch self {
        case .created(let i): return i.lead
        case .claimed(let c): return c.lead
        case .released(let lead, _, _), .assigned(let lead, _, _), .noted(let lead, _),
             .attempted(let lead, _, _, _, _, _):
            return lead
        case .statusChanged(let s): return s.lead
        case .personSaved, .personRemoved: return nil
        }
    }

    /// Private changes are journaled but never sent on the wire (they hold token hashes).
    public var isPrivate: Bool {
        switch self {
        case .personSaved, .personRemoved: return true
        default: return false
        }
    }
}

/// A lead's new primary owner, by `CLAIM` or `TAKEOVER`.
public struct Claim: Sendable, Equatable {
    public var lead: LeadID
    public var owner: String
    /// The primary it was taken from (takeovers only).
    public var from: String?
    /// The backup after the claim, when the claim changed it.
    public var backup: BackupUpdate
    public var isTakeover: Bool

    public init(lead: LeadID, owner: String, from: String? = nil, backup: BackupUpdate = .unchanged, isTakeover: Bool = false) {
        self.lead = lead
        self.owner = owner
        self.from = from
        self.backup = backup
        self.isTakeover = isTakeover
    }
}

/// Whether a change leaves the backup as it was or sets it (to someone or nobody).
public enum BackupUpdate: Sendable, Equatable {
    case unchanged
    case set(String?)
}

/// A status set by `STATUS`, with its proof and the due time it leaves behind.
public struct StatusChange: Sendable, Equatable {
    public var lead: LeadID
    public var status: LeadStatus
    public var reason: String?
    public var due: Date?
    public var appointment: Appointment?
    public var note: String?

    public init(lead: LeadID, status: LeadStatus, reason: String? = nil, due: Date? = nil,
                appointment: Appointment? = nil, note: String? = nil) {
        self.lead = lead
        self.status = status
        self.reason = reason
        self.due = due
        self.appointment = appointment
        self.note = note
    }
}

import Foundation

/// Something that happened to the board: the payload of an ``Event``.
///
/// Changes are facts, decided once by ``Board/decide(_:by:at:)`` and then applied by
/// ``Board/apply(_:)`` live, on the durable copy, and on replay after a restart; so
/// each carries the state *after* the change (the new owner, the new due time), never
/// an instruction that could apply differently the second time.
///
/// The largest payloads (a new lead's intake, a status change, an alert) are held
/// indirectly: stored inline they made every change, a note included, 313 bytes, and
/// an event is copied several times between its decision and its publication.
public enum Change: Sendable, Equatable {
    /// `CREATED`: a lead entered the board.
    indirect case created(Intake)
    /// `CLAIMED`: someone became the primary owner, by claim or by takeover.
    case claimed(Claim)
    /// `RELEASED`: the primary gave the lead back to the queue.
    case released(lead: LeadID, from: String, reason: String?)
    /// `ASSIGNED`: the owner and backup were set (both carried, `none` = nobody) by a
    /// supervisor or a hand-off between stages.
    case assigned(Assignment)
    /// `ACKNOWLEDGED`: the acknowledgement an after-hours lead was owed was sent. Not an
    /// attempt: the first call is still due, and the backup trigger still runs.
    case acknowledged(lead: LeadID, note: String?)
    /// `NOTED`: a note on the lead's history.
    case noted(lead: LeadID, text: String)
    /// `ATTEMPTED`: a callback attempt, with the status and next step it leaves behind.
    case attempted(AttemptChange)
    /// `STATUS`, or `CLOSED` for a closing status.
    indirect case statusChanged(StatusChange)
    /// `OUTCOME`: a technician's appointment result.
    case outcome(OutcomeChange)
    /// `ALERT`: the SOP clock asks someone to act.
    indirect case alert(Alert)
    /// `PRESENCE`: someone went away, or came back.
    case presence(person: String, away: Bool, reason: String?)
    /// `PERSON` (private, never sent to clients): a person added, or their role or token changed.
    case personSaved(Person)
    /// `PERSON removed=yes` (private): a person removed.
    case personRemoved(name: String)
    /// `SWEPT` (private): the day's end-of-day sweep ran at `at`, listing `listed` leads
    /// (each with its own `ALERT kind=sweep`); nothing more is listed for that day.
    case swept(at: Date, listed: Int)
    /// `IMPORTED`: leads came in from a file (each its own `CREATED`, with origin
    /// import); the one event watchers are sent for the lot.
    case imported(ImportSummary)
    /// `VOID` (private): events `seq` through `through` were lost or quarantined by
    /// `leadlined repair`; they stand in the journal so sequence numbers stay whole.
    case voided(through: UInt64, reason: String)

    /// The lead this change is about, if any.
    public var lead: LeadID? {
        switch self {
        case .created(let i): return i.lead
        case .claimed(let c): return c.lead
        case .released(let lead, _, _), .noted(let lead, _), .acknowledged(let lead, _): return lead
        case .assigned(let a): return a.lead
        case .attempted(let a): return a.lead
        case .statusChanged(let s): return s.lead
        case .outcome(let o): return o.lead
        case .alert(let a): return a.lead
        case .presence, .personSaved, .personRemoved, .voided, .swept, .imported: return nil
        }
    }

    /// Private changes are journaled but never sent on the wire (they hold token hashes).
    public var isPrivate: Bool {
        switch self {
        case .personSaved, .personRemoved, .voided, .swept: return true
        default: return false
        }
    }
}

/// A lead's owner and backup as `ASSIGN` (or a hand-off between stages) sets them.
public struct Assignment: Sendable, Equatable {
    public var lead: LeadID
    public var owner: String?
    public var backup: String?
    /// The new due time, when an overdue lead gets a fresh window (or a hand-off sets one).
    public var due: Date?
    /// Whether the policy's backup rules chose the backup (so a later owner gets theirs).
    public var backupByRule: Bool
    /// The stage the lead was handed to, when this is a hand-off between stages (not a
    /// supervisor's choice): written `stage=`.
    public var stage: Stage?

    public init(lead: LeadID, owner: String?, backup: String?, due: Date? = nil, backupByRule: Bool = false,
                stage: Stage? = nil) {
        self.lead = lead
        self.owner = owner
        self.backup = backup
        self.due = due
        self.backupByRule = backupByRule
        self.stage = stage
    }
}

/// The stages a lead is handed to (002), on the wire as `stage=`.
public enum Stage: String, Vocabulary {
    /// Sales/admin follows up a sent estimate.
    case estimateFollowUp = "estimate-follow-up"
    /// The dispatcher schedules approved work.
    case scheduling
    /// The office makes the post-job call of a completed job.
    case postJob = "post-job"

    public static let argumentName = "stage"
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
    /// The new due time, when the claim sets one (a takeover gives the new owner the
    /// backup window).
    public var due: Date?
    /// Whether the policy's backup rules chose the backup the claim set.
    public var backupByRule: Bool

    public init(lead: LeadID, owner: String, from: String? = nil, backup: BackupUpdate = .unchanged,
                isTakeover: Bool = false, due: Date? = nil, backupByRule: Bool = false) {
        self.lead = lead
        self.owner = owner
        self.from = from
        self.backup = backup
        self.isTakeover = isTakeover
        self.due = due
        self.backupByRule = backupByRule
    }
}

/// Whether a change leaves the backup as it was or sets it (to someone or nobody).
public enum BackupUpdate: Sendable, Equatable {
    case unchanged
    case set(String?)
}

/// A logged attempt and what it leaves: status, next step, cadence position.
public struct AttemptChange: Sendable, Equatable {
    public var lead: LeadID
    public var channel: AttemptChannel
    public var outcome: AttemptOutcome
    public var status: LeadStatus
    public var due: Date?
    public var action: String?
    /// The cadence step reached, when the attempt advanced the lead's cadence.
    public var step: Int?
    public var note: String?

    public init(lead: LeadID, channel: AttemptChannel, outcome: AttemptOutcome, status: LeadStatus,
                due: Date?, action: String? = nil, step: Int? = nil, note: String? = nil) {
        self.lead = lead
        self.channel = channel
        self.outcome = outcome
        self.status = status
        self.due = due
        self.action = action
        self.step = step
        self.note = note
    }
}

/// A status set by `STATUS` (or `ESCALATE`, `MERGE`), with its proof and the next step
/// it leaves behind.
public struct StatusChange: Sendable, Equatable {
    public var lead: LeadID
    public var status: LeadStatus
    public var reason: String?
    public var due: Date?
    public var action: String?
    public var appointment: Appointment?
    /// The booked appointment is called off (the lead went back to being worked): its
    /// technician hears of it. Written `appt=none`.
    public var unbooks: Bool
    /// The lead's kind after the change, when it changes (an estimate sent makes the
    /// lead an estimate follow-up and starts its cadence).
    public var kind: LeadKind?
    /// The job's value in dollars, when the status reports it (an estimate sent).
    public var value: Int?
    public var note: String?
    /// The lead was closed and this status puts it back on the open board. Written
    /// `reopened=yes`, so that a board watching only leads entering and leaving it
    /// hears of the lead again (the status alone cannot say it: the same status on an
    /// open lead moves nothing on or off the board).
    public var reopens: Bool
    /// `MERGE`: the lead is closed into this one (the customer called twice). Written
    /// `into=`; the scorecard counts the two as one customer.
    public var mergedInto: LeadID?

    public init(lead: LeadID, status: LeadStatus, reason: String? = nil, due: Date? = nil, action: String? = nil,
                appointment: Appointment? = nil, unbooks: Bool = false, kind: LeadKind? = nil, value: Int? = nil,
                note: String? = nil, reopens: Bool = false, mergedInto: LeadID? = nil) {
        self.lead = lead
        self.status = status
        self.reason = reason
        self.due = due
        self.action = action
        self.appointment = appointment
        self.unbooks = unbooks
        self.kind = kind
        self.value = value
        self.note = note
        self.reopens = reopens
        self.mergedInto = mergedInto
    }
}

/// What a technician reports after an appointment (002, stage 3): one result only.
public enum OutcomeResult: String, Vocabulary {
    case estimateSent = "estimate-sent"
    case workApproved = "work-approved"
    case noDecision = "no-decision"

    public static let argumentName = "result"

    public var status: LeadStatus {
        switch self {
        case .estimateSent: return .estimateSent
        case .workApproved: return .workApproved
        case .noDecision: return .noDecision
        }
    }
}

/// A technician's outcome and the follow-up it sets.
public struct OutcomeChange: Sendable, Equatable {
    public var lead: LeadID
    public var result: OutcomeResult
    public var due: Date?
    public var action: String?
    public var value: Int?
    public var note: String?

    public init(lead: LeadID, result: OutcomeResult, due: Date?, action: String?, value: Int? = nil, note: String? = nil) {
        self.lead = lead
        self.result = result
        self.due = due
        self.action = action
        self.value = value
        self.note = note
    }
}

extension Change {
    /// Whether the change leaves its lead exactly as it was (a note: its number joins
    /// the lead's history, nothing the lead holds changes). The board then neither
    /// copies the lead nor touches its indexes, and the server reads its audience once.
    public var leavesLeadAsItWas: Bool {
        if case .noted = self { true } else { false }
    }

    /// Whether it saves or removes a person's account (what a session's login rests on).
    public var changesAccounts: Bool {
        switch self {
        case .personSaved, .personRemoved: true
        default: false
        }
    }
}

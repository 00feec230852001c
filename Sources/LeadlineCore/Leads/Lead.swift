import Foundation

/// Short numeric lead ids, typed by people: `CLAIM 42`.
public typealias LeadID = Int

/// One callback to make, with everything the SOPs ask to be visible: who owns it,
/// who backs them up, when it is due, and where it stands. Its history is the board's
/// list of event numbers (``Board/history(of:)``), read back from the journal when asked.
public struct Lead: Sendable, Equatable {
    public let id: LeadID
    public var kind: LeadKind
    public var source: LeadSource
    public var urgency: Urgency
    public var name: String?
    public var phone: String?
    public var email: String?
    public var service: String?
    public var area: String?
    /// Where the job is: the street address a technician drives to.
    public var address: String?
    public let createdAt: Date
    public let createdBy: String?
    /// When the next touch is due: first the response window, then each `next=`.
    /// `nil` once the lead is closed or waits on nothing we scheduled.
    @PackedDate public var due: Date? = nil
    /// The primary owner: the one person expected to make the callback.
    public var owner: String?
    /// The backup owner: the named person who acts when the primary cannot.
    public var backup: String?
    /// Whether the policy's backup rules chose `backup` (rather than a person): a new
    /// owner then gets the backup the rules give them (by kind, by person, by weekday).
    public var backupByRule = false
    public var status: LeadStatus
    public var appointment: Appointment?
    public var attempts: [Attempt] = []
    @PackedDate public var closedAt: Date? = nil
    /// What the next touch is (`call`, `text`, `follow-up`, `close`), with `due`.
    public var nextAction: String?
    /// When the backup trigger fires, when later than `due` (post-job calls are due at
    /// 24 h and late at 48 h).
    @PackedDate public var late: Date? = nil
    /// When the lead's cadence began (a missed call's arrival, an estimate's sending),
    /// and how many of its steps have been taken.
    @PackedDate public var cadenceStart: Date? = nil
    public var cadenceStep = 0
    /// For each alert kind, the condition instance it was last raised for.
    public var raised: [AlertKind: Date] = [:]
    /// When the backup was actually asked (the backup alert's time): the backup's own
    /// window runs from then, even if the alert was raised late (after downtime).
    @PackedDate public var backupAskedAt: Date? = nil
    /// The appointment whose missing outcome was chased (its start), so it is chased once.
    @PackedDate public var outcomeChasedFor: Date? = nil
    /// Since when the lead waits in the daily open-loop review (estimate-sent or no-decision).
    @PackedDate public var reviewSince: Date? = nil
    /// The lead whose completed job this post-job call follows up, and the other way:
    /// the post-job call a completed job created.
    @PackedInt public var jobLead: LeadID? = nil
    @PackedInt public var postJobLead: LeadID? = nil
    /// Since when the lead has had no owner.
    @PackedDate public var unownedSince: Date? = nil
    /// Since when the lead has had no next step (no due time).
    @PackedDate public var noStepSince: Date? = nil
    /// The lead arrived after hours: an acknowledgement is owed until the first attempt.
    public var ackOwed = false
    /// The job's value in dollars, if known (estimates).
    @PackedInt public var value: Int? = nil
    /// Where an imported lead came from; nil for a lead that came in live.
    public var imported: ImportOrigin?
    /// The system the lead was imported from (see ``Intake/importedFrom``).
    public var importedFrom: String? { imported?.system }
    /// When an imported lead came onto the board, where that is later than when it
    /// arrived (``createdAt``, what the file said): nil for every other lead.
    public var enteredAt: Date? { imported?.enteredAt }

    public var isOpen: Bool { closedAt == nil }

    /// Since when the board has held the lead: an end-of-day sweep from before it was
    /// imported cannot have left it overnight.
    public var onBoardSince: Date { enteredAt ?? createdAt }

    public init(_ intake: Intake, at: Date, by: String?) {
        id = intake.lead
        kind = intake.kind
        source = intake.source
        urgency = intake.urgency
        name = intake.name
        phone = intake.phone
        email = intake.email
        service = intake.service
        area = intake.area
        address = intake.address
        jobLead = intake.jobLead
        createdAt = intake.arrived ?? at
        createdBy = by
        due = intake.due
        owner = intake.owner
        backup = intake.backup
        backupByRule = intake.backupByRule
        status = intake.status ?? .needsCallback
        closedAt = status.closesLead ? (intake.closed ?? at) : nil
        nextAction = intake.action
        appointment = intake.appointment
        late = intake.late
        ackOwed = intake.ackOwed
        value = intake.value
        unownedSince = intake.owner == nil ? at : nil
        noStepSince = intake.due == nil ? at : nil
        switch intake.kind {
        case .missedCall: cadenceStart = at
        case .estimate: cadenceStart = intake.sent ?? at
        default: cadenceStart = nil
        }
        // An estimate or a decision already waiting when the lead came in (an import)
        // is in the daily review from then, as one set here is.
        reviewSince = isInReview ? at : nil
        imported = intake.importedFrom.map { ImportOrigin(system: $0, enteredAt: createdAt < at ? at : nil) }
    }

    /// Whether the lead waits on the customer's decision after a visit (an estimate
    /// sent, no decision yet): the daily review (`REVIEW`) lists these.
    public var isInReview: Bool { isOpen && (status == .estimateSent || status == .noDecision) }

    /// When the backup trigger fires for the current due time: a post-job call's `late`
    /// bound (its window runs to 48 h), unless the due time has moved past it (a call
    /// rescheduled, or a lead reopened, after it), when the due time itself.
    public var triggerTime: Date? {
        guard let due else { return late }
        return late.map { max($0, due) } ?? due
    }

    /// A short description for alert texts: `lead 7 (Jane Roe, missed-call)`.
    public var label: String {
        let who = name ?? phone ?? "no name"
        return "lead \(id) (\(who), \(kind.rawValue))"
    }

    /// The last attempt logged by the current primary owner, if any.
    public var lastAttemptByOwner: Attempt? {
        guard let owner else { return nil }
        return attempts.last { $0.by == owner }
    }

    /// Whether `person` is this lead's primary or backup owner.
    public func isHeld(by person: String) -> Bool { owner == person || backup == person }

    /// Whether a visit is booked and its result not yet posted (an escalation leaves
    /// the visit standing).
    public var hasPendingVisit: Bool { appointment != nil && (status == .booked || status == .escalated) }

    /// Whether the lead is `person`'s to watch: they hold it, or it is their visit (until
    /// its result is posted: then the lead moves on to the office).
    public func concerns(_ person: String) -> Bool {
        isHeld(by: person) || (hasPendingVisit && appointment?.tech == person)
    }
}

/// A booked visit: when, and which technician.
public struct Appointment: Sendable, Equatable {
    public var at: Date
    public var tech: String?

    public init(at: Date, tech: String?) {
        self.at = at
        self.tech = tech
    }
}

/// What `NEW` records about a lead as it enters the board.
public struct Intake: Sendable, Equatable {
    public var lead: LeadID
    public var kind: LeadKind
    public var source: LeadSource
    public var urgency: Urgency
    public var name: String?
    public var phone: String?
    public var email: String?
    public var service: String?
    public var area: String?
    public var address: String?
    public var due: Date?
    public var owner: String?
    public var backup: String?
    public var note: String?
    /// The first action expected.
    public var action: String?
    /// When the backup trigger fires, if later than `due`.
    public var late: Date?
    /// Arrived after hours: an acknowledgement is owed.
    public var ackOwed = false
    /// Whether the policy's backup rules chose `backup`.
    public var backupByRule = false
    public var value: Int?
    /// When the estimate was sent (estimate leads).
    public var sent: Date?
    /// When the job was done (post-job leads).
    public var job: Date?
    /// The lead whose completed job this post-job call follows up.
    public var jobLead: LeadID?
    /// The system the lead was imported from (`IMPORT`: jobber, housecall-pro,
    /// servicetitan, csv); nil for a lead that came in live. Imported leads are left out
    /// of the speed and new-lead figures.
    public var importedFrom: String?
    /// An imported lead's history as the file gives it: when it arrived, where it
    /// stands, and when it closed. Nil for a lead that came in live (it arrives now,
    /// needing a callback).
    public var arrived: Date?
    public var status: LeadStatus?
    public var closed: Date?
    /// The visit an imported booked lead already has: its technician is chased for the
    /// result as after `STATUS booked appt=`.
    public var appointment: Appointment?

    public init(
        lead: LeadID, kind: LeadKind, source: LeadSource, urgency: Urgency,
        name: String? = nil, phone: String? = nil, email: String? = nil, service: String? = nil,
        area: String? = nil, due: Date? = nil, owner: String? = nil, backup: String? = nil, note: String? = nil
    ) {
        self.lead = lead
        self.kind = kind
        self.source = source
        self.urgency = urgency
        self.name = name
        self.phone = phone
        self.email = email
        self.service = service
        self.area = area
        self.due = due
        self.owner = owner
        self.backup = backup
        self.note = note
    }
}

/// Where an imported lead came from: the system, and when the board took it if that is
/// later than when the file says it arrived. Held apart from the lead, so that every
/// lead carries one reference (8 bytes) for it, not a name and a time (24): the memory
/// a lead takes is a target, and most leads are not imported. The leads of one import
/// share one (``SharedImportOrigin``).
public final class ImportOrigin: Sendable, Equatable, CustomStringConvertible {
    public let system: String
    public let enteredAt: Date?

    public init(system: String, enteredAt: Date?) {
        self.system = system
        self.enteredAt = enteredAt
    }

    public static func == (a: ImportOrigin, b: ImportOrigin) -> Bool {
        a === b || (a.system == b.system && a.enteredAt == b.enteredAt)
    }

    public var description: String { "ImportOrigin(\(system), entered: \(enteredAt.map(Timestamp.utc) ?? "-"))" }
}

/// The origin of the last imported lead, handed to the leads after it that came from the
/// same import, so that an import of 50,000 rows holds one ``ImportOrigin``, not 50,000.
/// A cache, not state: two boards compare equal whatever theirs holds.
struct SharedImportOrigin: Sendable, Equatable {
    private var last: ImportOrigin?

    /// `origin`, or the one already held when it is the same.
    mutating func shared(_ origin: ImportOrigin?) -> ImportOrigin? {
        guard let origin else { return nil }
        if let last, last == origin { return last }
        last = origin
        return origin
    }

    static func == (a: SharedImportOrigin, b: SharedImportOrigin) -> Bool { true }
}

/// A request to change the board, already parsed and typed.
///
/// Times stay ``TimeSpec``s here: what "15:30" means depends on the clock and the
/// shop's zone, which only ``Board/decide(_:by:at:)`` knows.
public enum Command: Sendable, Equatable {
    case newLead(NewLead)
    case claim(LeadID)
    case release(LeadID, reason: String?)
    case assign(LeadID, owner: PersonChoice, backup: PersonChoice)
    case takeover(LeadID)
    case note(LeadID, text: String)
    case attempt(LeadID, channel: AttemptChannel, outcome: AttemptOutcome, next: TimeSpec?, note: String?)
    case setStatus(StatusRequest)
    case outcome(OutcomeRequest)
    case away(reason: String?)
    case back
    case escalate(LeadID, reason: String)
    case merge(LeadID, into: LeadID, force: Bool = false)
    /// Log the acknowledgement an after-hours lead is owed.
    case acknowledge(LeadID, note: String?)
    /// Claim the most urgent lead the person may take.
    case next
    /// Run the end-of-day sweep now.
    case sweep
    case addPerson(name: String, role: Role, tokenHash: String)
    case replaceToken(name: String, tokenHash: String)
    case removePerson(name: String)
}

extension Command {
    /// The leads the command names: the server brings any of them that are out of
    /// memory back into it before deciding, so a change never needs the store.
    public var leads: [LeadID] {
        switch self {
        case .claim(let id), .release(let id, _), .assign(let id, _, _), .takeover(let id), .note(let id, _),
             .attempt(let id, _, _, _, _), .escalate(let id, _), .acknowledge(let id, _):
            [id]
        case .setStatus(let r): [r.lead]
        case .outcome(let r): [r.lead]
        case .merge(let id, let target, _): [id, target]
        case .newLead, .away, .back, .next, .sweep, .addPerson, .replaceToken, .removePerson: []
        }
    }
}

/// What `NEW` asks for; unset fields take the defaults `decide` documents.
public struct NewLead: Sendable, Equatable {
    public var kind: LeadKind?
    public var source: LeadSource?
    public var urgency: Urgency?
    public var name: String?
    public var phone: String?
    public var email: String?
    public var service: String?
    public var area: String?
    public var address: String?
    public var due: TimeSpec?
    public var owner: String?
    public var backup: String?
    public var note: String?
    /// The job's value in dollars (estimates).
    public var value: Int?
    /// When the estimate was sent (kind=estimate).
    public var sent: TimeSpec?
    /// When the job was done (kind=post-job).
    public var job: TimeSpec?

    public init() {}
}

/// What `OUTCOME` reports.
public struct OutcomeRequest: Sendable, Equatable {
    public var lead: LeadID
    public var result: OutcomeResult
    public var followUp: TimeSpec?
    public var value: Int?
    public var note: String?

    public init(lead: LeadID, result: OutcomeResult) {
        self.lead = lead
        self.result = result
    }
}

/// What `STATUS` asks for.
public struct StatusRequest: Sendable, Equatable {
    public var lead: LeadID
    public var status: LeadStatus
    public var reason: String?
    public var next: TimeSpec?
    public var appointment: TimeSpec?
    public var tech: String?
    /// The job's value in dollars (an estimate sent).
    public var value: Int?
    public var note: String?

    public init(lead: LeadID, status: LeadStatus) {
        self.lead = lead
        self.status = status
    }
}

/// A person slot in `ASSIGN`: left alone, or set to someone or nobody.
public enum PersonChoice: Sendable, Equatable {
    case keep
    case person(String)
    case nobody
}

/// What a command decided: the changes to record and what its `OK` says.
public struct Decision: Sendable, Equatable {
    public var changes: [Change]
    /// The `OK` line's fields (the server adds `seq=`).
    public var reply: [Field]
    /// A sentence for a person, after ` :` on the `OK` line.
    public var message: String?
    /// Leads to show as `LEAD` rows before the `OK` (`SWEEP`'s list).
    public var rows: [LeadID]

    public init(changes: [Change], reply: [Field], message: String? = nil, rows: [LeadID] = []) {
        self.changes = changes
        self.reply = reply
        self.message = message
        self.rows = rows
    }
}

import Foundation

/// The whole state of the shop's callbacks: leads, people and the event counter.
///
/// A value type with two operations. ``decide(_:by:at:)`` (in `Board+Decide.swift`)
/// checks a command against the rules and returns the changes it causes, or why not;
/// ``apply(_:)`` folds an event in. The server keeps two boards — one with every
/// decided change, one with only the durable ones — and the journal replays into a
/// fresh board on start-up, all through this one `apply`.
public struct Board: Sendable {
    public private(set) var leads: [LeadID: Lead] = [:]
    public private(set) var people: [String: Person] = [:]
    /// The sequence number of the last event applied.
    public private(set) var lastSeq: UInt64 = 0
    public private(set) var nextLeadID: LeadID = 1
    public private(set) var ledger = TagLedger()
    /// The shop's procedure settings; not journaled (they come from the config).
    public var policy: Policy

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    public func lead(_ id: LeadID) -> Lead? { leads[id] }

    /// Numbers the decided changes as the next events, timed `at` and attributed to `by`.
    public func stamp(_ changes: [Change], by: String?, at: Date) -> [Event] {
        changes.enumerated().map { offset, change in
            Event(seq: lastSeq + UInt64(offset) + 1, at: at, by: by, change: change)
        }
    }

    /// Folds one event into the board.
    ///
    /// Throws when the event does not fit the board (a wrong sequence number, an
    /// unknown lead): on replay that means a damaged journal; live it cannot happen,
    /// since every event was decided against this same state.
    public mutating func apply(_ event: Event) throws(RecordError) {
        guard event.seq == lastSeq + 1 else {
            throw RecordError("event \(event.seq) follows event \(lastSeq); expected \(lastSeq + 1)")
        }
        switch event.change {
        case .created(let intake):
            guard leads[intake.lead] == nil else { throw RecordError("lead \(intake.lead) is created twice") }
            leads[intake.lead] = Lead(intake, at: event.at, by: event.by)
            nextLeadID = max(nextLeadID, intake.lead + 1)
        case .personSaved(let person):
            people[person.name] = person
        case .personRemoved(let name):
            people[name] = nil
        default:
            guard let id = event.lead, var lead = leads[id] else {
                throw RecordError("\(event.type) for lead \(event.lead.map(String.init) ?? "?"), which does not exist")
            }
            Self.update(&lead, with: event)
            leads[id] = lead
        }
        if let id = event.lead { leads[id]?.history.append(event) }
        if let tag = event.tag, let by = event.by, let reply = event.reply {
            ledger.remember(person: by, tag: tag, reply: reply)
        }
        lastSeq = event.seq
    }

    /// Applies events in order.
    public mutating func apply(_ events: [Event]) throws(RecordError) {
        for event in events { try apply(event) }
    }

    private static func update(_ lead: inout Lead, with event: Event) {
        switch event.change {
        case .claimed(let claim):
            lead.owner = claim.owner
            if case .set(let backup) = claim.backup { lead.backup = backup }
        case .released:
            lead.owner = nil
        case .assigned(_, let owner, let backup):
            lead.owner = owner
            lead.backup = backup
        case .noted:
            break
        case .attempted(_, let channel, let outcome, let status, let due, let note):
            lead.attempts.append(Attempt(
                seq: event.seq, at: event.at, by: event.by ?? "server", channel: channel, outcome: outcome, note: note))
            lead.status = status
            lead.due = due
        case .statusChanged(let change):
            lead.status = change.status
            lead.due = change.status.closesLead ? nil : change.due
            if let appointment = change.appointment { lead.appointment = appointment }
            lead.closedAt = change.status.closesLead ? event.at : nil
        case .created, .personSaved, .personRemoved:
            break
        }
    }
}

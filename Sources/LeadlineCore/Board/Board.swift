import Foundation

/// The whole state of the shop's callbacks: leads, people and the event counter.
///
/// A value type with two operations. ``decide(_:by:at:)`` (in `Board+Decide.swift`)
/// checks a command against the rules and returns the changes it causes, or why not;
/// ``apply(_:)`` folds an event in. The server keeps two boards — one with every
/// decided change, one with only the durable ones — and the journal replays into a
/// fresh board on start-up, all through this one `apply`.
public struct Board: Sendable, Equatable {
    public internal(set) var leads = LeadTable()
    public internal(set) var people: [String: Person] = [:]
    /// The sequence number of the last event applied.
    public internal(set) var lastSeq: UInt64 = 0
    public internal(set) var nextLeadID: LeadID = 1
    public internal(set) var ledger = TagLedger()
    /// When the last lead event stamped by the real clock happened: real work, which a
    /// drill (a simulated clock) must never be run on.
    public internal(set) var lastRealWork: Date?
    /// When the last lead event stamped by a simulated clock (a drill) happened.
    public internal(set) var lastDrillWork: Date?
    /// Where a drill on this board stopped: its last lead event, and — unless the folder
    /// is a copy of real work, whose sweeps the real clock may have run — its last sweep
    /// and review. Nil when no drill has run. A drill goes on from here, and what is
    /// recorded on its folder offline is stamped here, by the drill's clock.
    public var drillStoppedAt: Date? {
        guard let drill = lastDrillWork else { return nil }
        let markers = lastRealWork == nil ? [sweptThrough, reviewedThrough] : []
        return ([drill] + markers).compactMap { $0 }.max()
    }
    /// The last daily open-loop review alerted (see ``reviewList(at:)``).
    public internal(set) var reviewedThrough: Date?
    /// Hand-offs made to each stage so far: whose turn it is among a role's people.
    public internal(set) var handoffTurns: [Stage: Int] = [:]
    /// The last end-of-day sweep that ran (see `Change.swept`).
    public internal(set) var sweptThrough: Date?
    /// Who is away (in the field, out, tied up), since when, and why.
    public internal(set) var presence: [String: Presence] = [:]
    /// Open leads by normalised phone number, to spot customers who call twice.
    public internal(set) var openByPhone: [String: PhoneLeads] = [:]
    /// Open leads by owner, and by backup, for what follows a person (away, their queue).
    public internal(set) var openByOwner: [String: Set<LeadID>] = [:]
    public internal(set) var openByBackup: [String: Set<LeadID>] = [:]
    /// Open leads with no owner (what `NEXT` offers first).
    public internal(set) var openUnowned: Set<LeadID> = []
    /// Each lead's events, by number: the history `SHOW` reads back from the journal.
    /// Kept apart from the lead, and appended in place, so changing a lead with a long
    /// history copies nothing of it.
    var histories = LeadIDMap<EventNumbers>()
    /// The last import's origin, for its leads to share.
    var importOrigins = SharedImportOrigin()
    /// The scorecard's counts so far (see ``ScoreTally``).
    public internal(set) var scores = ScoreTally()
    /// When each open lead's next alert can fall due, in order (see ``AlertIndex``).
    public internal(set) var alertIndex = AlertIndex()
    /// The shop's procedure settings; not journaled (they come from the config).
    public let policy: Policy

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    public func lead(_ id: LeadID) -> Lead? { leads[id] }

    /// Holds lead `id` in the same memory as `other` does, when they agree on it (the
    /// server's durable board catching up with its speculative one).
    public mutating func shareLead(_ id: LeadID, with other: LeadTable) {
        leads.adopt(id, from: other)
    }

    /// The numbers of the events about lead `id`, oldest first.
    public func history(of id: LeadID) -> [UInt64] {
        histories[id]?.all ?? leads.storedLead(id)?.history ?? []
    }

    /// Brings lead `id` back into memory from the store, with its history, before an
    /// event changes it (a closed lead reopened, noted, or linked to its post-job call).
    /// The server does it before deciding (see ``Command/leads``), so a change never
    /// reads the store; replay does it as it meets such events.
    /// - Returns: false when the lead is out of memory and its record cannot be read
    ///   (it stays where it is, and an event finds no lead).
    @discardableResult
    public mutating func bringBack(_ id: LeadID) -> Bool {
        guard leads.isStored(id) else { return true }
        guard let stored = leads.storedLead(id) else { return false }
        leads[id] = stored.lead
        histories[id] = EventNumbers(stored.history)
        return true
    }

    /// Why lead `id` cannot be had: there is none (`NOTFOUND`), or it is closed and out
    /// of memory and its record cannot be read back (`UNAVAILABLE`: it is there, in the
    /// journal; `leadlined check` names the record).
    public func missing(_ id: LeadID) -> CommandError {
        guard leads.isStored(id) else { return .notFound(lead: id) }
        return CommandError(.unavailable, fields: [Field("lead", id)],
                            "lead \(id) is closed and its record cannot be read back now; run leadlined check")
    }

    /// Reads leads out of memory back from `store` (the data folder's closed-leads file).
    public mutating func attachStore(_ store: any ClosedLeadStore) {
        leads.store = store
    }

    /// Lets go of the memory of closed leads the store now holds (written by the
    /// snapshot thread from this board or its twin): each one still closed, and as it
    /// was written (same lead, same history), is kept only as where it lies. One that
    /// changed since keeps its memory, and goes at the next snapshot.
    /// - Returns: how many leads went out of memory.
    @discardableResult
    public mutating func letGo(of written: [ClosedLeadWritten], store: any ClosedLeadStore) -> Int {
        if leads.store == nil { leads.store = store }
        var gone = 0
        for item in written {
            guard LeadTable.canStore(at: item.offset), let box = leads.box(of: item.id), !box.lead.isOpen,
                  box === item.box || box.holdsSameLead(as: item.box),
                  (histories[item.id]?.count ?? 0) == item.historyCount else { continue }
            leads.setStored(item.id, at: item.offset)
            histories[item.id] = nil
            gone += 1
        }
        return gone
    }

    /// Numbers the decided changes as the next events, timed `at` and attributed to `by`.
    /// - Parameter simulated: whether `at` was read from a simulated clock (a drill).
    public func stamp(_ changes: [Change], by: String?, at: Date, simulated: Bool = false) -> [Event] {
        changes.enumerated().map { offset, change in
            Event(seq: lastSeq + UInt64(offset) + 1, at: at, by: by, change: change, simulated: simulated)
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
        if let id = event.lead, leads.isStored(id) { bringBack(id) }
        if case .created(let intake) = event.change, let job = intake.jobLead, leads.isStored(job) { bringBack(job) }
        // A note leaves its lead alone (its number goes to the lead's history below):
        // the lead is not copied out, only found.
        let before = event.change.leavesLeadAsItWas ? nil : event.lead.flatMap { leads[$0] }
        recordScore(event)
        /// The lead as the event leaves it, where this switch already holds it (read
        /// back from the table otherwise): a lead read out is a 360-byte copy.
        var after: Lead?
        var leadChanged = true
        switch event.change {
        case .created(let intake):
            guard before == nil else { throw RecordError("lead \(intake.lead) is created twice") }
            var lead = Lead(intake, at: event.at, by: event.by)
            lead.imported = importOrigins.shared(lead.imported)
            leads[intake.lead] = lead
            after = lead
            nextLeadID = max(nextLeadID, intake.lead + 1)
            if let job = intake.jobLead {
                leads[job]?.postJobLead = intake.lead
                if intake.owner != nil { handoffTurns[.postJob, default: 0] += 1 }
            }
        case .personSaved(let person):
            people[person.name] = person
        case .personRemoved(let name):
            people[name] = nil
            presence[name] = nil
            reindexAlerts(ownedBy: name, at: event.at)
        case .presence(let person, let away, let reason):
            presence[person] = away ? Presence(since: event.at, reason: reason) : nil
            reindexAlerts(ownedBy: person, at: event.at)
        case .alert(let alert) where alert.lead == nil:
            if alert.kind == .sweep, let review = alert.anchor { reviewedThrough = max(reviewedThrough ?? review, review) }
        case .swept(let at, _):
            sweptThrough = max(sweptThrough ?? at, at)
        case .imported:
            break
        case .noted(let id, _):
            guard leads.withLead(id, { _ in true }) != nil else {
                throw RecordError("NOTED for lead \(id), which does not exist")
            }
            leadChanged = false
        case .voided(let through, _):
            guard through >= event.seq else { throw RecordError("VOID \(event.seq) ends before it starts (\(through))") }
            lastSeq = through
            return
        default:
            guard let id = event.lead, var lead = before else {
                throw RecordError("\(event.type) for lead \(event.lead.map(String.init) ?? "?"), which does not exist")
            }
            leadChanged = Self.update(&lead, with: event)
            if leadChanged { leads[id] = lead }
            after = lead
        }
        if case .assigned(let a) = event.change, let stage = a.stage { handoffTurns[stage, default: 0] += 1 }
        if leadChanged, let id = event.lead, let lead = after ?? leads[id] {
            // Most events (a note, an attempt) leave the phone and openness alone.
            if before?.phone != lead.phone || before?.isOpen != lead.isOpen {
                if let before, before.phone != lead.phone { unindexPhone(of: before) }
                indexPhone(of: lead)
            }
            indexHolders(before: before, after: lead)
            // A note, say, changes nothing an alert depends on: the entry stands.
            if before.map({ AlertState($0) != AlertState(lead) }) ?? true {
                alertIndex.set(id, earliestAlert(of: lead, now: event.at))
            }
        }
        if event.lead != nil {
            if event.simulated { lastDrillWork = event.at } else { lastRealWork = event.at }
        }
        if let id = event.lead {
            histories.update(id) { numbers in
                if numbers == nil { numbers = EventNumbers(first: event.seq) } else { numbers!.append(event.seq) }
            }
        }
        if let tag = event.tag, let by = event.by, let reply = event.reply {
            ledger.remember(person: by, tag: tag, reply: reply, at: event.at)
        }
        lastSeq = event.seq
    }

    /// Counts `event` for the scorecard, as the board stands before it. (The tally is
    /// moved out while it reads the board, not copied.)
    private mutating func recordScore(_ event: Event) {
        guard scores.counts(event) else { return }
        var tally = ScoreTally()
        swap(&tally, &scores)
        tally.record(event, on: self)
        scores = tally
    }

    /// Applies events in order.
    public mutating func apply(_ events: [Event]) throws(RecordError) {
        for event in events { try apply(event) }
    }

    /// Folds `event` into `lead`; false when it left the lead as it was (a note).
    private static func update(_ lead: inout Lead, with event: Event) -> Bool {
        let wasOpen = lead.isOpen
        var changed = true
        switch event.change {
        case .claimed(let claim):
            lead.owner = claim.owner
            if case .set(let backup) = claim.backup {
                lead.backup = backup
                lead.backupByRule = claim.backupByRule
            }
            if let due = claim.due { lead.due = due }
            lead.unownedSince = nil
        case .released:
            lead.owner = nil
            lead.unownedSince = event.at
        case .assigned(let a):
            if a.owner == nil && lead.owner != nil { lead.unownedSince = event.at }
            if a.owner != nil { lead.unownedSince = nil }
            lead.owner = a.owner
            lead.backup = a.backup
            lead.backupByRule = a.backupByRule
            if let due = a.due { lead.due = due }
        case .acknowledged:
            lead.ackOwed = false
        case .noted:
            changed = false
        case .attempted(let a):
            lead.attempts.append(Attempt(
                seq: event.seq, at: event.at, by: event.by ?? "server", channel: a.channel, outcome: a.outcome, note: a.note))
            lead.status = a.status
            lead.due = a.due
            lead.nextAction = a.action
            if let step = a.step { lead.cadenceStep = step }
            lead.ackOwed = false
        case .statusChanged(let change):
            lead.status = change.status
            lead.due = change.status.closesLead ? nil : change.due
            lead.nextAction = change.status.closesLead ? nil : change.action
            if let appointment = change.appointment { lead.appointment = appointment }
            if change.unbooks { lead.appointment = nil }
            if let value = change.value { lead.value = value }
            lead.closedAt = change.status.closesLead ? event.at : nil
            // Back on the board with no owner: unowned from now, not since it came in.
            if change.reopens, lead.owner == nil { lead.unownedSince = event.at }
            if let kind = change.kind { startCadence(&lead, kind: kind, at: event.at) }
        case .outcome(let o):
            lead.status = o.result.status
            lead.due = o.due
            lead.nextAction = o.action
            if let value = o.value { lead.value = value }
            if o.result == .estimateSent { startCadence(&lead, kind: .estimate, at: event.at) }
        case .alert(let alert):
            if let anchor = alert.anchor { lead.raised[alert.kind] = anchor }
            if alert.kind == .backup { lead.backupAskedAt = event.at }
            if let appt = alert.appointment { lead.outcomeChasedFor = appt }
        case .created, .presence, .personSaved, .personRemoved, .voided, .swept, .imported:
            break
        }
        let reviewSince = lead.isInReview ? lead.reviewSince ?? event.at : nil
        let noStepSince = lead.due != nil || !lead.isOpen ? nil : (lead.noStepSince == nil || !wasOpen ? event.at : lead.noStepSince)
        if reviewSince != lead.reviewSince || noStepSince != lead.noStepSince {
            lead.reviewSince = reviewSince
            lead.noStepSince = noStepSince
            changed = true
        }
        return changed
    }

    private static func startCadence(_ lead: inout Lead, kind: LeadKind, at: Date) {
        lead.kind = kind
        lead.cadenceStart = at
        lead.cadenceStep = 0
    }

    /// Keeps ``openByPhone`` in step with a lead's phone and openness.
    mutating func indexPhone(of lead: Lead) {
        guard lead.isOpen else { return unindexPhone(of: lead) }
        guard let key = lead.phone.map(Self.phoneKey), !key.isEmpty else { return }
        if openByPhone[key] == nil { openByPhone[key] = .one(lead.id) } else { openByPhone[key]?.insert(lead.id) }
    }

    /// Takes a lead out of ``openByPhone`` under the number it has (it closed) or had
    /// (its number changed).
    mutating func unindexPhone(of lead: Lead) {
        guard let key = lead.phone.map(Self.phoneKey), !key.isEmpty else { return }
        if openByPhone[key]?.remove(lead.id) == false { openByPhone[key] = nil }
    }

    /// Keeps ``openByOwner``, ``openByBackup`` and ``openUnowned`` in step with a lead.
    mutating func indexHolders(before: Lead?, after lead: Lead) {
        let id = lead.id
        let wasOpen = before?.isOpen ?? false
        Self.move(id, from: wasOpen ? before?.owner : nil, to: lead.isOpen ? lead.owner : nil, in: &openByOwner)
        Self.move(id, from: wasOpen ? before?.backup : nil, to: lead.isOpen ? lead.backup : nil, in: &openByBackup)
        if lead.isOpen && lead.owner == nil { openUnowned.insert(id) } else { openUnowned.remove(id) }
    }

    private static func move(_ id: LeadID, from old: String?, to new: String?, in index: inout [String: Set<LeadID>]) {
        guard old != new else { return }
        if let old {
            index[old]?.remove(id)
            if index[old]?.isEmpty == true { index[old] = nil }
        }
        if let new { index[new, default: []].insert(id) }
    }

    /// Recomputes every open lead's entry in the alert index as of `now`. Entries are
    /// kept as of each lead's last event (a promised call already past due when it
    /// changed has no due-soon warning left); a clock that stepped back before such
    /// moments, or a start-up, looks again from the clock's reading. O(open leads).
    public mutating func reindexAlerts(asOf now: Date) {
        for lead in leads.residentValues where lead.isOpen { alertIndex.set(lead.id, earliestAlert(of: lead, now: now)) }
    }

    /// A person's presence changed: their open leads' alerts (the away alert) move.
    private mutating func reindexAlerts(ownedBy person: String, at now: Date) {
        for id in openByOwner[person] ?? [] {
            if let lead = leads[id] { alertIndex.set(id, earliestAlert(of: lead, now: now)) }
        }
    }

    /// A phone number reduced to its last ten digits, so `(555) 010-0100` and
    /// `+1 555 010 0100` match.
    public static func phoneKey(_ phone: String) -> String {
        // The common case, an ASCII number, without a Unicode property lookup per character.
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        for byte in phone.utf8 {
            guard byte < 0x80 else { return String(phone.filter(\.isNumber).suffix(10)) }
            if byte >= 0x30 && byte <= 0x39 { digits.append(byte) }
        }
        return String(decoding: digits.suffix(10), as: UTF8.self)
    }
}

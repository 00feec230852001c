import Foundation

/// The board as a snapshot: everything replay would rebuild (the leads in memory with
/// their event numbers, and where each lead out of memory lies in the closed-leads file;
/// people, presence, the tag ledger, the marks of sweeps and reviews, when each open
/// lead's next alert can fall due), written as compact binary. The other indexes
/// derived from the leads (phones, holders) are rebuilt on loading.
///
/// Pure: bytes in, bytes out; the server's snapshot file adds the header, the
/// checksum and the atomic write around it.
extension Board {
    /// Bumped whenever what is written here changes; an unknown version is refused.
    public static let snapshotFormat = 6

    /// - Parameter storing: closed leads just written to the store, by where they lie:
    ///   the snapshot names them there, as it does leads already out of memory.
    public func writeSnapshot(to w: inout SnapshotWriter, storing: [LeadID: UInt64] = [:]) {
        w.uint(lastSeq)
        w.int(nextLeadID)
        w.optional(lastRealWork) { $0.date($1) }
        w.optional(lastDrillWork) { $0.date($1) }
        w.optional(reviewedThrough) { $0.date($1) }
        w.optional(sweptThrough) { $0.date($1) }
        w.array(handoffTurns.sorted { $0.key.rawValue < $1.key.rawValue }) { w, turn in
            w.string(turn.key.rawValue)
            w.int(turn.value)
        }
        w.array(people.values.sorted { $0.name < $1.name }) { w, person in
            w.string(person.name)
            w.string(person.role.rawValue)
            w.string(person.tokenHash)
        }
        w.array(presence.sorted { $0.key < $1.key }) { w, entry in
            w.string(entry.key)
            w.date(entry.value.since)
            w.optional(entry.value.reason) { $0.string($1) }
        }
        ledger.write(to: &w)
        w.array(leads.keys.sorted()) { w, id in
            if let offset = storing[id] ?? leads.storedOffset(of: id) {
                w.bool(true)
                w.int(id)
                w.uint(offset)
                return
            }
            w.bool(false)
            leads[id]!.write(to: &w)
            // Each number as the step from the one before: a byte or two, where the
            // number itself takes up to four.
            var previous: UInt64 = 0
            w.array(histories[id]?.all ?? []) { w, seq in
                w.uint(seq - previous)
                previous = seq
            }
            w.optional(alertIndex.fire(of: id)) { $0.date($1) }
        }
        scores.write(to: &w)
    }

    /// The board a snapshot holds, with `policy` (not journaled: it comes from the config).
    public init(snapshot r: inout SnapshotReader, policy: Policy) throws(RecordError) {
        self.init(policy: policy)
        lastSeq = try r.uint()
        nextLeadID = try r.int()
        lastRealWork = try r.optional { r throws(RecordError) in try r.date() }
        lastDrillWork = try r.optional { r throws(RecordError) in try r.date() }
        reviewedThrough = try r.optional { r throws(RecordError) in try r.date() }
        sweptThrough = try r.optional { r throws(RecordError) in try r.date() }
        for (stage, turns) in try r.array({ r throws(RecordError) in (try r.word(Stage.self), try r.int()) }) {
            handoffTurns[stage] = turns
        }
        for person in try r.array({ r throws(RecordError) in
            Person(name: try r.string(), role: try r.word(Role.self), tokenHash: try r.string())
        }) {
            people[person.name] = person
        }
        for (name, away) in try r.array({ r throws(RecordError) in
            (try r.string(), Presence(since: try r.date(), reason: try r.optional { r throws(RecordError) in try r.string() }))
        }) {
            presence[name] = away
        }
        ledger = try TagLedger(snapshot: &r)
        let count = try r.count()
        for _ in 0..<count {
            if try r.bool() {
                // A closed lead out of memory: where the store holds it.
                let id = try r.int(), offset = try r.uint()
                guard id > 0, id < nextLeadID, !leads.isStored(id), LeadTable.canStore(at: offset) else {
                    throw RecordError("a stored lead's id or place is out of range")
                }
                leads.setStored(id, at: offset)
                continue
            }
            var lead = try Lead(snapshot: &r)
            lead.imported = importOrigins.shared(lead.imported)
            leads[lead.id] = lead
            var previous: UInt64 = 0
            let seqs = try r.array { r throws(RecordError) in
                let (seq, overflow) = previous.addingReportingOverflow(try r.uint())
                guard !overflow, seq > previous, seq <= lastSeq else { throw RecordError("a lead's event numbers are out of order") }
                previous = seq
                return seq
            }
            histories[lead.id] = EventNumbers(seqs)
            alertIndex.set(lead.id, try r.optional { r throws(RecordError) in try r.date() })
            indexPhone(of: lead)
            indexHolders(before: nil, after: lead)
        }
        scores = try ScoreTally(snapshot: &r)
    }
}

extension Lead {
    /// How many stored properties a lead has: the snapshot writes every one, and a test
    /// holds this to the type, so a new field cannot be forgotten.
    public static let snapshotFieldCount = 35

    func write(to w: inout SnapshotWriter) {
        w.int(id)
        w.string(kind.rawValue)
        w.string(source.rawValue)
        w.string(urgency.rawValue)
        for text in [name, phone, email, service, area, address] { w.optional(text) { $0.string($1) } }
        w.date(createdAt)
        w.optional(createdBy) { $0.string($1) }
        w.optional(due) { $0.date($1) }
        w.optional(owner) { $0.string($1) }
        w.optional(backup) { $0.string($1) }
        w.bool(backupByRule)
        w.string(status.rawValue)
        w.optional(appointment) { w, appt in
            w.date(appt.at)
            w.optional(appt.tech) { $0.string($1) }
        }
        w.array(attempts) { w, a in
            w.uint(a.seq)
            w.date(a.at)
            w.string(a.by)
            w.string(a.channel.rawValue)
            w.string(a.outcome.rawValue)
            w.optional(a.note) { $0.string($1) }
        }
        w.optional(closedAt) { $0.date($1) }
        w.optional(nextAction) { $0.string($1) }
        w.optional(late) { $0.date($1) }
        w.optional(cadenceStart) { $0.date($1) }
        w.int(cadenceStep)
        w.array(raised.sorted { $0.key.rawValue < $1.key.rawValue }) { w, entry in
            w.string(entry.key.rawValue)
            w.date(entry.value)
        }
        for date in [backupAskedAt, outcomeChasedFor, reviewSince] { w.optional(date) { $0.date($1) } }
        w.optional(jobLead) { $0.int($1) }
        w.optional(postJobLead) { $0.int($1) }
        w.optional(unownedSince) { $0.date($1) }
        w.optional(noStepSince) { $0.date($1) }
        w.bool(ackOwed)
        w.optional(value) { $0.int($1) }
        w.optional(imported) { w, origin in
            w.string(origin.system)
            w.optional(origin.enteredAt) { $0.date($1) }
        }
    }

    init(snapshot r: inout SnapshotReader) throws(RecordError) {
        let id = try r.int()
        let intake = Intake(lead: id, kind: try r.word(LeadKind.self), source: try r.word(LeadSource.self),
                            urgency: try r.word(Urgency.self))
        var texts: [String?] = []
        for _ in 0..<6 { texts.append(try r.optional { r throws(RecordError) in try r.string() }) }
        let createdAt = try r.date()
        let createdBy = try r.optional { r throws(RecordError) in try r.string() }
        self.init(intake, at: createdAt, by: createdBy)
        (name, phone, email, service, area, address) = (texts[0], texts[1], texts[2], texts[3], texts[4], texts[5])
        due = try r.optional { r throws(RecordError) in try r.date() }
        owner = try r.optional { r throws(RecordError) in try r.string() }
        backup = try r.optional { r throws(RecordError) in try r.string() }
        backupByRule = try r.bool()
        status = try r.word(LeadStatus.self)
        appointment = try r.optional { r throws(RecordError) in
            Appointment(at: try r.date(), tech: try r.optional { r throws(RecordError) in try r.string() })
        }
        attempts = try r.array { r throws(RecordError) in
            Attempt(seq: try r.uint(), at: try r.date(), by: try r.string(), channel: try r.word(AttemptChannel.self),
                    outcome: try r.word(AttemptOutcome.self), note: try r.optional { r throws(RecordError) in try r.string() })
        }
        closedAt = try r.optional { r throws(RecordError) in try r.date() }
        nextAction = try r.optional { r throws(RecordError) in try r.string() }
        late = try r.optional { r throws(RecordError) in try r.date() }
        cadenceStart = try r.optional { r throws(RecordError) in try r.date() }
        cadenceStep = try r.int()
        raised = [:]
        for (kind, at) in try r.array({ r throws(RecordError) in (try r.word(AlertKind.self), try r.date()) }) { raised[kind] = at }
        backupAskedAt = try r.optional { r throws(RecordError) in try r.date() }
        outcomeChasedFor = try r.optional { r throws(RecordError) in try r.date() }
        reviewSince = try r.optional { r throws(RecordError) in try r.date() }
        jobLead = try r.optional { r throws(RecordError) in try r.int() }
        postJobLead = try r.optional { r throws(RecordError) in try r.int() }
        unownedSince = try r.optional { r throws(RecordError) in try r.date() }
        noStepSince = try r.optional { r throws(RecordError) in try r.date() }
        ackOwed = try r.bool()
        value = try r.optional { r throws(RecordError) in try r.int() }
        imported = try r.optional { r throws(RecordError) in
            ImportOrigin(system: try r.string(), enteredAt: try r.optional { r throws(RecordError) in try r.date() })
        }
    }
}

extension TagLedger {
    func write(to w: inout SnapshotWriter) {
        w.array(order.keys.sorted()) { w, person in
            w.string(person)
            w.array(order[person] ?? []) { w, entry in
                w.string(entry.tag)
                w.date(entry.at)
                w.string(replies[person]?[entry.tag] ?? "")
            }
        }
    }

    init(snapshot r: inout SnapshotReader) throws(RecordError) {
        self.init()
        for _ in 0..<(try r.count()) {
            let person = try r.string()
            let entries = try r.array { r throws(RecordError) in (tag: try r.string(), at: try r.date(), reply: try r.string()) }
            order[person] = entries.map { ($0.tag, $0.at) }
            replies[person] = Dictionary(entries.map { ($0.tag, $0.reply) }, uniquingKeysWith: { $1 })
        }
    }
}

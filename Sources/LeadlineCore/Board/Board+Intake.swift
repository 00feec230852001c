import Foundation

extension Board {
    /// `NEW`: a lead enters the board with a kind, a source and a due time.
    ///
    /// Defaults: a missed-call or voicemail source makes a `missed-call`, anything else
    /// a `new-lead`; the source of a missed call is `missed-call`, else `phone`;
    /// urgency `normal`; due per ``DuePlanner``. A `promised` lead needs `due=`. Only
    /// supervisors may name an owner other than themselves, or a backup; otherwise the
    /// policy's backup rules name one. A lead arriving after hours owes an
    /// acknowledgement; one with the phone of an open lead raises a duplicate alert; an
    /// emergency is escalated to the owner role at once (004).
    func decideNew(_ r: NewLead, by actor: Person, at now: Date) throws(CommandError) -> Decision {
        guard actor.role.isOffice else {
            throw CommandError.denied(need: Role.office, "NEW is for office roles; you are \(actor.role.rawValue)")
        }
        let intake = try intake(for: r, id: nextLeadID, by: actor, at: now, importedFrom: nil)
        let requested = r.due != nil
        let owner = intake.owner, backup = intake.backup
        var changes: [Change] = [.created(intake)]
        changes += arrivalAlerts(for: intake, by: actor)
        var reply = [Field("lead", intake.lead), Field.time("due", intake.due)]
        if let owner { reply.append(Field("owner", owner)) }
        if let backup { reply.append(Field("backup", backup)) }
        var message: String?
        if intake.ackOwed {
            message = !requested ? "arrived after hours: due at the next opening; an acknowledgement is owed"
                : "arrived after hours: an acknowledgement is owed"
        }
        if let duplicate = changes.dropFirst().compactMap({ if case .alert(let a) = $0, a.kind == .duplicate { a.of } else { nil } }).first {
            reply.append(Field("duplicate", duplicate))
            message = "the customer already has open lead \(duplicate); MERGE \(intake.lead) \(duplicate) if it is the same request"
        }
        return Decision(changes: changes, reply: reply, message: message)
    }

    /// Alerts a new lead raises on arrival: a duplicate of an open lead, an emergency.
    private func arrivalAlerts(for intake: Intake, by actor: Person) -> [Change] {
        var alerts: [Change] = []
        let label = "lead \(intake.lead) (\(intake.name ?? intake.phone ?? "no name"), \(intake.kind.rawValue))"
        if let phone = intake.phone, let existing = openByPhone[Self.phoneKey(phone)]?.oldest, let other = leads[existing] {
            let ask = [other.owner ?? actor.name]
            alerts.append(.alert(Alert(
                kind: .duplicate, lead: intake.lead, owner: intake.owner, backup: intake.backup, ask: ask, anchor: nil,
                of: existing,
                text: "\(label) has the phone number of open \(other.label): the customer called twice. "
                    + "\(ask[0]), check with them and MERGE \(intake.lead) \(existing) if it is the same request.")))
        }
        if intake.urgency == .emergency {
            let ask = ownerContacts()
            alerts.append(.alert(Alert(
                kind: .escalation, lead: intake.lead, owner: intake.owner, backup: intake.backup, ask: ask, anchor: nil,
                text: "\(label) is an emergency\(intake.service.map { " (\($0))" } ?? ""): an owner-level exception for \(named(ask)).")))
        }
        return alerts
    }

    /// The lead `r` describes, numbered `id`, checked as `NEW` checks it: refused with
    /// the first problem found (see ``checkedIntake(for:id:by:at:importedFrom:)`` for all).
    func intake(for r: NewLead, id: LeadID, by actor: Person, at now: Date, importedFrom: String?) throws(CommandError) -> Intake {
        switch checkedIntake(for: r, id: id, by: actor, at: now, importedFrom: importedFrom) {
        case .success(let intake): return intake
        case .failure(let refused): throw refused.errors[0]
        }
    }

    /// The lead `r` describes, or every problem with it, in the order `NEW` names them.
    /// For an import (`importedFrom`), the file speaks for the shop: its owners and
    /// backups need not be the importer, and its follow-up dates may be past (an
    /// overdue lead is still one).
    func checkedIntake(for r: NewLead, id: LeadID, by actor: Person, at now: Date,
                       importedFrom: String?) -> Result<Intake, CommandErrors> {
        let importing = importedFrom != nil
        var refused = CommandErrors()
        if r.name?.isEmpty != false && r.phone?.isEmpty != false {
            refused.append(.invalid(argument: "phone", "a lead needs a phone number or a name: NEW phone=555-0100 name=\"Jane Roe\""))
        }
        if let phone = r.phone { refused.passes { () throws(CommandError) in try Self.validatePhone(phone) } }
        if let value = r.value, value < 0 { refused.append(.invalid(argument: "value", "value is a whole number of dollars")) }
        let kind = r.kind ?? (r.source == .missedCall || r.source == .voicemail ? .missedCall : .newLead)
        let source = r.source ?? (kind == .missedCall ? .missedCall : .phone)
        var requested: Date?
        if let spec = r.due {
            requested = refused.note { () throws(CommandError) in
                importing ? try resolveAny(spec, argument: "due", now: now) : try resolveFuture(spec, argument: "due", now: now)
            }
        } else if kind == .promised {
            refused.append(.invalid(argument: "due", "a promised callback needs due=, the time the customer was promised"))
        }
        let sent = r.sent.flatMap { spec in refused.note { () throws(CommandError) in try resolvePast(spec, argument: "sent", now: now) } }
        let job = r.job.flatMap { spec in refused.note { () throws(CommandError) in try resolvePast(spec, argument: "job", now: now) } }
        var owner: String?
        var backup: String?
        if let name = r.owner {
            owner = refused.note { () throws(CommandError) in try requireOfficePerson(name, argument: "owner") }
            if let owner, owner != actor.name, !importing {
                refused.passes { () throws(CommandError) in try requireSupervisor(actor, doing: "Naming another person as owner") }
            }
        }
        var backupByRule = false
        if let name = r.backup {
            if !importing { refused.passes { () throws(CommandError) in try requireSupervisor(actor, doing: "Naming a backup") } }
            if !Person.nobody.contains(name.lowercased()) {
                backup = refused.note { () throws(CommandError) in try requireOfficePerson(name, argument: "backup") }
            }
        }
        if let owner, owner == backup {
            refused.append(.invalid(argument: "backup", "the backup must be someone other than the owner"))
        }
        guard refused.isEmpty else { return .failure(refused) }
        let plan = DuePlanner(policy: policy).firstResponse(
            kind: kind, arriving: kind == .estimate ? (sent ?? now) : now, requested: requested, job: job)
        if r.backup == nil {
            backup = ruleBackup(kind: kind, value: r.value, owner: owner, at: now)
            backupByRule = backup != nil
        }
        var intake = Intake(
            lead: id, kind: kind, source: source, urgency: r.urgency ?? .normal,
            name: r.name, phone: r.phone, email: r.email, service: r.service, area: r.area,
            due: plan.due.map(Timestamp.truncatedToMillis), owner: owner, backup: backup, note: r.note)
        intake.late = plan.late.map(Timestamp.truncatedToMillis)
        intake.action = plan.action
        intake.value = r.value
        intake.sent = sent
        intake.job = job
        intake.ackOwed = !importing && policy.business.isAfterHours(now)
        intake.backupByRule = backupByRule
        intake.address = r.address
        intake.importedFrom = importedFrom
        return .success(intake)
    }

    /// Phone numbers as people write them: digits with `+ - . ( )` and spaces.
    static func validatePhone(_ phone: String) throws(CommandError) {
        let digits = phone.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }.count
        let allowed = phone.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E || c == 0x28 || c == 0x29 || c == 0x20
        }
        guard allowed, digits >= 3, digits <= 20 else {
            throw CommandError.invalid(argument: "phone", "phone must be 3 to 20 digits, optionally with + - . ( ) or spaces; got \"\(phone)\"")
        }
    }
}

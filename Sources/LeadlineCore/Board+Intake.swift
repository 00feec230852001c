import Foundation

extension Board {
    /// `NEW`: a lead enters the board with a kind, a source and a due time.
    ///
    /// Defaults: a missed-call or voicemail source makes a `missed-call`, anything else
    /// a `new-lead`; the source of a missed call is `missed-call`, else `phone`;
    /// urgency `normal`; due at the kind's window after now. A `promised` lead needs
    /// `due=`, the time the customer was promised. Only supervisors may name an owner
    /// other than themselves, or a backup.
    func decideNew(_ r: NewLead, by actor: Person, at now: Date) throws(CommandError) -> Decision {
        guard actor.role.isOffice else {
            throw CommandError.denied(need: Role.office, "NEW is for office roles; you are \(actor.role.rawValue)")
        }
        guard r.name?.isEmpty == false || r.phone?.isEmpty == false else {
            throw CommandError.invalid(argument: "phone", "a lead needs a phone number or a name: NEW phone=555-0100 name=\"Jane Roe\"")
        }
        if let phone = r.phone { try Self.validatePhone(phone) }
        let kind = r.kind ?? (r.source == .missedCall || r.source == .voicemail ? .missedCall : .newLead)
        let source = r.source ?? (kind == .missedCall ? .missedCall : .phone)
        var due: Date?
        if let spec = r.due {
            due = try resolveFuture(spec, argument: "due", now: now)
        } else if kind == .promised {
            throw CommandError.invalid(argument: "due", "a promised callback needs due=, the time the customer was promised")
        } else {
            due = Timestamp.truncatedToMillis(now.addingTimeInterval(policy.windows[kind] ?? 15 * 60))
        }
        var owner: String?
        var backup: String?
        if let name = r.owner {
            owner = try requireOfficePerson(name, argument: "owner")
            if owner != actor.name { try requireSupervisor(actor, doing: "Naming another person as owner") }
        }
        if let name = r.backup {
            try requireSupervisor(actor, doing: "Naming a backup")
            backup = try requireOfficePerson(name, argument: "backup")
        }
        if let owner, owner == backup {
            throw CommandError.invalid(argument: "backup", "the backup must be someone other than the owner")
        }
        let intake = Intake(
            lead: nextLeadID, kind: kind, source: source, urgency: r.urgency ?? .normal,
            name: r.name, phone: r.phone, email: r.email, service: r.service, area: r.area,
            due: due, owner: owner, backup: backup, note: r.note)
        var reply = [Field("lead", intake.lead), Field.time("due", due)]
        if let owner { reply.append(Field("owner", owner)) }
        return Decision(changes: [.created(intake)], reply: reply)
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

import Foundation

extension Board {
    /// `CLAIM`: an office person becomes the primary owner of an unowned lead; if it
    /// has no backup, the policy's backup rules name one.
    func decideClaim(_ id: LeadID, by actor: Person, at now: Date) throws(CommandError) -> Decision {
        let lead = try requireLead(id)
        guard actor.role.isOffice else {
            throw CommandError.denied(need: Role.office, lead: id, "CLAIM is for office roles; you are \(actor.role.rawValue)")
        }
        try requireOpen(lead)
        if lead.owner == actor.name {
            return Decision(changes: [], reply: [Field("lead", id), Field("owner", actor.name)],
                            message: "lead \(id) is already yours")
        }
        if let owner = lead.owner {
            throw CommandError(.conflict, fields: [Field("lead", id), Field("owner", owner)],
                               "lead \(id) is already claimed by \(owner)")
        }
        let backup = backupForNewOwner(lead, owner: actor.name, at: now)
        let claim = Claim(lead: id, owner: actor.name, backup: backup.update, due: freshDue(lead, at: now),
                          backupByRule: backup.byRule)
        return Decision(changes: [.claimed(claim)], reply: claimReply(claim, lead))
    }

    /// A new owner of an overdue lead gets a fresh first-response window (the kind's,
    /// else the backup window), so nobody is alerted for a call they never had the
    /// chance to make; nil when the lead is not overdue.
    func freshDue(_ lead: Lead, at now: Date) -> Date? {
        guard let due = lead.due, due <= now else { return nil }
        let window = policy.windows[lead.kind] ?? policy.backupWindow
        return Timestamp.truncatedToMillis(policy.business.add(window, to: now))
    }

    /// The backup after `owner` takes `lead`: they stop being its backup; an empty slot,
    /// or one the policy's rules filled for someone else, gets the backup the rules
    /// give this owner (a person's choice of backup stays).
    func backupForNewOwner(_ lead: Lead, owner: String?, at now: Date) -> (update: BackupUpdate, byRule: Bool) {
        guard lead.backup == nil || lead.backup == owner || lead.backupByRule else { return (.unchanged, false) }
        let rule = ruleBackup(kind: lead.kind, value: lead.value, owner: owner, at: now)
        if rule == lead.backup { return (.unchanged, false) }
        return (.set(rule), rule != nil)
    }

    private func claimReply(_ claim: Claim, _ lead: Lead) -> [Field] {
        var reply = [Field("lead", claim.lead), Field("owner", claim.owner)]
        if let from = claim.from { reply.append(Field("from", from)) }
        if case .set(let backup) = claim.backup { reply.append(Field.person("backup", backup)) }
        if let due = claim.due { reply.append(Field("due", due)) }
        return reply
    }

    /// `RELEASE`: the primary (or a supervisor) gives the lead back to the queue.
    func decideRelease(_ id: LeadID, reason: String?, by actor: Person) throws(CommandError) -> Decision {
        let lead = try requireLead(id)
        try requireOpen(lead)
        guard let owner = lead.owner else {
            throw CommandError(.conflict, fields: [Field("lead", id)], "lead \(id) has no owner to release")
        }
        guard owner == actor.name || actor.role.isSupervisor else {
            throw CommandError.denied(need: Role.supervisors, lead: id,
                                      "only \(owner), its owner, or a \(Role.supervisors.spokenList) can release lead \(id)")
        }
        return Decision(changes: [.released(lead: id, from: owner, reason: reason)],
                        reply: [Field("lead", id), Field("from", owner)])
    }

    /// `ASSIGN`: a supervisor sets the owner, the backup, or both. A new owner on a
    /// lead with no backup gets one from the policy's rules.
    func decideAssign(_ id: LeadID, owner: PersonChoice, backup: PersonChoice, by actor: Person, at now: Date) throws(CommandError) -> Decision {
        try requireSupervisor(actor, doing: "ASSIGN", lead: id)
        let lead = try requireLead(id)
        try requireOpen(lead)
        guard owner != .keep || backup != .keep else {
            throw CommandError.invalid(argument: "owner", "ASSIGN needs an owner, a backup, or both: ASSIGN \(id) maria backup=devon")
        }
        let newOwner = try choose(owner, current: lead.owner, argument: "owner")
        var newBackup = try choose(backup, current: lead.backup, argument: "backup")
        var byRule = backup == .keep && lead.backupByRule
        if backup == .keep, newOwner != lead.owner || newBackup == nil {
            if case .set(let rule) = backupForNewOwner(lead, owner: newOwner, at: now).update {
                newBackup = rule
                byRule = rule != nil
            }
        }
        if let newOwner, newOwner == newBackup {
            throw CommandError.invalid(argument: "backup", "the backup must be someone other than the owner (\(newOwner))")
        }
        var reply = [Field("lead", id), Field.person("owner", newOwner), Field.person("backup", newBackup)]
        if newOwner == lead.owner && newBackup == lead.backup {
            return Decision(changes: [], reply: reply, message: "nothing to change")
        }
        let due = newOwner != nil && newOwner != lead.owner ? freshDue(lead, at: now) : nil
        if let due { reply.append(Field("due", due)) }
        return Decision(changes: [.assigned(Assignment(lead: id, owner: newOwner, backup: newBackup, due: due, backupByRule: byRule))],
                        reply: reply)
    }

    private func choose(_ choice: PersonChoice, current: String?, argument: String) throws(CommandError) -> String? {
        switch choice {
        case .keep: return current
        case .nobody: return nil
        case .person(let name): return try requireOfficePerson(name, argument: argument)
        }
    }

    /// Whether a lead's backup may take it over now: it has no owner, its owner missed
    /// the due time (the backup trigger, 001), or its owner is away. Supervisors may
    /// take over at any time.
    public func backupMayTakeOver(_ lead: Lead, at now: Date) -> Bool {
        guard lead.owner != nil else { return true }
        if isAway(lead.owner) { return true }
        guard let due = lead.due else { return false }
        return now >= due
    }

    /// `TAKEOVER`: the backup after the trigger (or while the primary is away), or a
    /// supervisor at any time, becomes the primary; the old primary becomes the backup,
    /// and the new owner gets the backup window to act.
    func decideTakeover(_ id: LeadID, by actor: Person, at now: Date) throws(CommandError) -> Decision {
        let lead = try requireLead(id)
        try requireOpen(lead)
        if lead.owner == actor.name {
            return Decision(changes: [], reply: [Field("lead", id), Field("owner", actor.name)],
                            message: "lead \(id) is already yours")
        }
        let isBackup = lead.backup == actor.name
        if !actor.role.isSupervisor {
            guard isBackup, actor.role.isOffice else {
                throw CommandError.denied(need: Role.supervisors, lead: id,
                                          "TAKEOVER is for lead \(id)'s backup once it is overdue, or for a \(Role.supervisors.spokenList)")
            }
            guard backupMayTakeOver(lead, at: now) else {
                let due = lead.due.map { "it is due at \(policy.spoken($0, now: now))" } ?? "it has no due time"
                throw CommandError(.denied, fields: [Field("lead", id), Field.person("owner", lead.owner)],
                                   "you are lead \(id)'s backup; you may take it over once \(lead.owner ?? "its owner") misses the due time (\(due)), or ask a dispatcher")
            }
        }
        // The previous owner becomes the backup (PROTOCOL.md, roles): they know the
        // customer. Not one who is away while the lead has a backup at hand: the backup
        // trigger would find nobody. A backup taking over an unowned lead stops backing
        // itself up.
        var backup = BackupUpdate.unchanged
        if let previous = lead.owner, isBackup || lead.backup == nil || !isAway(previous) {
            backup = .set(previous)
        } else if isBackup {
            backup = .set(nil)
        }
        // An overdue lead's new owner gets a fresh window, except the backup who was asked
        // at its trigger: their own window already runs from when they were asked, and
        // ends in the escalation if no attempt is logged (PRODUCT.md). A fresh due time
        // would start the trigger over: a second backup alert, ops told 30 minutes late.
        var due: Date?
        if let current = lead.due, current <= now, !(isBackup && lead.raised[.backup] == current) {
            due = Timestamp.truncatedToMillis(policy.business.add(policy.backupWindow, to: now))
        }
        let claim = Claim(lead: id, owner: actor.name, from: lead.owner, backup: backup, isTakeover: true, due: due)
        return Decision(changes: [.claimed(claim)], reply: claimReply(claim, lead))
    }

    /// `NEXT`: claims the most urgent lead the person may take — an unowned lead, or one
    /// they back up whose primary missed it or is away — in the order of 003.
    func decideNext(by actor: Person, at now: Date) throws(CommandError) -> Decision {
        guard actor.role.isOffice else {
            throw CommandError.denied(need: Role.office, "NEXT is for office roles; you are \(actor.role.rawValue)")
        }
        // From the indexes: unowned leads, and the leads this person backs up.
        let backedUp = (openByBackup[actor.name] ?? []).compactMap { leads[$0] }.filter { lead in
            lead.owner != nil && lead.owner != actor.name && backupMayTakeOver(lead, at: now)
        }
        let today = today(at: now)
        let candidates = openUnowned.compactMap { leads[$0] } + backedUp
        guard let lead = candidates.min(by: { ListPosition($0, today: today) < ListPosition($1, today: today) }) else {
            return Decision(changes: [], reply: [], message: "nothing waiting: no unowned lead, and none you back up needs you")
        }
        var decision = lead.owner == nil
            ? try decideClaim(lead.id, by: actor, at: now)
            : try decideTakeover(lead.id, by: actor, at: now)
        decision.reply += [Field("kind", lead.kind.rawValue), Field("urgency", lead.urgency.rawValue)]
        if let name = lead.name { decision.reply.append(Field("name", name)) }
        if let phone = lead.phone { decision.reply.append(Field("phone", phone)) }
        if let service = lead.service { decision.reply.append(Field("service", service)) }
        if !decision.reply.contains(where: { $0.key == "due" }) { decision.reply.append(Field.time("due", lead.due)) }
        return decision
    }
}

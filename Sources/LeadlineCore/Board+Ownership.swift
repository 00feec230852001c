import Foundation

extension Board {
    /// `CLAIM`: an office person becomes the primary owner of an unowned lead.
    func decideClaim(_ id: LeadID, by actor: Person) throws(CommandError) -> Decision {
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
        let backup: BackupUpdate = lead.backup == actor.name ? .set(nil) : .unchanged
        let claim = Claim(lead: id, owner: actor.name, backup: backup)
        return Decision(changes: [.claimed(claim)], reply: [Field("lead", id), Field("owner", actor.name)])
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

    /// `ASSIGN`: a supervisor sets the owner, the backup, or both.
    func decideAssign(_ id: LeadID, owner: PersonChoice, backup: PersonChoice, by actor: Person) throws(CommandError) -> Decision {
        try requireSupervisor(actor, doing: "ASSIGN", lead: id)
        let lead = try requireLead(id)
        try requireOpen(lead)
        guard owner != .keep || backup != .keep else {
            throw CommandError.invalid(argument: "owner", "ASSIGN needs an owner, a backup, or both: ASSIGN \(id) maria backup=devon")
        }
        let newOwner = try choose(owner, current: lead.owner, argument: "owner")
        let newBackup = try choose(backup, current: lead.backup, argument: "backup")
        if let newOwner, newOwner == newBackup {
            throw CommandError.invalid(argument: "backup", "the backup must be someone other than the owner (\(newOwner))")
        }
        let reply = [Field("lead", id), Field.person("owner", newOwner), Field.person("backup", newBackup)]
        if newOwner == lead.owner && newBackup == lead.backup {
            return Decision(changes: [], reply: reply, message: "nothing to change")
        }
        return Decision(changes: [.assigned(lead: id, owner: newOwner, backup: newBackup)], reply: reply)
    }

    private func choose(_ choice: PersonChoice, current: String?, argument: String) throws(CommandError) -> String? {
        switch choice {
        case .keep: return current
        case .nobody: return nil
        case .person(let name): return try requireOfficePerson(name, argument: argument)
        }
    }

    /// Whether a lead's backup may take it over now: its primary missed the due time
    /// (the backup trigger of 001). Supervisors may take over at any time.
    public func backupMayTakeOver(_ lead: Lead, at now: Date) -> Bool {
        guard lead.owner != nil else { return true }
        guard let due = lead.due else { return false }
        return now >= due
    }

    /// `TAKEOVER`: the backup after the trigger, or a supervisor at any time, becomes
    /// the primary. The old primary becomes the backup, so the lead keeps two names.
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
        var backup = BackupUpdate.unchanged
        if let previous = lead.owner, isBackup || lead.backup == nil {
            backup = .set(previous)
        } else if isBackup {
            backup = .set(nil)
        }
        let claim = Claim(lead: id, owner: actor.name, from: lead.owner, backup: backup, isTakeover: true)
        var reply = [Field("lead", id), Field("owner", actor.name)]
        if let from = lead.owner { reply.append(Field("from", from)) }
        return Decision(changes: [.claimed(claim)], reply: reply)
    }
}

import Foundation

extension Board {
    /// `ESCALATE`: an owner-level exception (004: angry customer, high-value job,
    /// warranty dispute, emergency, pricing or financing, commercial account). The lead
    /// is marked `escalated` and the owner role is alerted.
    func decideEscalate(_ id: LeadID, reason: String, by actor: Person) throws(CommandError) -> Decision {
        let lead = try requireLead(id)
        try requireWorkerOrTech(actor, on: lead, doing: "ESCALATE")
        try requireOpen(lead)
        let why = reason.trimmingBlanks
        guard !why.isEmpty else {
            throw CommandError.invalid(argument: "reason", "ESCALATE needs the reason: ESCALATE \(id) angry customer, invoice dispute")
        }
        let alert = exceptionAlert(lead, reason: why, by: actor)
        let status = StatusChange(lead: id, status: .escalated, reason: why, due: lead.due, action: lead.nextAction)
        return Decision(changes: [.statusChanged(status), .alert(alert)],
                        reply: [Field("lead", id), Field("status", "escalated"), Field("ask", alert.ask.joined(separator: ","))])
    }

    /// The owner role's alert for an owner-level exception: `ESCALATE`, or a lead's
    /// status set to `escalated` (the same act, the same alert).
    func exceptionAlert(_ lead: Lead, reason why: String, by actor: Person) -> Alert {
        let ask = ownerContacts()
        return Alert(kind: .escalation, lead: lead.id, owner: lead.owner, backup: lead.backup, ask: ask, anchor: nil,
                     text: "\(actor.name) escalated \(lead.label) to \(named(ask)): \(why).")
    }

    /// `MERGE`: a duplicate (the customer called twice) is closed into the open lead it
    /// repeats, with a note on that lead.
    func decideMerge(_ id: LeadID, into target: LeadID, force: Bool, by actor: Person) throws(CommandError) -> Decision {
        let duplicate = try requireLead(id)
        let kept = try requireLead(target)
        guard id != target else { throw CommandError.invalid(argument: "lead", "a lead cannot be merged into itself") }
        try requireOpen(duplicate)
        try requireOpen(kept)
        if !actor.role.isSupervisor {
            guard duplicate.isHeld(by: actor.name) || kept.isHeld(by: actor.name) || duplicate.owner == nil else {
                throw CommandError.denied(need: Role.supervisors, lead: id,
                                          "MERGE is for a holder of one of the two leads, or a \(Role.supervisors.spokenList)")
            }
        }
        var message: String?
        if let a = duplicate.phone, let b = kept.phone, Self.phoneKey(a) != Self.phoneKey(b) {
            // Two customers, or one with two numbers: a person must say which.
            guard force else {
                throw CommandError(.conflict, fields: [Field("lead", id), Field("into", target)],
                                   "lead \(id) (\(a)) and lead \(target) (\(b)) have different phone numbers; "
                                   + "if they are the same customer, MERGE \(id) into \(target) force")
            }
            message = "merged though the phone numbers differ: \(a) (lead \(id)) and \(b) (lead \(target))"
        }
        let summary = [duplicate.name, duplicate.phone, duplicate.service].compactMap { $0 }.joined(separator: ", ")
        return Decision(changes: [
            .statusChanged(StatusChange(lead: id, status: .disqualified, reason: "duplicate of lead \(target)", mergedInto: target)),
            .noted(lead: target, text: "lead \(id) merged in: the customer called again (\(summary))"),
        ], reply: [Field("lead", id), Field("into", target)], message: message)
    }

    /// `ACK`: the acknowledgement an after-hours lead is owed (002 stage 1, 000) was
    /// sent. Any office role may log it without owning the lead. It is not an attempt:
    /// the first call stays due at the opening, the backup trigger still runs, and it
    /// is not a first response.
    func decideAcknowledge(_ id: LeadID, note: String?, by actor: Person, at now: Date) throws(CommandError) -> Decision {
        let lead = try requireLead(id)
        guard actor.role.isOffice else {
            throw CommandError.denied(need: Role.office, lead: id, "ACK is for office roles; you are \(actor.role.rawValue)")
        }
        try requireOpen(lead)
        guard lead.ackOwed else {
            throw CommandError(.conflict, fields: [Field("lead", id)],
                               "lead \(id) owes no acknowledgement (it arrived in business hours, or one is logged); NOTE \(id) records a message")
        }
        let text = note?.trimmingBlanks
        return Decision(changes: [.acknowledged(lead: id, note: text?.isEmpty == false ? text : nil)],
                        reply: [Field("lead", id), Field.time("due", lead.due)],
                        message: "acknowledged; the first call is still due \(lead.due.map { policy.spoken($0, now: now) } ?? "when one is set")")
    }
}

import Foundation

extension Board {
    /// `NOTE`: a line on the lead's history, by whoever works it (or its technician).
    func decideNote(_ id: LeadID, text: String, by actor: Person) throws(CommandError) -> Decision {
        let lead = try requireLead(id)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw CommandError.invalid(argument: "text", "NOTE needs some text: NOTE \(id) spoke with homeowner, estimate Wed")
        }
        if actor.role == .tech {
            guard lead.appointment?.tech == actor.name else {
                throw CommandError(.denied, fields: [Field("lead", id)],
                                   "technicians note the leads of their own appointments; lead \(id) is not one of yours")
            }
        } else {
            try requireWorker(actor, on: lead, doing: "NOTE")
        }
        return Decision(changes: [.noted(lead: id, text: trimmed)], reply: [Field("lead", id)])
    }

    /// `ATTEMPT`: a logged callback attempt; it moves a working status along and sets
    /// the next due time (`next=`), or clears it until a next step is set.
    func decideAttempt(_ id: LeadID, channel: AttemptChannel, outcome: AttemptOutcome, next: TimeSpec?,
                       note: String?, by actor: Person, at now: Date) throws(CommandError) -> Decision {
        let lead = try requireLead(id)
        try requireWorker(actor, on: lead, doing: "ATTEMPT")
        try requireOpen(lead)
        let due = try next.map { spec throws(CommandError) in try resolveFuture(spec, argument: "next", now: now) }
        let status = lead.status.after(channel, outcome)
        let change = Change.attempted(lead: id, channel: channel, outcome: outcome, status: status, due: due,
                                      note: note.flatMap { $0.isEmpty ? nil : $0 })
        return Decision(changes: [change], reply: [Field("lead", id), Field("status", status.rawValue), Field.time("due", due)])
    }

    /// `STATUS`: a new status with its proof. Closing statuses end the lead;
    /// `disqualified` and `escalated` need `reason=`, `follow-up-scheduled` and
    /// `no-decision` need `next=`, `booked` needs `appt=`, and `closed-no-response`
    /// needs at least one logged attempt.
    func decideStatus(_ r: StatusRequest, by actor: Person, at now: Date) throws(CommandError) -> Decision {
        let lead = try requireLead(r.lead)
        try requireWorker(actor, on: lead, doing: "STATUS")
        if !lead.isOpen && r.status.closesLead {
            throw CommandError(.conflict, fields: [Field("lead", lead.id), Field("status", lead.status.rawValue)],
                               "lead \(lead.id) is already closed (\(lead.status.rawValue))")
        }
        let status = r.status.rawValue
        if r.status.requiresReason, r.reason?.isEmpty != false {
            throw CommandError.invalid(argument: "reason", "\(status) needs its reason: STATUS \(lead.id) \(status) reason=\"out of area\"")
        }
        if r.status.requiresNextTime, r.next == nil {
            throw CommandError.invalid(argument: "next", "\(status) needs the time of the next touch: STATUS \(lead.id) \(status) next=thu")
        }
        if r.status.requiresAppointment, r.appointment == nil {
            throw CommandError.invalid(argument: "appt", "booked needs the appointment time: STATUS \(lead.id) booked appt=\"tomorrow 9am\"")
        }
        if r.status == .closedNoResponse, lead.attempts.isEmpty {
            throw CommandError.invalid(argument: "status", "closed-no-response needs the attempts logged first: ATTEMPT \(lead.id) call no-answer")
        }
        let next = try r.next.map { spec throws(CommandError) in try resolveFuture(spec, argument: "next", now: now) }
        var appointment: Appointment?
        if let spec = r.appointment {
            let at = try resolveFuture(spec, argument: "appt", now: now)
            var tech: String?
            if let name = r.tech {
                guard let person = people[name.lowercased()] else {
                    throw CommandError(.notFound, fields: [Field("arg", "tech"), Field("person", name.lowercased())],
                                       "there is no one called \(name.lowercased()); WHO lists everyone")
                }
                tech = person.name
            }
            appointment = Appointment(at: at, tech: tech)
        }
        let due: Date?
        if r.status.closesLead || r.status == .booked {
            due = next
        } else {
            due = next ?? lead.due
        }
        let change = StatusChange(lead: lead.id, status: r.status, reason: r.reason, due: r.status.closesLead ? nil : due,
                                  appointment: appointment, note: r.note.flatMap { $0.isEmpty ? nil : $0 })
        var reply = [Field("lead", lead.id), Field("status", status)]
        if !r.status.closesLead { reply.append(Field.time("due", change.due)) }
        return Decision(changes: [.statusChanged(change)], reply: reply)
    }
}

import Foundation

extension Board {
    /// `NOTE`: a line on the lead's history, by whoever works it (or its technician).
    func decideNote(_ id: LeadID, text: String, by actor: Person) throws(CommandError) -> Decision {
        let lead = try requireLead(id)
        let trimmed = text.trimmingBlanks
        guard !trimmed.isEmpty else {
            throw CommandError.invalid(argument: "text", "NOTE needs some text: NOTE \(id) spoke with homeowner, estimate Wed")
        }
        try requireWorkerOrTech(actor, on: lead, doing: "NOTE")
        return Decision(changes: [.noted(lead: id, text: trimmed)], reply: [Field("lead", id)])
    }

    /// Office workers of the lead, supervisors, or the technician of its appointment.
    func requireWorkerOrTech(_ actor: Person, on lead: Lead, doing verb: String) throws(CommandError) {
        if actor.role == .tech {
            guard lead.appointment?.tech == actor.name else {
                throw CommandError(.denied, fields: [Field("lead", lead.id)],
                                   "technicians \(verb == "NOTE" ? "note" : "report on") the leads of their own appointments; lead \(lead.id) is not one of yours")
            }
        } else {
            try requireWorker(actor, on: lead, doing: verb)
        }
    }

    /// `ATTEMPT`: a logged callback attempt. It moves a working status along and sets
    /// the next touch: the `next=` given, else the lead's cadence (the missed-call
    /// rhythm for missed calls and new leads, the estimate cadence for estimates).
    /// Reaching the customer ends the rhythm: the next step is then the person's to set.
    /// When the rhythm runs out, the lead is closed as no-response (004).
    func decideAttempt(_ id: LeadID, channel: AttemptChannel, outcome: AttemptOutcome, next: TimeSpec?,
                       note: String?, by actor: Person, at now: Date) throws(CommandError) -> Decision {
        let lead = try requireLead(id)
        try requireWorker(actor, on: lead, doing: "ATTEMPT")
        try requireOpen(lead)
        let status = lead.status.after(channel, outcome)
        var attempt = AttemptChange(lead: id, channel: channel, outcome: outcome, status: status, due: nil,
                                    note: note.flatMap { $0.isEmpty ? nil : $0 })
        var closes = false
        if let next {
            // A time given is a follow-up, as for STATUS: a due time always says what is due.
            attempt.due = try resolveFuture(next, argument: "next", now: now)
            attempt.action = "follow-up"
        } else {
            let planner = DuePlanner(policy: policy)
            switch lead.kind {
            case .missedCall, .newLead:
                if !outcome.reachedCustomer,
                   let step = planner.rhythmStep(lead.cadenceStep, started: lead.attempts.first?.at ?? now, now: now) {
                    attempt.step = lead.cadenceStep + 1
                    attempt.action = step.action
                    closes = step.action == "close"
                    if !closes { attempt.due = Timestamp.truncatedToMillis(step.due) }
                }
            case .estimate:
                // The next step of the cadence still ahead: a follow-up made late does
                // not leave the next one already overdue.
                var step = lead.cadenceStep + 1
                let sent = lead.cadenceStart ?? lead.createdAt
                while let due = planner.estimateStep(step, sent: sent), due <= now { step += 1 }
                attempt.step = step
                if let due = planner.estimateStep(step, sent: sent) {
                    attempt.due = Timestamp.truncatedToMillis(due)
                    attempt.action = "follow-up"
                }
            default:
                break
            }
        }
        var changes: [Change] = [.attempted(attempt)]
        var reply = [Field("lead", id), Field("status", status.rawValue), Field.time("due", attempt.due)]
        if let action = attempt.action, !closes { reply.append(Field("action", action)) }
        var message: String?
        if closes {
            changes.append(.statusChanged(StatusChange(
                lead: id, status: .closedNoResponse, reason: "no answer after the missed-call recovery rhythm")))
            reply[1] = Field("status", LeadStatus.closedNoResponse.rawValue)
            message = "the recovery rhythm is done: lead \(id) is closed as no-response"
        } else if attempt.due == nil {
            message = "lead \(id) has no next step now: set one with STATUS or ATTEMPT next="
        }
        return Decision(changes: changes, reply: reply, message: message)
    }

    /// `STATUS`: a new status with its proof. Closing statuses end the lead;
    /// `disqualified` and `escalated` need `reason=`, `follow-up-scheduled` and
    /// `no-decision` need `next=`, `booked` needs `appt=`, and `closed-no-response`
    /// needs at least one logged attempt. `estimate-sent` starts the estimate cadence.
    func decideStatus(_ r: StatusRequest, by actor: Person, at now: Date) throws(CommandError) -> Decision {
        let lead = try requireLead(r.lead)
        if r.status == .completed, actor.role == .tech {
            // The technician completes the job of their own visit.
            try requireWorkerOrTech(actor, on: lead, doing: "STATUS")
        } else {
            try requireWorker(actor, on: lead, doing: "STATUS")
        }
        if !lead.isOpen && r.status.closesLead {
            throw CommandError(.conflict, fields: [Field("lead", lead.id), Field("status", lead.status.rawValue)],
                               "lead \(lead.id) is already closed (\(lead.status.rawValue))")
        }
        let status = r.status.rawValue
        if r.status.requiresReason, r.reason?.isEmpty != false {
            let example = r.status == .escalated ? "angry customer" : "out of area"
            throw CommandError.invalid(argument: "reason", "\(status) needs its reason: STATUS \(lead.id) \(status) reason=\"\(example)\"")
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
            let tech = try r.tech.map { name throws(CommandError) in try requirePerson(name, argument: "tech").name }
            appointment = Appointment(at: at, tech: tech)
        }
        if let value = r.value, value < 0 { throw CommandError.invalid(argument: "value", "value is a whole number of dollars") }
        var change = StatusChange(lead: lead.id, status: r.status, reason: r.reason, appointment: appointment, value: r.value,
                                  note: r.note.flatMap { $0.isEmpty ? nil : $0 })
        // Back to being worked, or closed without the work, while a visit is booked:
        // the visit is called off.
        change.unbooks = lead.hasPendingVisit && (r.status.callsOffAVisit || (r.status.closesLead && r.status != .completed))
        change.reopens = !lead.isOpen && !r.status.closesLead
        if r.status.closesLead {
            change.due = nil
        } else if r.status == .estimateSent {
            change.kind = .estimate
            change.due = next ?? DuePlanner(policy: policy).estimateStep(0, sent: now).map(Timestamp.truncatedToMillis)
            change.action = "follow-up"
        } else if r.status == .booked {
            change.due = next
        } else if r.status == .workApproved {
            change.due = next ?? schedulingDue(at: now)
            change.action = "schedule"
        } else if change.reopens, next == nil, r.status != .escalated {
            // The customer is back and no time was given: due as a new lead is, from
            // now (closing cleared its due time; none would leave it with no next step).
            // An escalated lead waits for the owner role, with no time of its own.
            let plan = DuePlanner(policy: policy).firstResponse(kind: .newLead, arriving: now, requested: nil, job: nil)
            change.due = plan.due.map(Timestamp.truncatedToMillis)
            change.action = plan.action
        } else {
            change.due = next ?? lead.due
            change.action = next != nil ? "follow-up" : lead.nextAction
        }
        var reply = [Field("lead", lead.id), Field("status", status)]
        if !r.status.closesLead { reply.append(Field.time("due", change.due)) }
        var message: String?
        if OutcomeRule.claimsContact.contains(r.status), lead.attempts.isEmpty {
            // "The CRM says 'contacted' when nobody had a real conversation" (000).
            message = "\(status) is not an outcome while no attempt is logged: lead \(lead.id) stays in the end-of-day sweep "
                + "until one is (ATTEMPT \(lead.id) call connected next=<time>)"
        }
        if change.reopens, lead.status == .completed, let call = lead.postJobLead, leads[call]?.isOpen == true {
            // The job is not done after all: the satisfaction call it made would ask too
            // soon. Closing a lead is a person's call; the remark says it is there.
            let note = "lead \(lead.id) is open again, and the post-job call of its completed job, lead \(call), still is: "
                + "close that call if the job is not done (STATUS \(call) disqualified reason=\"job reopened\")"
            message = message.map { $0 + "; " + note } ?? note
        }
        var decision = Decision(changes: [.statusChanged(change)], reply: reply, message: message)
        if r.status == .escalated, lead.status != .escalated, let why = r.reason {
            // Escalating by status is escalating: the owner role hears, as with ESCALATE.
            let alert = exceptionAlert(lead, reason: why, by: actor)
            decision.changes.append(.alert(alert))
            decision.reply.append(Field("ask", alert.ask.joined(separator: ",")))
        }
        handOff(lead, after: r.status, value: r.value ?? lead.value, into: &decision, at: now)
        if r.status == .completed, lead.kind != .postJob, lead.postJobLead.flatMap({ leads[$0]?.isOpen }) != true {
            // (Completed again after a reopening: a new call, unless the first is still open.)
            // 003: the satisfaction call 24–48 h after the job, a callback of its own.
            let call = postJobCall(after: lead, at: now)
            decision.changes.append(.created(call))
            decision.reply.append(Field("post-job", call.lead))
            decision.message = "completed; post-job call lead \(call.lead) is due \(call.due.map { policy.spoken($0, now: now) } ?? "when set")"
        }
        return decision
    }

    /// `OUTCOME`: the technician's result, before leaving the driveway (002 stage 3):
    /// `estimate-sent` starts the estimate cadence, `no-decision` needs `followup=`,
    /// `work-approved` needs nothing more.
    func decideOutcome(_ r: OutcomeRequest, by actor: Person, at now: Date) throws(CommandError) -> Decision {
        let lead = try requireLead(r.lead)
        try requireWorkerOrTech(actor, on: lead, doing: "OUTCOME")
        try requireOpen(lead)
        if let value = r.value, value < 0 { throw CommandError.invalid(argument: "value", "value is a whole number of dollars") }
        let followUp = try r.followUp.map { spec throws(CommandError) in try resolveFuture(spec, argument: "followup", now: now) }
        var change = OutcomeChange(lead: lead.id, result: r.result, due: nil, action: nil, value: r.value,
                                   note: r.note.flatMap { $0.isEmpty ? nil : $0 })
        switch r.result {
        case .estimateSent:
            change.due = followUp ?? DuePlanner(policy: policy).estimateStep(0, sent: now).map(Timestamp.truncatedToMillis)
            change.action = "follow-up"
        case .noDecision:
            guard let followUp else {
                throw CommandError.invalid(argument: "followup", "no-decision needs the follow-up date: OUTCOME \(lead.id) no-decision followup=thu")
            }
            change.due = followUp
            change.action = "follow-up"
        case .workApproved:
            change.due = schedulingDue(at: now)
            change.action = "schedule"
        }
        var decision = Decision(changes: [.outcome(change)],
                                reply: [Field("lead", lead.id), Field("status", r.result.status.rawValue), Field.time("due", change.due)])
        handOff(lead, after: r.result.status, value: r.value ?? lead.value, into: &decision, at: now)
        return decision
    }

    /// Adds the hand-off a stage's outcome makes (002): an estimate sent goes to its
    /// follow-up owner, approved work to the dispatcher to schedule.
    func handOff(_ lead: Lead, after status: LeadStatus, value: Int?, into decision: inout Decision, at now: Date) {
        let stage: Stage
        switch status {
        case .estimateSent: stage = .estimateFollowUp
        case .workApproved: stage = .scheduling
        default: return
        }
        guard let assignment = handoff(lead, to: stage, value: value, at: now) else { return }
        decision.changes.append(.assigned(assignment))
        decision.reply += [Field.person("owner", assignment.owner), Field.person("backup", assignment.backup), Field("stage", stage.rawValue)]
        let work = stage == .estimateFollowUp ? "the estimate follow-up" : "scheduling the work"
        decision.message = "handed to \(assignment.owner ?? "nobody") for \(work)" + (assignment.backup.map { "; \($0) backs them up" } ?? "")
    }
}

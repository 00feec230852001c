import Foundation

/// The SOP clock: which alerts fall due when. Pure functions of the board and a time,
/// so the server can scan on a timer, a simulated clock can step through a day in
/// order, and a restarted server raises what fell due while it was down.
///
/// Each alert is about one instance of its condition — a lead's due time, the moment
/// it became unowned, a day's sweep — and a lead remembers the instance it was
/// alerted for (``Lead/raised``), so an alert is raised once, and not again after a
/// restart: the journal holds the alert, and replay rebuilds the memory.
extension Board {
    /// Alerts due at `now` that have not been raised, oldest first.
    public func dueAlerts(at now: Date) -> [Change] {
        var due = pendingAlerts(at: now).filter { $0.fire <= now }
        due.sort { a, b in
            (a.fire, a.alert.lead ?? 0, Self.kindOrder[a.alert.kind] ?? 0) < (b.fire, b.alert.lead ?? 0, Self.kindOrder[b.alert.kind] ?? 0)
        }
        return due.map { .alert($0.alert) }
    }

    /// Alerts falling due at the same moment on the same lead come in this order.
    private static let kindOrder: [AlertKind: Int] = Dictionary(
        uniqueKeysWithValues: AlertKind.allCases.enumerated().map { ($1, $0) })

    /// The first moment after `now` at which an alert would fall due if nothing changed.
    public func nextAlertTime(after now: Date) -> Date? {
        let leadTimes = pendingAlerts(at: now).map(\.fire).filter { $0 > now }
        let sweep = policy.business.nextSweep(after: now)
        return (leadTimes + [sweep].compactMap { $0 }).min()
    }

    /// Whether an open lead may sleep overnight (000): booked or approved; escalated;
    /// or a next touch set for later — a follow-up, a decision or a reply awaited, no
    /// answer with the attempts logged, or a callback scheduled by its nature (a
    /// promise, an update, an estimate cadence, a post-job or re-engagement call).
    /// A new lead or missed call nobody has tried yet is not documented.
    public func hasDocumentedOutcome(_ lead: Lead, at now: Date) -> Bool {
        guard lead.isOpen else { return true }
        switch lead.status {
        case .booked, .workApproved, .escalated: return true
        default: break
        }
        guard let due = lead.due, due > now else { return false }
        switch lead.status {
        case .followUpScheduled, .noDecision, .estimateSent, .waitingOnCustomer: return true
        default: return !lead.attempts.isEmpty || ![.missedCall, .newLead].contains(lead.kind)
        }
    }

    /// Open leads without a documented outcome, most urgent first: the sweep's list.
    public func undocumented(at now: Date) -> [Lead] {
        leads.values.filter { !hasDocumentedOutcome($0, at: now) }
            .sorted { $0.priority(at: now, policy: policy) < $1.priority(at: now, policy: policy) }
    }

    /// `SWEEP`: the end-of-day sweep, now. Lists every open lead without a documented
    /// outcome and alerts the ops lead about those not yet alerted for this sweep.
    func decideSweep(by actor: Person, at now: Date) throws(CommandError) -> Decision {
        try requireSupervisor(actor, doing: "SWEEP")
        let list = undocumented(at: now)
        let alerts = list.filter { !$0.wasSwept(atOrAfter: now) }.map { Change.alert(sweepAlert($0, sweep: now)) }
        return Decision(changes: alerts, reply: [Field("count", list.count)],
                        message: list.isEmpty ? "every open lead has a documented outcome" : nil,
                        rows: list.map(\.id))
    }

    // MARK: - The conditions

    private struct Pending {
        let fire: Date
        let alert: Alert
    }

    /// Every alert not yet raised for its current condition, with when it falls due.
    private func pendingAlerts(at now: Date) -> [Pending] {
        var out: [Pending] = []
        let lastSweep = policy.business.lastSweep(atOrBefore: now)
        for lead in leads.values where lead.isOpen {
            out += conditions(of: lead, now: now)
            if let sweep = lastSweep, lead.createdAt <= sweep, !lead.wasSwept(atOrAfter: sweep),
               !hasDocumentedOutcome(lead, at: now) {
                out.append(Pending(fire: sweep, alert: sweepAlert(lead, sweep: sweep)))
            }
        }
        return out
    }

    private func conditions(of lead: Lead, now: Date) -> [Pending] {
        let business = policy.business
        var out: [Pending] = []
        let id = lead.id
        // 1. Unassigned: no owner for the assignment window.
        if lead.owner == nil, let since = lead.unownedSince, lead.raised[.unassigned] != since {
            let ask = dispatchContacts()
            out.append(Pending(fire: business.add(policy.assignmentWindow, to: since), alert: Alert(
                kind: .unassigned, lead: id, owner: nil, backup: lead.backup, ask: ask, anchor: since,
                text: "\(lead.label) has had no owner since \(when(since, now)); \(named(ask)), please assign it "
                    + "(ASSIGN \(id) <name>), or anyone take it: CLAIM \(id).")))
        }
        if let due = lead.due, let trigger = lead.triggerTime {
            // 2. Due soon: a promised or update callback close to due, not yet called.
            if lead.kind == .promised || lead.kind == .update, lead.raised[.dueSoon] != due, now < due {
                let ask = [lead.owner, lead.backup].compactMap { $0 }
                out.append(Pending(fire: max(due.addingTimeInterval(-policy.dueSoon), lead.createdAt), alert: Alert(
                    kind: .dueSoon, lead: id, owner: lead.owner, backup: lead.backup,
                    ask: ask.isEmpty ? dispatchContacts() : ask, anchor: due,
                    text: "\(lead.label) is due at \(when(due, now)) and no call is logged yet; "
                        + "owner \(lead.owner ?? "nobody"), backup \(lead.backup ?? "nobody").")))
            }
            // 3. Backup trigger at the due time; straight to ops if the backup cannot act.
            // A lead with neither owner nor backup is the dispatcher's (trigger 1) first:
            // ops hears of it only once the backup window has passed too.
            if lead.raised[.backup] != due, lead.raised[.escalation] != due {
                let orphan = lead.owner == nil && lead.backup == nil
                out.append(Pending(fire: orphan ? business.add(policy.backupWindow, to: trigger) : trigger,
                                   alert: backupAlert(lead, due: due, now: now)))
            }
            // 3b. Escalation when the backup has not acted within its own window.
            if lead.raised[.backup] == due, lead.raised[.escalation] != due {
                let ask = opsContacts()
                out.append(Pending(fire: business.add(policy.backupWindow, to: trigger), alert: Alert(
                    kind: .escalation, lead: id, owner: lead.owner, backup: lead.backup, ask: ask, anchor: due,
                    text: "\(lead.label) still has no call logged \(minutes(policy.backupWindow)) after its backup was asked "
                        + "(due \(when(due, now))): neither \(lead.owner ?? "an owner") nor \(lead.backup ?? "a backup") acted; "
                        + "\(named(ask)), please reassign it now.")))
            }
        }
        // 5. Next step missing: open, nothing scheduled, not resolved.
        if lead.due == nil, ![.booked, .workApproved, .escalated].contains(lead.status),
           let since = lead.noStepSince, lead.raised[.nextStepMissing] != since {
            let ask = lead.owner.map { [$0] } ?? dispatchContacts()
            out.append(Pending(fire: business.add(policy.nextStepGrace, to: since), alert: Alert(
                kind: .nextStepMissing, lead: id, owner: lead.owner, backup: lead.backup, ask: ask, anchor: since,
                text: "\(lead.label) has had no next step since \(when(since, now)); \(named(ask)), set one: "
                    + "ATTEMPT \(id) ... next=<time>, or STATUS \(id) follow-up-scheduled next=<time>, booked or closed.")))
        }
        // 4. Away: the owner went away (alerted at once by AWAY; this catches later assignments).
        if let owner = lead.owner, let away = presence[owner], lead.raised[.away] != away.since {
            out.append(Pending(fire: away.since, alert: awayAlert(lead, owner: owner, reason: away.reason, since: away.since)))
        }
        return out
    }

    private func backupAlert(_ lead: Lead, due: Date, now: Date) -> Alert {
        let step = lead.attempts.isEmpty ? "has logged no attempt" : "has not made the next touch (\(lead.nextAction ?? "call"))"
        let missed = lead.owner.map { "\($0) \(step) on \(lead.label), due at \(when(due, now))" }
            ?? "\(lead.label) was due at \(when(due, now)) and has no owner"
        if let backup = lead.backup, backup != lead.owner, !isAway(backup) {
            return Alert(kind: .backup, lead: lead.id, owner: lead.owner, backup: backup, ask: [backup], anchor: due,
                         text: "\(missed); \(backup), as backup, take it over now: TAKEOVER \(lead.id).")
        }
        let ask = opsContacts()
        let gap = lead.backup.map { "its backup \($0) is away" } ?? "it has no backup"
        return Alert(kind: .escalation, lead: lead.id, owner: lead.owner, backup: lead.backup, ask: ask, anchor: due,
                     text: "\(missed), and \(gap); \(named(ask)), please \(lead.owner == nil ? "assign" : "reassign") it now.")
    }

    func sweepAlert(_ lead: Lead, sweep: Date) -> Alert {
        let ask = opsContacts()
        var state = lead.status.rawValue
        if !lead.attempts.contains(where: { policy.calendar.isDate($0.at, inSameDayAs: sweep) }) { state += ", no attempt today" }
        if lead.due == nil { state += ", no next step" } else if let due = lead.due, due <= sweep { state += ", overdue" }
        return Alert(kind: .sweep, lead: lead.id, owner: lead.owner, backup: lead.backup, ask: ask, anchor: sweep,
                     text: "end-of-day sweep: \(lead.label) has no documented outcome (\(state)); \(named(ask)), "
                        + "it must not sleep overnight: have \(lead.owner ?? "someone") complete it, reassign it or escalate it.")
    }

    private func when(_ date: Date, _ now: Date) -> String { policy.spoken(date, now: now) }

    private func minutes(_ interval: TimeInterval) -> String {
        interval.truncatingRemainder(dividingBy: 3600) == 0 ? "\(Int(interval / 3600)) h" : "\(Int(interval / 60)) min"
    }
}

extension Lead {
    /// Whether a sweep at `sweep` or later already listed this lead. Sweeps only move
    /// forward, so one raised for a later sweep (by a clock that ran ahead for a
    /// while) covers the earlier ones: nothing is swept twice.
    func wasSwept(atOrAfter sweep: Date) -> Bool {
        guard let raised = raised[.sweep] else { return false }
        return raised >= sweep
    }
}

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
    /// What the SOP clock records at `now`: every alert due and not yet raised, and
    /// the end-of-day sweep's marker once the day's sweep has run, oldest first.
    public func dueChanges(at now: Date) -> [Change] {
        var due = pendingAlerts(at: now).filter { $0.fire <= now }.map { (fire: $0.fire, lead: $0.alert.lead ?? 0,
                                                                           order: Self.kindOrder[$0.alert.kind] ?? 0,
                                                                           change: Change.alert($0.alert)) }
        if let sweep = sweepToRun(at: now) {
            // The sweep is decided once, as of its time: its alerts and this marker,
            // after which nothing more is listed for that day.
            let listed = due.filter { if case .alert(let a) = $0.change { a.kind == .sweep } else { false } }.count
            due.append((sweep, Int.max, 0, .swept(at: sweep, listed: listed)))
        }
        due.sort { ($0.fire, $0.lead, $0.order) < ($1.fire, $1.lead, $1.order) }
        return due.map(\.change)
    }

    /// Alerts falling due at the same moment on the same lead come in this order.
    private static let kindOrder: [AlertKind: Int] = Dictionary(
        uniqueKeysWithValues: AlertKind.allCases.enumerated().map { ($1, $0) })

    /// The first moment after `now` at which an alert would fall due if nothing changed.
    public func nextAlertTime(after now: Date) -> Date? {
        let leadTimes = pendingAlerts(at: now).map(\.fire).filter { $0 > now }
        let daily = [policy.business.nextSweep(after: now), policy.business.nextDaily(policy.handoffs.reviewMinute, after: now)]
        return (leadTimes + daily.compactMap { $0 }).min()
    }

    /// The day's sweep, if its time has come, it has not run yet, and there is an open
    /// lead it concerns (one that had arrived by then).
    func sweepToRun(at now: Date) -> Date? {
        guard let sweep = policy.business.lastSweep(atOrBefore: now), sweptThrough.map({ $0 < sweep }) ?? true,
              leads.values.contains(where: { $0.isOpen && $0.createdAt <= sweep }) else { return nil }
        return sweep
    }

    /// Open leads without a documented outcome at `t` (``OutcomeRule``), most urgent
    /// first: the sweep's list.
    public func undocumented(at t: Date) -> [Lead] {
        leads.values.filter { $0.isOpen && !outcome(of: $0, at: t).isDocumented }
            .sorted { $0.priority(at: t, policy: policy) < $1.priority(at: t, policy: policy) }
    }

    /// `SWEEP`: the end-of-day sweep, now. Lists every open lead without a documented
    /// outcome and alerts the ops lead about those not yet alerted for this sweep.
    func decideSweep(by actor: Person, at now: Date) throws(CommandError) -> Decision {
        try requireSupervisor(actor, doing: "SWEEP")
        let list = undocumented(at: now)
        // A lead the day's sweep (or an earlier SWEEP today) already listed is not alerted again.
        let calendar = policy.calendar
        let alerts = list.filter { lead in
            !lead.wasSwept(atOrAfter: now) && !(lead.raised[.sweep].map { calendar.isDate($0, inSameDayAs: now) } ?? false)
        }.map { Change.alert(sweepAlert($0, sweep: now)) }
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
    /// The day's sweep, until it has run, judges each lead as of the sweep's time.
    private func pendingAlerts(at now: Date) -> [Pending] {
        var out: [Pending] = []
        let sweep = sweepToRun(at: now)
        for lead in leads.values where lead.isOpen {
            out += conditions(of: lead, now: now)
            if let sweep, lead.createdAt <= sweep, !lead.wasSwept(atOrAfter: sweep), !outcome(of: lead, at: sweep).isDocumented {
                out.append(Pending(fire: sweep, alert: sweepAlert(lead, sweep: sweep)))
            }
        }
        if let review = reviewAlert(at: now) { out.append(Pending(fire: review.fire, alert: review.alert)) }
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
                // The backup's window runs from when they were actually asked.
                let asked = max(trigger, lead.backupAskedAt ?? trigger)
                out.append(Pending(fire: business.add(policy.backupWindow, to: asked), alert: Alert(
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
        // 5b. A visit with no outcome posted: its technician and the dispatcher, once.
        if lead.hasPendingVisit, let appt = lead.appointment, lead.outcomeChasedFor != appt.at {
            let ask = (appt.tech.map { [$0] } ?? []) + dispatchContacts().filter { $0 != appt.tech }
            let who = appt.tech ?? "the technician"
            out.append(Pending(fire: appt.at.addingTimeInterval(policy.appointmentOutcome), alert: Alert(
                kind: .nextStepMissing, lead: id, owner: lead.owner, backup: lead.backup, ask: ask, anchor: nil, appointment: appt.at,
                text: "\(who) has posted no result for the \(when(appt.at, now)) visit on \(lead.label), "
                    + "\(Procedure.duration(policy.appointmentOutcome)) after it began: OUTCOME \(id) estimate-sent, work-approved "
                    + "or no-decision followup=<date>; \(named(Array(ask.dropFirst(appt.tech == nil ? 0 : 1)))), check with \(who).")))
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
        let missing = outcome(of: lead, at: sweep).spoken
        return Alert(kind: .sweep, lead: lead.id, owner: lead.owner, backup: lead.backup, ask: ask, anchor: sweep,
                     text: "end-of-day sweep: \(lead.label) has no documented outcome (\(lead.status.rawValue): \(missing)); "
                        + "\(named(ask)), it must not sleep overnight: have \(lead.owner ?? "someone") complete it, reassign it or escalate it.")
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

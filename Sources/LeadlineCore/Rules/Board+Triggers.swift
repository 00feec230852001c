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
    ///
    /// Looks only at the leads the ``AlertIndex`` says may be due by `now` (and, once a
    /// day, at every open lead for the sweep).
    public func dueChanges(at now: Date) -> [Change] {
        dueChanges(at: now, among: alertIndex.split(at: now).due)
    }

    /// The first moment after `now` at which an alert would fall due if nothing changed.
    public func nextAlertTime(after now: Date) -> Date? {
        let split = alertIndex.split(at: now)
        return nextAlertTime(after: now, among: split.due, indexedAfter: split.nextAfter)
    }

    /// The index's reference: the same answers found by looking at every open lead, as
    /// the SOP clock did before the index. Slow; the property test holds the index to it.
    public func dueChangesByScan(at now: Date) -> [Change] {
        dueChanges(at: now, among: leads.residentValues.filter(\.isOpen).map(\.id))
    }

    /// See ``dueChangesByScan(at:)``.
    public func nextAlertTimeByScan(after now: Date) -> Date? {
        nextAlertTime(after: now, among: leads.residentValues.filter(\.isOpen).map(\.id), indexedAfter: nil)
    }

    /// Alerts due at `now` among the `candidates` (every lead that may have one).
    private func dueChanges(at now: Date, among candidates: [LeadID]) -> [Change] {
        var due: [(fire: Date, lead: Int, order: Int, change: Change)] = []
        for id in candidates {
            guard let lead = leads[id] else { continue }
            for pending in conditions(of: lead, now: now) where pending.fire <= now {
                due.append((pending.fire, id, Self.kindOrder[pending.condition.kind] ?? 0,
                            .alert(alert(for: pending.condition, of: lead, now: now))))
            }
        }
        if let sweep = sweepToRun(at: now) {
            // The sweep is decided once, as of its time: its alerts and this marker,
            // after which nothing more is listed for that day.
            var listed = 0
            for id in openLeadIDs() {
                guard let lead = leads[id], sweepConcerns(lead, sweep: sweep) else { continue }
                due.append((sweep, lead.id, Self.kindOrder[.sweep] ?? 0, .alert(sweepAlert(lead, sweep: sweep))))
                listed += 1
            }
            due.append((sweep, Int.max, 0, .swept(at: sweep, listed: listed)))
        }
        if let review = reviewAlert(at: now), review.fire <= now {
            due.append((review.fire, 0, Self.kindOrder[.sweep] ?? 0, .alert(review.alert)))
        }
        due.sort { ($0.fire, $0.lead, $0.order) < ($1.fire, $1.lead, $1.order) }
        return due.map(\.change)
    }

    /// Alerts falling due at the same moment on the same lead come in this order.
    private static let kindOrder: [AlertKind: Int] = Dictionary(
        uniqueKeysWithValues: AlertKind.allCases.enumerated().map { ($1, $0) })

    /// The next alert after `now`: the earliest of `indexedAfter` (the index's first
    /// entry after now), the `candidates`' later conditions (a lead indexed at or before
    /// now may hold one behind a due one), and the day's sweep and review.
    private func nextAlertTime(after now: Date, among candidates: [LeadID], indexedAfter: Date?) -> Date? {
        var next = indexedAfter
        for id in candidates {
            guard let lead = leads[id] else { continue }
            for pending in conditions(of: lead, now: now) where pending.fire > now {
                if next.map({ pending.fire < $0 }) ?? true { next = pending.fire }
            }
        }
        let daily = [policy.business.nextSweep(after: now), policy.business.nextDaily(policy.handoffs.reviewMinute, after: now)]
        return ([next].compactMap { $0 } + daily.compactMap { $0 }).min()
    }

    /// The earliest moment `lead`'s conditions, as of `now`, can raise an alert (nil: none
    /// can until the lead changes): its entry in the ``AlertIndex``.
    func earliestAlert(of lead: Lead, now: Date) -> Date? {
        guard lead.isOpen else { return nil }
        return conditions(of: lead, now: now).map(\.fire).min()
    }

    /// Whether the sweep at `sweep` lists `lead`: open, on the board by then (an import
    /// after it is not, whatever the file says it arrived), not yet listed,
    /// and without a documented outcome as of the sweep.
    private func sweepConcerns(_ lead: Lead, sweep: Date) -> Bool {
        lead.isOpen && lead.onBoardSince <= sweep && !lead.wasSwept(atOrAfter: sweep) && !outcome(of: lead, at: sweep).isDocumented
    }

    /// The day's sweep, if its time has come, it has not run yet, and there is an open
    /// lead it concerns (one that had arrived by then).
    func sweepToRun(at now: Date) -> Date? {
        guard let sweep = policy.business.lastSweep(atOrBefore: now), sweptThrough.map({ $0 < sweep }) ?? true,
              anyOpenLead({ $0.onBoardSince <= sweep }) else { return nil }
        return sweep
    }

    /// Open leads without a documented outcome at `t` (``OutcomeRule``), most urgent
    /// first: the sweep's list.
    public func undocumented(at t: Date) -> [Lead] {
        mostUrgentFirst(openLeads { !outcome(of: $0, at: t).isDocumented }, at: t)
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

    /// One instance of a lead's condition that raises an alert when its time comes.
    /// Kept apart from the alert's words, which are written only when it is raised.
    enum Condition {
        /// 1. No owner since `since` for the assignment window.
        case unassigned(since: Date)
        /// 2. A promised or update callback close to `due`, not yet called.
        case dueSoon(due: Date)
        /// 3. The backup trigger at the due time (to ops if the backup cannot act).
        case backup(due: Date)
        /// 3b. The backup has not acted within its own window.
        case escalation(due: Date)
        /// 5. Open with no next step since `since`.
        case nextStepMissing(since: Date)
        /// 5b. A visit with no outcome posted.
        case visitWithoutOutcome(Appointment)
        /// 4. The owner went away.
        case away(owner: String, presence: Presence)

        var kind: AlertKind {
            switch self {
            case .unassigned: .unassigned
            case .dueSoon: .dueSoon
            case .backup: .backup
            case .escalation: .escalation
            case .nextStepMissing, .visitWithoutOutcome: .nextStepMissing
            case .away: .away
            }
        }
    }

    /// Every condition of an open lead not yet alerted for, with when it falls due.
    /// Only times: no words are written here, so the index can ask cheaply.
    private func conditions(of lead: Lead, now: Date) -> [(fire: Date, condition: Condition)] {
        let business = policy.business
        var out: [(fire: Date, condition: Condition)] = []
        if lead.owner == nil, let since = lead.unownedSince, lead.raised[.unassigned] != since {
            out.append((business.add(policy.assignmentWindow, to: since), .unassigned(since: since)))
        }
        if let due = lead.due, let trigger = lead.triggerTime {
            if lead.kind == .promised || lead.kind == .update, lead.raised[.dueSoon] != due, now < due {
                out.append((max(due.addingTimeInterval(-policy.dueSoon), lead.createdAt), .dueSoon(due: due)))
            }
            // A lead with neither owner nor backup is the dispatcher's (trigger 1) first:
            // ops hears of it only once the backup window has passed too.
            if lead.raised[.backup] != due, lead.raised[.escalation] != due {
                let orphan = lead.owner == nil && lead.backup == nil
                out.append((orphan ? business.add(policy.backupWindow, to: trigger) : trigger, .backup(due: due)))
            }
            if lead.raised[.backup] == due, lead.raised[.escalation] != due {
                // The backup's window runs from when they were actually asked.
                let asked = max(trigger, lead.backupAskedAt ?? trigger)
                out.append((business.add(policy.backupWindow, to: asked), .escalation(due: due)))
            }
        }
        if lead.due == nil, ![.booked, .workApproved, .escalated].contains(lead.status),
           let since = lead.noStepSince, lead.raised[.nextStepMissing] != since {
            out.append((business.add(policy.nextStepGrace, to: since), .nextStepMissing(since: since)))
        }
        if lead.hasPendingVisit, let appt = lead.appointment, lead.outcomeChasedFor != appt.at {
            out.append((appt.at.addingTimeInterval(policy.appointmentOutcome), .visitWithoutOutcome(appt)))
        }
        // Alerted at once by AWAY; this catches leads assigned to someone already away.
        if let owner = lead.owner, let away = presence[owner], lead.raised[.away] != away.since {
            out.append((away.since, .away(owner: owner, presence: away)))
        }
        return out
    }

    /// The alert a condition raises, in words, as of `now`.
    private func alert(for condition: Condition, of lead: Lead, now: Date) -> Alert {
        let id = lead.id
        switch condition {
        case .unassigned(let since):
            let ask = dispatchContacts()
            return Alert(
                kind: .unassigned, lead: id, owner: nil, backup: lead.backup, ask: ask, anchor: since,
                text: "\(lead.label) has had no owner since \(when(since, now)); \(named(ask)), please assign it "
                    + "(ASSIGN \(id) <name>), or anyone take it: CLAIM \(id).")
        case .dueSoon(let due):
            let ask = [lead.owner, lead.backup].compactMap { $0 }
            return Alert(
                kind: .dueSoon, lead: id, owner: lead.owner, backup: lead.backup,
                ask: ask.isEmpty ? dispatchContacts() : ask, anchor: due,
                text: "\(lead.label) is due at \(when(due, now)) and no call is logged yet; "
                    + "owner \(lead.owner ?? "nobody"), backup \(lead.backup ?? "nobody").")
        case .backup(let due):
            return backupAlert(lead, due: due, now: now)
        case .escalation(let due):
            let ask = escalationContacts(past: [lead.owner, lead.backup])
            return Alert(
                kind: .escalation, lead: id, owner: lead.owner, backup: lead.backup, ask: ask, anchor: due,
                text: "\(lead.label) still has no call logged \(minutes(policy.backupWindow)) after its backup was asked "
                    + "(due \(when(due, now))): neither \(lead.owner ?? "an owner") nor \(lead.backup ?? "a backup") acted; "
                    + "\(named(ask)), please reassign it now.")
        case .nextStepMissing(let since):
            let ask = lead.owner.map { [$0] } ?? dispatchContacts()
            return Alert(
                kind: .nextStepMissing, lead: id, owner: lead.owner, backup: lead.backup, ask: ask, anchor: since,
                text: "\(lead.label) has had no next step since \(when(since, now)); \(named(ask)), set one: "
                    + "ATTEMPT \(id) ... next=<time>, or STATUS \(id) follow-up-scheduled next=<time>, booked or closed.")
        case .visitWithoutOutcome(let appt):
            let ask = (appt.tech.map { [$0] } ?? []) + dispatchContacts().filter { $0 != appt.tech }
            let who = appt.tech ?? "the technician"
            return Alert(
                kind: .nextStepMissing, lead: id, owner: lead.owner, backup: lead.backup, ask: ask, anchor: nil, appointment: appt.at,
                text: "\(who) has posted no result for the \(when(appt.at, now)) visit on \(lead.label), "
                    + "\(Procedure.duration(policy.appointmentOutcome)) after it began: OUTCOME \(id) estimate-sent, work-approved "
                    + "or no-decision followup=<date>; \(named(Array(ask.dropFirst(appt.tech == nil ? 0 : 1)))), check with \(who).")
        case .away(let owner, let away):
            return awayAlert(lead, owner: owner, reason: away.reason, since: away.since)
        }
    }

    private func backupAlert(_ lead: Lead, due: Date, now: Date) -> Alert {
        let step = lead.attempts.isEmpty ? "has logged no attempt" : "has not made the next touch (\(lead.nextAction ?? "call"))"
        let missed = lead.owner.map { "\($0) \(step) on \(lead.label), due at \(when(due, now))" }
            ?? "\(lead.label) was due at \(when(due, now)) and has no owner"
        if let backup = lead.backup, backup != lead.owner, !isAway(backup) {
            return Alert(kind: .backup, lead: lead.id, owner: lead.owner, backup: backup, ask: [backup], anchor: due,
                         text: "\(missed); \(backup), as backup, take it over now: TAKEOVER \(lead.id).")
        }
        let ask = escalationContacts(past: [lead.owner])
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

import Foundation

/// One rule of the procedure in the form the seeds ask for (002): what triggers it,
/// who owns it, the exact next move, the time limit, and where the proof is logged.
public struct ProcedureRule: Sendable, Equatable {
    public let name: String
    public let trigger: String
    public let owner: String
    public let action: String
    public let limit: String
    public let proof: String
}

/// The active procedure, written out from the policy the server runs (`RULES`).
public enum Procedure {
    /// - Parameter people: who exists, to mark names the policy uses that nobody has.
    public static func rules(_ p: Policy, people: [String: Person]? = nil) -> [ProcedureRule] {
        let window = { (kind: LeadKind) in duration(p.windows[kind] ?? 15 * 60) }
        let rhythm = p.missedCallRhythm.map(describe).joined(separator: "; ")
        let blocks = p.followUpBlocks.map(clock).joined(separator: " and ")
        let h = p.handoffs
        let marked = { (owner: StageOwner) -> String in
            guard case .person(let name) = owner, let people, people[name] == nil else { return owner.description }
            return "\(name) (unknown: no such person)"
        }
        let scheduling = h.scheduleWithin.map { "within \(duration($0)) of business time" } ?? "by the day's close"
        return [
            ProcedureRule(
                name: "stage-1-intake", trigger: "a lead arrives: a call, a form, a missed call (NEW)",
                owner: "the office: CSR or VA", action: "log name, service, zip, source and urgency; call back within the window; "
                    + "after hours, send the acknowledgement with the next contact window and log it (ACK)",
                limit: "\(window(.missedCall)) for missed calls, \(window(.newLead)) for new leads, of business time",
                proof: "CREATED, then ATTEMPT (ACK after hours)"),
            ProcedureRule(
                name: "stage-2-scheduling", trigger: "a lead is qualified, or work is approved", owner: "the dispatcher"
                    + (h.workApproved.map { "; approved work goes to \(marked($0))" } ?? ""),
                action: "book the visit and its technician (STATUS booked appt= tech=)",
                limit: "the lead's due time; approved work \(scheduling)", proof: "BOOKED, with the technician"),
            ProcedureRule(
                name: "stage-3-field-update", trigger: "a visit ends", owner: "the technician, and the dispatcher",
                action: "one result before leaving the driveway: OUTCOME estimate-sent, work-approved, or no-decision with followup=",
                limit: "\(duration(p.appointmentOutcome)) after the visit began, then ALERT next-step-missing",
                proof: "OUTCOME"),
            ProcedureRule(
                name: "stage-4-estimate-follow-up", trigger: "an estimate is sent (OUTCOME or STATUS estimate-sent)",
                owner: (h.estimate.map(marked) ?? "whoever holds the lead") + "; the previous owner backs them up",
                action: "a follow-up with one useful question, each one logged",
                limit: "the estimate cadence (below)", proof: "ASSIGNED stage=estimate-follow-up, then ATTEMPT for each follow-up"),
            ProcedureRule(
                name: "stage-5-open-loop-review", trigger: "\(clock(h.reviewMinute)) every business day (REVIEW)",
                owner: "the ops lead", action: "for every lead in estimate-sent or no-decision: who owns the next action, and by when? "
                    + "Reassign stuck ones on the spot",
                limit: "15 minutes; ALERT sweep to the ops lead when the list is not empty",
                proof: "every lead in the review with an owner and a date"),
            ProcedureRule(
                name: "missed-call", trigger: "a missed call or voicemail is logged (NEW kind=missed-call)",
                owner: "whoever claims it; the dispatcher assigns it if nobody does",
                action: "call back; if no answer, follow the recovery rhythm",
                limit: "\(window(.missedCall)) of business time; after hours, the next opening plus \(window(.missedCall))",
                proof: "ATTEMPT with its outcome"),
            ProcedureRule(
                name: "new-lead", trigger: "a form, LSA, referral, chat or email lead arrives (NEW)",
                owner: "whoever claims it", action: "first callback",
                limit: "\(window(.newLead)) of business time", proof: "ATTEMPT with its outcome"),
            ProcedureRule(
                name: "promised", trigger: "a customer was promised a call at a time (NEW kind=promised due=...)",
                owner: "whoever claims it", action: "call at the promised time, with the answer or an update",
                limit: "the promised time; warned \(duration(p.dueSoon)) before", proof: "ATTEMPT"),
            ProcedureRule(
                name: "update", trigger: "a customer waits on schedule, parts or job status (NEW kind=update)",
                owner: "whoever claims it; the dispatcher by default for schedule calls", action: "call with the update",
                limit: "the promised time, else before close; warned \(duration(p.dueSoon)) before", proof: "ATTEMPT"),
            ProcedureRule(
                name: "estimate", trigger: "an estimate is sent (OUTCOME or STATUS estimate-sent)",
                owner: "the estimate follow-up owner (stage 4)", action: "a follow-up with one useful question",
                limit: "same day if sent before \(clock(p.estimate.cutoffMinute)), else by \(clock(p.estimate.nextMorningMinute)) "
                    + "the next business morning; then at +\(duration(p.estimate.second)); then at +\(duration(p.estimate.third))",
                proof: "ATTEMPT for each follow-up, then a status"),
            ProcedureRule(
                name: "post-job", trigger: "a job is completed (STATUS completed makes the call; or NEW kind=post-job job=...)",
                owner: h.postJob.map { marked($0) + " for a completed job's call (a NEW kind=post-job is claimed like any lead)" } ?? "the office: whoever claims it", action: "satisfaction call; ask happy customers for a review",
                limit: "\(duration(p.postJob.due)) after the job; late after \(duration(p.postJob.late))", proof: "ATTEMPT"),
            ProcedureRule(
                name: "re-engage", trigger: "an unsold estimate is worth another try (NEW kind=re-engage)",
                owner: "whoever claims it", action: "re-engagement call", limit: "the next follow-up block (\(blocks))",
                proof: "ATTEMPT"),
            ProcedureRule(
                name: "assignment", trigger: "a lead has no owner", owner: "the dispatcher (else ops, else the owner)",
                action: "assign it (ASSIGN), or anyone claims it (CLAIM, NEXT)",
                limit: "\(duration(p.assignmentWindow)) of business time, then ALERT unassigned", proof: "CLAIMED or ASSIGNED"),
            ProcedureRule(
                name: "backup-trigger", trigger: "the primary has logged no attempt by the due time",
                owner: "the backup (ops, if the backup is away or missing)", action: "TAKEOVER and call at once",
                limit: "the due time, then ALERT backup; \(duration(p.backupWindow)) later, ALERT escalation to ops",
                proof: "ATTEMPT by whoever holds it"),
            ProcedureRule(
                name: "due-soon", trigger: "a promised or update callback is near its due time with no attempt",
                owner: "the primary and the backup", action: "make the call, or check its status",
                limit: "\(duration(p.dueSoon)) before the due time, ALERT due-soon", proof: "ATTEMPT"),
            ProcedureRule(
                name: "away", trigger: "the primary is in the field, out or tied up (AWAY)",
                owner: "the backup of each of their open leads", action: "handle the call immediately (TAKEOVER)",
                limit: "at once: ALERT away", proof: "TAKEOVER, then ATTEMPT"),
            ProcedureRule(
                name: "recovery-rhythm", trigger: "a missed call or new lead got no answer",
                owner: "the lead's owner", action: rhythm,
                limit: "each step's time becomes the lead's due time", proof: "ATTEMPT for every touch"),
            ProcedureRule(
                name: "next-step", trigger: "an open lead has no next step",
                owner: "the lead's owner", action: "set one: ATTEMPT next=, STATUS follow-up-scheduled, booked or closed",
                limit: "\(duration(p.nextStepGrace)), then ALERT next-step-missing", proof: "the lead's due time"),
            ProcedureRule(
                name: "sweep", trigger: "\(clock(p.sweepMinute)) every business day, or SWEEP",
                owner: "the ops lead", action: "every open lead without a documented outcome is completed, reassigned or escalated",
                limit: "before close: no lead sleeps overnight without an owner, a next step and an outcome",
                proof: OutcomeRule.proof),
            ProcedureRule(
                name: "exceptions", trigger: "angry customer, high-value job, warranty dispute, emergency, pricing or financing, commercial account",
                owner: "the owner role", action: "ESCALATE the lead (emergencies are escalated on arrival)",
                limit: "at once: ALERT escalation", proof: "status escalated with its reason"),
            ProcedureRule(
                name: "duplicates", trigger: "a new lead has the phone number of an open lead",
                owner: "the open lead's owner", action: "check with the customer; MERGE if it is the same request",
                limit: "at once: ALERT duplicate", proof: "MERGE (the duplicate closed, a note on the kept lead)"),
            ProcedureRule(
                name: "backups", trigger: "a lead gets an owner, with no backup or one the rules chose for someone else",
                owner: "the policy", action: backupText(p, people: people), limit: "when the owner is set", proof: "the lead's backup"),
        ]
    }

    /// The opening hours and holidays, as `key=value` pairs for the `HOURS` line.
    public static func hours(_ p: Policy) -> [(String, String)] {
        var out = [("zone", p.timeZone.identifier)]
        for (i, name) in WeeklyHours.dayNames.enumerated() {
            let day = p.hours.days[i + 1].map { "\(clock($0.open))-\(clock($0.close))" } ?? "closed"
            out.append((name, day))
        }
        out.append(("holidays", p.holidays.isEmpty ? "none" : p.holidays.sorted().map(\.description).joined(separator: ",")))
        return out
    }

    private static func backupText(_ p: Policy, people: [String: Person]?) -> String {
        let rules = p.backups
        if rules.isEmpty { return "no automatic backup: a dispatcher names one (ASSIGN ... backup=)" }
        // A name nobody has is marked: leads fall through to the next rule.
        let who = { (name: String) in people.map { $0[name] == nil ? "\(name) (unknown: no such person)" : name } ?? name }
        var parts: [String] = []
        for (kind, rule) in rules.byKind.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            parts.append("1. by kind: \(who(rule.backup)) backs \(kind.rawValue) leads" + (rule.minValue.map { " worth $\($0) or more" } ?? ""))
        }
        for (owner, backup) in rules.byPerson.sorted(by: { $0.key < $1.key }) { parts.append("2. by person: \(who(backup)) backs \(who(owner))") }
        for (day, backup) in rules.rotation.sorted(by: { $0.key < $1.key }) {
            parts.append("3. by weekday: \(who(backup)) on \(WeeklyHours.dayNames[day - 1])")
        }
        return parts.joined(separator: "; ") + " (in that order, the first that applies; never the owner)"
    }

    private static func describe(_ step: RhythmStep) -> String {
        switch step.when {
        case .after(let interval) where step.action == "close" || interval == 0:
            return step.action == "close" ? "then close as no-response" : step.action
        case .after(let interval): return "\(step.action) within \(duration(interval))"
        case .day(let n, let minute): return "\(step.action) on business day \(n) after the first attempt, by \(clock(minute))"
        }
    }

    /// `5 min`, `2 h`, `48 h`, `5 days` (hours up to three days, as the SOPs say "48 hours").
    public static func duration(_ interval: TimeInterval) -> String {
        let minutes = Int(interval / 60)
        if minutes >= 72 * 60, minutes % (24 * 60) == 0 { return "\(minutes / (24 * 60)) days" }
        if minutes >= 60, minutes % 60 == 0 { return "\(minutes / 60) h" }
        return "\(minutes) min"
    }

    /// `16:30`
    public static func clock(_ minute: Int) -> String { String(format: "%02d:%02d", minute / 60, minute % 60) }
}

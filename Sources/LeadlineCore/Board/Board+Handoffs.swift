import Foundation

/// The hand-offs between stages (002): a sent estimate goes to sales/admin, approved
/// work to the dispatcher, a completed job makes the post-job call, and the open loops
/// (estimate-sent, no-decision) are reviewed each morning by the operations lead.
extension Board {
    /// Who takes a lead at a hand-off: the policy's person, or the next of the role's
    /// people in turn who is not away. Nil when there is nobody (the lead stays put).
    func stageOwner(_ owner: StageOwner?, stage: Stage) -> String? {
        switch owner {
        case nil:
            return nil
        case .person(let name):
            return people[name]?.role.isOffice == true ? name : nil
        case .role(let role):
            let names = people.values.filter { $0.role == role }.map(\.name).sorted()
            guard !names.isEmpty else { return nil }
            let turn = handoffTurns[stage, default: 0]
            let inTurn = (0..<names.count).map { names[(turn + $0) % names.count] }
            return inTurn.first { !isAway($0) } ?? inTurn[0]
        }
    }

    /// Whether `person` already belongs to the stage (is its person, or has its role).
    private func belongs(_ person: String?, to owner: StageOwner?) -> Bool {
        guard let person, let owner else { return false }
        switch owner {
        case .person(let name): return person == name
        case .role(let role): return people[person]?.role == role
        }
    }

    /// The hand-off of `lead` to `stage`: the stage's owner takes it, and the previous
    /// owner backs them up (unless the policy's rules name the backup for that kind:
    /// the owner backs high-value estimates). Nil when the lead is already with the
    /// stage's people, or there is nobody to hand it to.
    /// - Parameter value: the job's value as the outcome reports it (a backup rule may depend on it).
    func handoff(_ lead: Lead, to stage: Stage, value: Int?, at now: Date) -> Assignment? {
        let spec = stage == .estimateFollowUp ? policy.handoffs.estimate : policy.handoffs.workApproved
        guard !belongs(lead.owner, to: spec), let next = stageOwner(spec, stage: stage), next != lead.owner else { return nil }
        let kind: LeadKind = stage == .estimateFollowUp ? .estimate : lead.kind
        var backup = lead.owner
        var byRule = false
        if let rule = policy.backups.byKind[kind], rule.minValue.map({ (value ?? 0) >= $0 }) ?? true,
           rule.backup != next, people[rule.backup]?.role.isOffice == true {
            backup = rule.backup
            byRule = true
        }
        if backup == nil || backup == next {
            backup = ruleBackup(kind: kind, value: value, owner: next, at: now)
            byRule = backup != nil
        }
        return Assignment(lead: lead.id, owner: next, backup: backup, backupByRule: byRule, stage: stage)
    }

    /// When approved work must be scheduled: the policy's window, else by the day's close.
    func schedulingDue(at now: Date) -> Date {
        let business = policy.business
        let due = policy.handoffs.scheduleWithin.map { business.add($0, to: now) } ?? business.closing(now)
        return Timestamp.truncatedToMillis(due)
    }

    /// The post-job call a completed job creates (003: call 24–48 h after), linked to the
    /// job's lead both ways and owned as the policy says (the office queue by default).
    func postJobCall(after lead: Lead, at now: Date) -> Intake {
        let plan = DuePlanner(policy: policy).firstResponse(kind: .postJob, arriving: now, requested: nil, job: now)
        var intake = Intake(lead: nextLeadID, kind: .postJob, source: lead.source, urgency: .normal,
                            name: lead.name, phone: lead.phone, email: lead.email, service: lead.service, area: lead.area,
                            due: plan.due.map(Timestamp.truncatedToMillis), owner: stageOwner(policy.handoffs.postJob, stage: .postJob),
                            note: "after the completed job of lead \(lead.id)")
        intake.address = lead.address
        intake.late = plan.late.map(Timestamp.truncatedToMillis)
        intake.action = plan.action
        intake.job = now
        intake.jobLead = lead.id
        if let owner = intake.owner {
            intake.backup = ruleBackup(kind: .postJob, value: nil, owner: owner, at: now)
            intake.backupByRule = intake.backup != nil
        }
        return intake
    }

    /// The daily open-loop review's list (002 stage 5): every open lead in estimate-sent or
    /// no-decision, the longest waiting first.
    public func reviewList() -> [Lead] {
        openLeads { $0.reviewSince != nil }
            .sorted { ($0.reviewSince!, $0.id) < ($1.reviewSince!, $1.id) }
    }

    /// What a review row is missing: its owner, its date, both, or nothing.
    public static func reviewGaps(_ lead: Lead) -> [String] {
        (lead.owner == nil ? ["owner"] : []) + (lead.due == nil ? ["date"] : [])
    }

    /// The review alert due at `now`, if the day's review time has come, it has not been
    /// raised, and a lead was waiting then.
    func reviewAlert(at now: Date) -> (fire: Date, alert: Alert)? {
        guard let review = policy.business.lastDaily(policy.handoffs.reviewMinute, atOrBefore: now),
              reviewedThrough.map({ $0 < review }) ?? true else { return nil }
        let list = reviewList()
        guard list.contains(where: { $0.reviewSince! <= review }) else { return nil }
        let stuck = list.filter { !Self.reviewGaps($0).isEmpty }.count
        let ask = opsContacts()
        let oldest = list[0]
        return (review, Alert(
            kind: .sweep, lead: nil, owner: nil, backup: nil, ask: ask, anchor: review,
            text: "daily open-loop review: \(list.count) lead\(list.count == 1 ? "" : "s") in estimate-sent or no-decision"
                + (stuck > 0 ? ", \(stuck) with no owner or no date" : "") + " (the oldest: \(oldest.label)); "
                + "\(named(ask)), who owns each next action, and by when? REVIEW lists them."))
    }
}

import Foundation
import LeadlineCore
import Testing

/// The eight triggers of PRODUCT.md, run on the pure board with an injected clock.
@Suite struct TriggerTests {
    func show(_ date: Date) -> String { Timestamp.local(date, in: Shop.zone) }
    func summary(_ raised: [(at: Date, alert: Alert)]) -> [String] {
        raised.map { "\(show($0.at).dropFirst(11).prefix(5)) \($0.alert.kind.rawValue) \($0.alert.lead.map(String.init) ?? "-") ask=\($0.alert.ask.joined(separator: ","))" }
    }

    /// 001: an HVAC call taken at 10:15 sits until 15:40. The backup hears at 10:30
    /// when the window closes, the ops lead at 10:45 when the backup's window closes.
    @Test func theBackupThenTheOpsLead() {
        var shop = Shop { $0.backups.byPerson = ["cara": "dora"] }
        shop.advance(to: shop.at("10:15"))
        let id = shop.newLead(by: "cara") { $0.name = "Homeowner"; $0.service = "replace old system" }
        shop.ok(.claim(id), by: "cara")
        #expect(shop.lead(id).backup == "dora", "the byPerson rule names cara's backup")
        let raised = shop.advance(to: shop.at("15:40"))
        #expect(summary(raised) == ["10:30 backup 1 ask=dora", "10:45 escalation 1 ask=omar"])
        #expect(raised[0].alert.text.contains("dora, as backup, take it over now: TAKEOVER 1"))
        // Raised once per condition: nothing more happens on its own until the sweep.
        #expect(summary(shop.advance(to: shop.at("16:29"))).isEmpty)
    }

    @Test func aBackupWhoActsStopsTheEscalation() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.assign(id, owner: .person("ana"), backup: .person("ben")), by: "dora")
        #expect(summary(shop.advance(by: 15 * 60)) == ["08:15 backup 1 ask=ben"])
        shop.ok(.takeover(id), by: "ben")
        #expect(shop.lead(id).due == shop.at("8:15"), "the backup's own window runs on from when they were asked")
        shop.ok(.attempt(id, channel: .call, outcome: .connected, next: TimeSpec.parse("14:00"), note: nil), by: "ben")
        #expect(summary(shop.advance(to: shop.at("13:59"))).isEmpty)
    }

    /// The backup takes over once asked, then makes no call: the trigger is not started
    /// over (a second backup alert, ops told at 08:36); ops hears when the backup's own
    /// window ends, 15 minutes after the miss, once.
    @Test func aBackupWhoTakesOverAndDoesNotCallIsEscalatedOnTime() {
        var shop = Shop()
        let id = shop.newLead(kind: .missedCall)
        shop.ok(.assign(id, owner: .person("ana"), backup: .person("ben")), by: "dora")
        #expect(summary(shop.advance(to: shop.at("8:06"))) == ["08:05 backup 1 ask=ben"])
        shop.ok(.takeover(id), by: "ben")
        #expect(shop.lead(id).owner == "ben" && shop.lead(id).backup == "ana")
        #expect(summary(shop.advance(to: shop.at("9:00"))) == ["08:20 escalation 1 ask=omar"])
    }

    /// The ops lead backed the lead and let it slip too: the escalation goes past them,
    /// to another ops lead if there is one, else to the owner role.
    @Test func anEscalationPassesOverTheOpsLeadWhoLetItSlip() {
        var shop = Shop()
        let id = shop.newLead(kind: .missedCall)
        shop.ok(.assign(id, owner: .person("ana"), backup: .person("omar")), by: "dora")
        #expect(summary(shop.advance(to: shop.at("9:00"))) == ["08:05 backup 1 ask=omar", "08:20 escalation 1 ask=olive"])

        _ = shop.run(.addPerson(name: "oscar", role: .ops, tokenHash: "h"), by: nil)
        let other = shop.newLead(kind: .missedCall, phone: "555-0101")
        shop.ok(.assign(other, owner: .person("omar"), backup: .person("ana")), by: "dora")
        #expect(summary(shop.advance(to: shop.at("10:00"))) == ["09:05 backup 2 ask=ana", "09:20 escalation 2 ask=oscar"])
    }

    /// The only owner at work let the lead slip too (she held it, the ops lead backed
    /// it): the owner who is away is asked, rather than either of them again.
    @Test func anEscalationAsksAnAwayOwnerBeforeThoseWhoLetItSlip() {
        var shop = Shop()
        _ = shop.run(.addPerson(name: "otto", role: .owner, tokenHash: "h"), by: nil)
        shop.ok(.away(reason: "on a roof"), by: "otto")
        let id = shop.newLead(kind: .missedCall)
        shop.ok(.assign(id, owner: .person("olive"), backup: .person("omar")), by: "dora")
        #expect(summary(shop.advance(to: shop.at("9:00"))) == ["08:05 backup 1 ask=omar", "08:20 escalation 1 ask=otto"])
    }

    /// No backup to ask, and the owner is the only ops lead: the owner role is asked.
    @Test func anOpsLeadWithoutABackupIsEscalatedToTheOwnerRole() {
        var shop = Shop()
        let id = shop.newLead(kind: .missedCall)
        shop.ok(.assign(id, owner: .person("omar"), backup: .nobody), by: "dora")
        #expect(summary(shop.advance(to: shop.at("9:00"))) == ["08:05 escalation 1 ask=olive"])
    }

    @Test func anAttemptByThePrimaryStopsTheBackupTrigger() {
        var shop = Shop()
        let id = shop.newLead(kind: .missedCall)
        shop.ok(.assign(id, owner: .person("ana"), backup: .person("ben")), by: "dora")
        shop.advance(by: 3 * 60)
        shop.ok(.attempt(id, channel: .call, outcome: .noAnswer, next: nil, note: nil), by: "ana")
        // The rhythm asks for a text within 5 minutes; she sends it.
        #expect(shop.lead(id).due == shop.at("8:08"))
        shop.ok(.attempt(id, channel: .text, outcome: .noAnswer, next: nil, note: nil), by: "ana")
        #expect(summary(shop.advance(to: shop.at("12:00"))).isEmpty)
    }

    @Test func unassignedLeadsAskTheDispatcherThenOps() {
        var shop = Shop()
        let id = shop.newLead { $0.source = .webForm }
        let raised = shop.advance(to: shop.at("9:00"))
        // Unassigned at 08:05; due at 08:15 with no owner or backup: ops after the backup window.
        #expect(summary(raised) == ["08:05 unassigned 1 ask=dora", "08:30 escalation 1 ask=omar"])
        shop.ok(.claim(id), by: "ana")
        shop.ok(.release(id, reason: "job site"), by: "ana")
        #expect(summary(shop.advance(by: 5 * 60)) == ["09:05 unassigned 1 ask=dora"], "a new spell unowned is a new condition")
    }

    @Test func dueSoonWarnsBeforeAPromisedCallback() {
        var shop = Shop()
        let id = shop.newLead(kind: .promised) { $0.due = TimeSpec.parse("11:00") }
        shop.ok(.assign(id, owner: .person("ana"), backup: .person("ben")), by: "dora")
        let raised = shop.advance(to: shop.at("11:00"))
        #expect(summary(raised) == ["10:30 due-soon 1 ask=ana,ben", "11:00 backup 1 ask=ben"])
    }

    @Test func awayAsksTheBackupsAtOnce() {
        var shop = Shop()
        let a = shop.newLead()
        let b = shop.newLead()
        shop.ok(.assign(a, owner: .person("ana"), backup: .person("ben")), by: "dora")
        shop.ok(.assign(b, owner: .person("ana"), backup: .nobody), by: "dora")
        shop.ok(.away(reason: "in the field"), by: "ana")
        let alerts = shop.events.suffix(2).compactMap { if case .alert(let a) = $0.change { a } else { nil } }
        #expect(alerts.map(\.ask) == [["ben"], ["omar"]])
        #expect(alerts[0].text.contains("ana is away (in the field); ben, as backup of lead 1"))
        // The backup may take over at once, before the due time.
        shop.ok(.takeover(a), by: "ben")
        #expect(shop.raiseDue().isEmpty, "the away alerts are not raised twice")
        shop.ok(.back, by: "ana")
        #expect(shop.board.presence["ana"] == nil)
    }

    @Test func whenTheBackupIsAwayTheTriggerGoesStraightToOps() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.assign(id, owner: .person("ana"), backup: .person("ben")), by: "dora")
        shop.ok(.away(reason: nil), by: "ben")
        #expect(summary(shop.advance(by: 15 * 60)) == ["08:15 escalation 1 ask=omar"])
    }

    @Test func aLeadWithNoNextStepIsAlerted() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        shop.ok(.attempt(id, channel: .call, outcome: .connected, next: nil, note: "call me back"), by: "ana")
        #expect(summary(shop.advance(by: 30 * 60)) == ["08:15 next-step-missing 1 ask=ana"])
        var booked = StatusRequest(lead: id, status: .booked)
        booked.appointment = TimeSpec.parse("tomorrow 9am")
        shop.ok(.setStatus(booked), by: "ana")
        #expect(summary(shop.advance(by: 3600)).isEmpty)
    }

    @Test func duplicatesAreFlaggedAndMerged() {
        var shop = Shop()
        let first = shop.newLead(phone: "(555) 010-0100")
        let decision = shop.ok(.newLead({ var r = NewLead(); r.phone = "+1 555 010 0100"; return r }()), by: "ben")
        #expect(decision.reply.contains(Field("duplicate", first)))
        guard case .alert(let alert) = decision.changes.last else { Issue.record("no alert"); return }
        #expect(alert.kind == .duplicate)
        #expect(alert.of == first)
        shop.ok(.merge(2, into: first), by: "omar")
        #expect(!shop.lead(2).isOpen)
        #expect(shop.lead(2).status == .disqualified)
        #expect(shop.history(of: first).last?.type == "NOTED")
        // Once closed, the number is free: a third call is not a duplicate of the merged one.
        let third = shop.ok(.newLead({ var r = NewLead(); r.phone = "555-010-0100"; return r }()), by: "ben")
        #expect(third.reply.contains(Field("duplicate", first)))
    }

    @Test func emergenciesAndEscalationsGoToTheOwner() {
        var shop = Shop()
        let decision = shop.ok(.newLead({ var r = NewLead(); r.phone = "555-0100"; r.urgency = .emergency; return r }()), by: "ana")
        guard case .alert(let alert) = decision.changes.last else { Issue.record("no alert"); return }
        #expect(alert.kind == .escalation)
        #expect(alert.ask == ["olive"])
        shop.ok(.claim(1), by: "ana")
        shop.ok(.escalate(1, reason: "angry about the invoice"), by: "ana")
        #expect(shop.lead(1).status == .escalated)
        #expect(shop.events.last?.type == "ALERT")
    }

    @Test func theSweepListsLeadsWithoutADocumentedOutcome() {
        var shop = Shop()
        let untouched = shop.newLead()
        let worked = shop.newLead(kind: .missedCall)
        let booked = shop.newLead()
        for id in [untouched, worked, booked] { shop.ok(.claim(id), by: "ana") }
        shop.ok(.attempt(worked, channel: .call, outcome: .noAnswer, next: nil, note: nil), by: "ana")
        shop.ok(.attempt(worked, channel: .text, outcome: .noAnswer, next: nil, note: nil), by: "ana")
        var status = StatusRequest(lead: booked, status: .booked)
        status.appointment = TimeSpec.parse("tomorrow 9am")
        shop.ok(.setStatus(status), by: "ana")
        let raised = shop.advance(to: shop.at("16:30")).filter { $0.alert.kind == .sweep }
        #expect(raised.map { $0.alert.lead } == [untouched])
        #expect(raised.first?.alert.ask == ["omar"])
        // On demand it lists the same lead, without alerting it twice in the same minute.
        let decision = shop.ok(.sweep, by: "omar")
        #expect(decision.rows == [untouched])
    }

    @Test func alertsAreRebuiltOnReplaySoTheyAreNotRaisedTwice() throws {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.assign(id, owner: .person("ana"), backup: .person("ben")), by: "dora")
        shop.advance(by: 20 * 60)
        var replayed = Board(policy: shop.board.policy)
        try replayed.apply(shop.events)
        #expect(replayed.dueChanges(at: shop.clock.now).isEmpty)
        #expect(replayed.leads == shop.board.leads)
    }

    @Test func backupRulesByKindValueAndWeekday() {
        var shop = Shop { policy in
            policy.backups.byKind = [.update: KindBackup(backup: "dora"), .estimate: KindBackup(backup: "olive", minValue: 5000)]
            policy.backups.rotation = [2: "cara"]  // Mondays
        }
        let update = shop.newLead(kind: .update)
        shop.ok(.claim(update), by: "ana")
        #expect(shop.lead(update).backup == "dora")
        let big = shop.newLead(kind: .estimate) { $0.value = 12_000 }
        #expect(shop.lead(big).backup == "olive")
        let small = shop.newLead(kind: .estimate) { $0.value = 900 }
        shop.ok(.claim(small), by: "ana")
        #expect(shop.lead(small).backup == "cara", "under the value threshold the weekday rotation applies")
        let cara = shop.newLead(by: "cara")
        shop.ok(.claim(cara), by: "cara")
        #expect(shop.lead(cara).backup == nil, "the rotation never makes the owner their own backup")
    }

    @Test func nextHandsOverTheMostUrgentLead() {
        var shop = Shop()
        let newLead = shop.newLead()
        let missed = shop.newLead(kind: .missedCall)
        let decision = shop.ok(.next, by: "ana")
        #expect(decision.reply.first == Field("lead", missed))
        #expect(shop.lead(missed).owner == "ana")
        shop.ok(.next, by: "ana")
        #expect(shop.lead(newLead).owner == "ana")
        #expect(shop.ok(.next, by: "ana").changes.isEmpty)
        #expect(shop.refused(.next, by: "tess")?.code == .denied)
    }

    @Test func aNewOwnerOfAnOverdueLeadGetsAFreshWindow() {
        var shop = Shop()
        let id = shop.newLead(kind: .missedCall)
        #expect(shop.advance(by: 6 * 60).map(\.alert.kind) == [.unassigned])
        let decision = shop.ok(.assign(id, owner: .person("ben"), backup: .person("cara")), by: "dora")
        #expect(decision.reply.contains(Field("due", shop.at("8:11"))))
        #expect(shop.raiseDue().isEmpty, "ben is not reported for a call he never had the chance to make")
        #expect(shop.advance(by: 5 * 60).map(\.alert.kind) == [.backup])
    }

    @Test func theRhythmCountsDaysFromTheFirstAttempt() {
        var shop = Shop()
        shop.advance(to: shop.at("fri 19:42"))
        let id = shop.newLead(kind: .missedCall)
        shop.advance(to: shop.at("2026-11-30T08:01"))
        shop.ok(.claim(id), by: "ana")
        shop.ok(.attempt(id, channel: .call, outcome: .noAnswer, next: nil, note: nil), by: "ana")
        shop.ok(.attempt(id, channel: .text, outcome: .noAnswer, next: nil, note: nil), by: "ana")
        #expect(shop.lead(id).due == shop.at("2026-12-01T09:00"), "the next business day after Monday's first call")
        // Waiting for that call is documented: the sweeps do not flag it.
        #expect(shop.advance(to: shop.at("2026-12-01T08:59")).isEmpty)
    }

    @Test func afterHoursLeadsOweAnAcknowledgement() {
        var shop = Shop()
        shop.advance(to: shop.at("fri 19:42"))
        let id = shop.newLead(kind: .missedCall)
        #expect(shop.lead(id).ackOwed)
        #expect(shop.lead(id).due == shop.at("2026-11-30T08:05"))
        shop.advance(to: shop.at("2026-11-30T08:01"))
        shop.ok(.claim(id), by: "ana")
        shop.ok(.attempt(id, channel: .text, outcome: .noAnswer, next: nil, note: "sorry we missed you"), by: "ana")
        #expect(!shop.lead(id).ackOwed)
    }

    @Test func theRecoveryRhythmEndsInClosedNoResponse() {
        var shop = Shop()
        let id = shop.newLead(kind: .missedCall)
        shop.ok(.claim(id), by: "ana")
        let touches: [(String, AttemptChannel, String?)] = [
            ("8:01", .call, "text"), ("8:04", .text, "call"), ("tomorrow 9am", .call, "text"), ("thu 9am", .text, nil),
        ]
        for (time, channel, action) in touches {
            shop.advance(to: shop.at(time))
            shop.ok(.attempt(id, channel: channel, outcome: .noAnswer, next: nil, note: nil), by: "ana")
            #expect(shop.lead(id).nextAction == action, "after the \(channel) at \(time)")
        }
        #expect(!shop.lead(id).isOpen)
        #expect(shop.lead(id).status == .closedNoResponse)
    }

    @Test func anEstimateSentStartsTheCadence() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        var booked = StatusRequest(lead: id, status: .booked)
        booked.appointment = TimeSpec.parse("13:00")
        booked.tech = "tess"
        shop.ok(.setStatus(booked), by: "ana")
        shop.advance(to: shop.at("16:40"))
        var outcome = OutcomeRequest(lead: id, result: .estimateSent)
        outcome.value = 8900
        shop.ok(.outcome(outcome), by: "tess")
        let lead = shop.lead(id)
        #expect(lead.kind == .estimate)
        #expect(lead.value == 8900)
        #expect(lead.due == shop.at("tomorrow 10:00"))
        shop.advance(to: shop.at("tomorrow 8:15"))
        shop.ok(.attempt(id, channel: .call, outcome: .noAnswer, next: nil, note: nil), by: "ana")
        #expect(shop.lead(id).due == shop.at("wed 16:40"), "the second follow-up at 48 hours")
        #expect(shop.refused(.outcome(OutcomeRequest(lead: id, result: .noDecision)), by: "tess")?.code == .invalid)
    }
}

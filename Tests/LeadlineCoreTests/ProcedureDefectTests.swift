import Foundation
import LeadlineCore
import Testing

/// The defects found trying the procedure as a user would, each pinned down.
@Suite struct ProcedureDefectTests {
    /// The order the README states: the kind's rule, then the person's fixed backup,
    /// then the weekday rotation — also when the lead was unowned (and given the
    /// rotation's backup) before its owner claimed it.
    @Test func aPersonsFixedBackupBeatsTheRotation() {
        var shop = Shop { policy in
            policy.backups.byPerson = ["ana": "ben"]
            policy.backups.rotation = [2: "cara"]  // Mondays
        }
        let id = shop.newLead()
        #expect(shop.lead(id).backup == "cara", "unowned: only the rotation applies")
        #expect(shop.lead(id).backupByRule)
        let decision = shop.ok(.claim(id), by: "ana")
        #expect(shop.lead(id).backup == "ben", "ana's own backup, not the rotation's")
        #expect(decision.reply.contains(Field("backup", "ben")))
        // A backup a person chose stays when the owner changes.
        shop.ok(.assign(id, owner: .keep, backup: .person("cara")), by: "dora")
        #expect(!shop.lead(id).backupByRule)
        shop.ok(.release(id, reason: nil), by: "ana")
        shop.ok(.claim(id), by: "ben")
        #expect(shop.lead(id).backup == "cara")
    }

    @Test func newWithBackupNoneMeansNoBackup() {
        var shop = Shop { $0.backups.rotation = [2: "cara"] }
        let id = shop.newLead(by: "dora") { $0.backup = "none" }
        #expect(shop.lead(id).backup == nil, "none is nobody, and the rules are not asked")
    }

    @Test func mergingDifferentNumbersNeedsForce() {
        var shop = Shop()
        let a = shop.newLead(phone: "555-0100")
        let b = shop.newLead(phone: "555-0199")
        let refused = shop.refused(.merge(a, into: b), by: "dora")
        #expect(refused?.code == .conflict)
        #expect(refused?.message.contains("555-0100") == true && refused?.message.contains("555-0199") == true)
        let merged = shop.ok(.merge(a, into: b, force: true), by: "dora")
        #expect(merged.message == "merged though the phone numbers differ: 555-0100 (lead \(a)) and 555-0199 (lead \(b))")
        let same = shop.newLead(phone: "555.0199")
        #expect(shop.ok(.merge(same, into: b), by: "dora").message == nil, "the same number written two ways merges as is")
    }

    /// The after-hours acknowledgement: any office role, without owning the lead; it
    /// clears ack=owed and is not an attempt (the first call stays due at the opening,
    /// the backup trigger still runs).
    @Test func anAcknowledgementIsNotAnAttempt() {
        var shop = Shop(start: Timestamp.parse("2026-11-27T19:42:00-06:00")!)  // Friday evening
        let id = shop.newLead(by: "ana", kind: .missedCall) { $0.owner = "ana" }
        let due = shop.lead(id).due
        #expect(shop.lead(id).ackOwed)
        let ack = shop.ok(.acknowledge(id, note: "auto-text sent, first call 7:30"), by: "ben")
        #expect(ack.message?.contains("the first call is still due") == true)
        #expect(!shop.lead(id).ackOwed && shop.lead(id).attempts.isEmpty && shop.lead(id).due == due)
        #expect(shop.refused(.acknowledge(id, note: nil), by: "ben")?.code == .conflict, "only once")
        #expect(shop.refused(.acknowledge(id, note: nil), by: "tess")?.code == .denied)
        let raised = shop.advance(to: due!).map(\.alert.kind)
        #expect(raised.contains(.backup) || raised.contains(.escalation), "the acknowledgement does not stop the backup trigger")
    }

    @Test func someoneThePolicyNamesCannotBeRemoved() {
        var shop = Shop { $0.backups.byPerson = ["ana": "ben"] }
        let error = shop.refused(.removePerson(name: "ben"), by: "olive")
        #expect(error?.code == .conflict)
        #expect(error?.fields.contains(Field("policy", "backups.byPerson.ana")) == true)
        #expect(shop.board.policy.unknownNames(among: shop.board.people).isEmpty)
        var typo = Policy()
        typo.backups.byPerson = ["ana": "bne"]
        #expect(typo.unknownNames(among: shop.board.people) == [PolicyName(field: "backups.byPerson.ana", name: "bne")])
    }

    /// RULES marks a name nobody has, and says the order the rules apply in.
    @Test func rulesMarkUnknownNamesAndTheOrder() {
        var policy = Policy()
        policy.backups.byPerson = ["ana": "bne"]
        policy.backups.rotation = [2: "cara"]
        let shop = Shop()
        let text = Procedure.rules(policy, people: shop.board.people).first { $0.name == "backups" }!.action
        #expect(text.contains("2. by person: bne (unknown: no such person) backs ana"))
        #expect(text.contains("3. by weekday: cara on mon"))
        #expect(text.contains("in that order"))
    }

    /// Removing a person leaves no lead asking them: their leads become unowned,
    /// lose them as backup, or their visit its technician.
    @Test func removingAPersonHandsTheirLeadsBack() {
        var shop = Shop()
        let owned = shop.newLead(by: "dora", phone: "555-0101") { $0.owner = "ben"; $0.backup = "ana" }
        let backed = shop.newLead(by: "dora", phone: "555-0102") { $0.owner = "ana"; $0.backup = "ben" }
        var book = StatusRequest(lead: backed, status: .booked)
        book.appointment = TimeSpec.parse("10:00")
        book.tech = "tess"
        shop.ok(.setStatus(book), by: "dora")
        let removed = shop.ok(.removePerson(name: "ben"), by: "olive")
        #expect(removed.message?.contains("ben held 2 open leads") == true)
        #expect(shop.lead(owned).owner == nil && shop.lead(owned).backup == "ana")
        #expect(shop.lead(backed).backup == nil)
        shop.ok(.removePerson(name: "tess"), by: "olive")
        #expect(shop.lead(backed).appointment?.tech == nil && shop.lead(backed).appointment?.at == shop.at("10:00"))
        #expect(shop.events.last.map { if case .personRemoved = $0.change { true } else { false } } == true)
    }

    /// Closing a booked lead without the work calls the visit off; reopening it later
    /// brings no visit back.
    @Test func closingABookedLeadCallsTheVisitOff() {
        var shop = Shop()
        let id = shop.newLead(by: "dora") { $0.owner = "dora" }
        var book = StatusRequest(lead: id, status: .booked)
        book.appointment = TimeSpec.parse("10:00")
        book.tech = "tess"
        shop.ok(.setStatus(book), by: "dora")
        var cancel = StatusRequest(lead: id, status: .disqualified)
        cancel.reason = "cancelled"
        shop.ok(.setStatus(cancel), by: "dora")
        #expect(shop.lead(id).appointment == nil)
        #expect(shop.events.last?.record.fields.contains(Field("appt", "none")) == true)
        var reopen = StatusRequest(lead: id, status: .inProgress)
        reopen.next = TimeSpec.parse("15:00")
        shop.ok(.setStatus(reopen), by: "dora")
        #expect(shop.board.agenda(for: "tess").isEmpty)
    }

    /// A late follow-up never leaves the next one already overdue.
    @Test func theEstimateCadenceLooksAhead() {
        var shop = Shop()
        let id = shop.newLead(by: "sam", kind: .estimate) { $0.owner = "sam" }
        shop.clock.set(shop.at("thu 10:00"))
        let decision = shop.ok(.attempt(id, channel: .call, outcome: .noAnswer, next: nil, note: nil), by: "sam")
        #expect(shop.lead(id).due! > shop.clock.now, "\(decision.reply)")
        #expect(shop.lead(id).due == shop.at("\"mon 8:00\"".replacingOccurrences(of: "\"", with: "")), "day 5 from Monday 08:00, at the opening")
    }

    /// STATUS estimate-sent takes the job's value, as OUTCOME does, and a backup rule
    /// that depends on it applies.
    @Test func statusTakesTheValue() {
        var shop = Shop { $0.backups.byKind = [.estimate: KindBackup(backup: "omar", minValue: 5000)] }
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        var sent = StatusRequest(lead: id, status: .estimateSent)
        sent.value = 9000
        shop.ok(.setStatus(sent), by: "ana")
        #expect(shop.lead(id).value == 9000 && shop.lead(id).backup == "omar")
    }

    /// The after-hours remark says the lead is due at the next opening only when it is.
    @Test func theAfterHoursRemarkTellsTheTruth() {
        var shop = Shop(start: Timestamp.parse("2026-11-27T19:42:00-06:00")!)
        var promised = NewLead()
        promised.kind = .promised
        promised.phone = "555-0100"
        promised.due = TimeSpec.parse("\"mon 10:00\"".replacingOccurrences(of: "\"", with: ""))
        #expect(shop.ok(.newLead(promised), by: "ana").message == "arrived after hours: an acknowledgement is owed")
    }
}

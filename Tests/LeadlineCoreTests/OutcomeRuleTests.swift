import Foundation
import LeadlineCore
import Testing

/// The 000 rule: "contacted" is not an outcome. What may sleep overnight, what the
/// sweep lists, and what it says is missing.
@Suite struct OutcomeRuleTests {
    func verdict(_ shop: Shop, _ id: LeadID) -> OutcomeRule.Verdict { shop.board.outcome(of: shop.lead(id), at: shop.clock.now) }

    /// `STATUS 3 waiting-on-customer next="tomorrow 9am"` with no attempt logged keeps
    /// the lead in the sweep, and STATUS says so.
    @Test(arguments: [LeadStatus.waitingOnCustomer, .followUpScheduled, .customerReplied])
    func aStatusThatClaimsContactIsNotAnOutcome(status: LeadStatus) {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        var request = StatusRequest(lead: id, status: status)
        request.next = TimeSpec.parse("tomorrow 9am")
        let decision = shop.ok(.setStatus(request), by: "ana")
        #expect(decision.message?.contains("\(status.rawValue) is not an outcome while no attempt is logged") == true)
        #expect(verdict(shop, id) == .missing(["\(status.rawValue) but no attempt is logged"]))
        let swept = shop.advance(to: shop.at("16:30")).filter { $0.alert.kind == .sweep }
        #expect(swept.map(\.alert.lead) == [id])
        #expect(swept.first?.alert.text.contains("no attempt is logged") == true)
    }

    @Test func attemptsWithANextTouchDocumentTheLead() {
        var shop = Shop()
        let connected = shop.newLead(phone: "555-0101")
        let unanswered = shop.newLead(phone: "555-0102")
        let untouched = shop.newLead(phone: "555-0103")
        shop.ok(.claim(connected), by: "ana")
        shop.ok(.claim(unanswered), by: "ana")
        shop.ok(.attempt(connected, channel: .call, outcome: .connected, next: TimeSpec.parse("tomorrow 9am"), note: nil), by: "ana")
        var request = StatusRequest(lead: connected, status: .followUpScheduled)
        request.next = TimeSpec.parse("tomorrow 9am")
        #expect(shop.ok(.setStatus(request), by: "ana").message == nil, "a follow-up after a real call is an outcome")
        shop.ok(.attempt(unanswered, channel: .call, outcome: .noAnswer, next: TimeSpec.parse("15:30"), note: nil), by: "ana")
        #expect(verdict(shop, connected) == .documented("attempts logged, next touch set"))
        #expect(verdict(shop, unanswered) == .documented("attempts logged, next touch set"))
        #expect(verdict(shop, untouched) == .missing(["no attempt logged today"]))
        shop.clock.set(shop.at("15:31"))
        #expect(verdict(shop, unanswered) == .missing(["overdue"]), "a next attempt that was not made is not an outcome")
    }

    @Test func outcomesThatMaySleep() {
        var shop = Shop()
        let booked = shop.newLead(phone: "555-0101")
        let approved = shop.newLead(phone: "555-0102")
        let deciding = shop.newLead(phone: "555-0103")
        let promised = shop.newLead(kind: .promised, phone: "555-0104") { $0.due = TimeSpec.parse("tomorrow 10am") }
        let closed = shop.newLead(phone: "555-0105")
        for id in [booked, approved, deciding, closed] { shop.ok(.claim(id), by: "ana") }
        var book = StatusRequest(lead: booked, status: .booked)
        book.appointment = TimeSpec.parse("tomorrow 9am")
        book.tech = "tess"
        shop.ok(.setStatus(book), by: "ana")
        shop.ok(.outcome(OutcomeRequest(lead: approved, result: .workApproved)), by: "ana")
        var undecided = OutcomeRequest(lead: deciding, result: .noDecision)
        undecided.followUp = TimeSpec.parse("thu")
        shop.ok(.outcome(undecided), by: "ana")
        var disqualify = StatusRequest(lead: closed, status: .disqualified)
        disqualify.reason = "out of area"
        shop.ok(.setStatus(disqualify), by: "ana")
        #expect(verdict(shop, booked) == .documented("booked"))
        #expect(verdict(shop, approved) == .documented("work approved"))
        #expect(verdict(shop, deciding) == .documented("no-decision, follow-up set"))
        #expect(verdict(shop, promised) == .documented("scheduled: nothing owed yet"))
        #expect(verdict(shop, closed) == .documented("closed (disqualified)"))
        #expect(shop.advance(to: shop.at("16:30")).filter { $0.alert.kind == .sweep && $0.alert.lead != nil }.isEmpty)
    }

    /// Each day's sweep lists what was undocumented at that day's sweep time, once: a
    /// lead that briefly lacks a next step the next morning is not listed in the
    /// previous day's sweep.
    @Test func theSweepIsDecidedOnceAsOfItsTime() throws {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        shop.ok(.attempt(id, channel: .call, outcome: .noAnswer, next: TimeSpec.parse("tomorrow 9am"), note: nil), by: "ana")
        let monday = shop.advance(to: shop.at("17:00")).filter { $0.alert.kind == .sweep }
        #expect(monday.isEmpty)
        #expect(shop.board.sweptThrough == shop.at("16:30"), "the sweep ran, and says so")
        shop.advance(to: shop.at("tomorrow 9am"))
        shop.ok(.attempt(id, channel: .call, outcome: .connected, next: nil, note: nil), by: "ana")
        #expect(shop.raiseDue().filter { $0.kind == .sweep }.isEmpty, "Monday's sweep does not list a gap of Tuesday")
        var book = StatusRequest(lead: id, status: .booked)
        book.appointment = TimeSpec.parse("thu 9am")
        shop.ok(.setStatus(book), by: "ana")
        #expect(shop.advance(to: shop.at("17:00")).filter { $0.alert.kind == .sweep }.isEmpty)

        // A board replayed from the events knows the sweeps that ran.
        var replayed = Board(policy: shop.board.policy)
        try replayed.apply(shop.events)
        #expect(replayed.dueChanges(at: shop.clock.now).isEmpty)
    }

    /// The client judges its rows with the same rule.
    @Test func theFactsAloneDecide() {
        let t = Shop.monday8.addingTimeInterval(8 * 3600)
        let sameDay: (Date, Date) -> Bool = { Calendar.current.isDate($0, inSameDayAs: $1) }
        let facts = OutcomeRule.Facts(isOpen: true, status: .followUpScheduled, kind: .missedCall, due: t.addingTimeInterval(3600),
                                      attempts: 0, createdAt: Shop.monday8)
        #expect(OutcomeRule.assess(facts, at: t, sameDay: sameDay) == .missing(["follow-up-scheduled but no attempt is logged"]))
        var worked = facts
        worked.attempts = 1
        #expect(OutcomeRule.assess(worked, at: t, sameDay: sameDay).isDocumented)
        var stale = worked
        stale.due = nil
        #expect(OutcomeRule.assess(stale, at: t, sameDay: sameDay) == .missing(["no next step"]))
    }
}

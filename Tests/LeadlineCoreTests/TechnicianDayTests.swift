import Foundation
import LeadlineCore
import Testing

/// The technician's day (002 stages 2–3): her visits in time order, bookings that
/// reach her, and a visit with no result chased once.
@Suite struct TechnicianDayTests {
    /// Books `id` with tess at `time` (by the dispatcher).
    func book(_ shop: inout Shop, _ id: LeadID, at time: String, tech: String = "tess") {
        var request = StatusRequest(lead: id, status: .booked)
        request.appointment = TimeSpec.parse(time)
        request.tech = tech
        shop.ok(.setStatus(request), by: "dora")
    }

    @Test func herVisitsInTimeOrderTodayFirst() {
        var shop = Shop()
        let afternoon = shop.newLead(phone: "555-0101") { $0.address = "12 Elm St"; $0.area = "60614" }
        let tomorrow = shop.newLead(phone: "555-0102")
        let morning = shop.newLead(phone: "555-0103")
        let someoneElse = shop.newLead(phone: "555-0104")
        book(&shop, afternoon, at: "14:00")
        book(&shop, tomorrow, at: "tomorrow 9am")
        book(&shop, morning, at: "10:00")
        book(&shop, someoneElse, at: "11:00", tech: "ana")
        #expect(shop.board.agenda(for: "tess").map(\.id) == [morning, afternoon, tomorrow])
        #expect(shop.board.agenda(for: "tess", on: shop.board.policy.business.localDate(shop.clock.now)).map(\.id) == [morning, afternoon])
        #expect(shop.board.list(.mine, for: "tess", at: shop.clock.now).leads.count == 3, "LIST mine holds her visits")
        #expect(shop.lead(afternoon).address == "12 Elm St")
    }

    /// Booking is a BOOKED event; moving the visit is another; calling it off (the
    /// lead goes back to being worked) clears the visit and says so (`appt=none`).
    @Test func bookingMovingAndCallingOffAVisit() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        book(&shop, id, at: "14:00")
        #expect(shop.events.last?.type == "BOOKED")
        book(&shop, id, at: "15:00", tech: "tess")
        #expect(shop.lead(id).appointment?.at == shop.at("15:00"))
        var back = StatusRequest(lead: id, status: .needsCallback)
        back.next = TimeSpec.parse("16:00")
        shop.ok(.setStatus(back), by: "ana")
        #expect(shop.lead(id).appointment == nil)
        #expect(shop.events.last?.record.fields.contains(Field("appt", "none")) == true)
        #expect(shop.board.agenda(for: "tess").isEmpty)
    }

    /// "Tech marks appointment result before leaving driveway": two hours after the
    /// start with no result, the technician and the dispatcher are asked, once.
    @Test func aVisitWithNoResultIsChasedOnce() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        book(&shop, id, at: "10:00")
        let early = shop.advance(to: shop.at("11:59")).filter { $0.alert.appointment != nil }
        #expect(early.isEmpty)
        let chased = shop.advance(to: shop.at("12:30")).filter { $0.alert.appointment != nil }
        #expect(chased.count == 1)
        #expect(chased.first?.at == shop.at("12:00"))
        #expect(chased.first?.alert.kind == .nextStepMissing)
        #expect(chased.first?.alert.ask == ["tess", "dora"])
        #expect(chased.first?.alert.text.contains("tess has posted no result for the 10:00 visit") == true)
        #expect(shop.advance(to: shop.at("16:00")).filter { $0.alert.appointment != nil }.isEmpty, "once")
        shop.ok(.outcome(OutcomeRequest(lead: id, result: .workApproved)), by: "tess")
        book(&shop, id, at: "tomorrow 10:00")
        shop.advance(to: shop.at("tomorrow 12:01"))
        #expect(shop.events.filter { if case .alert(let a) = $0.change { a.appointment != nil } else { false } }.count == 2,
                "a new visit is chased on its own")
    }
}

import Foundation
import LeadlineCore
import Testing

@Suite struct ProgressTests {
    @Test func notesAreForWhoeverWorksTheLead() {
        var shop = Shop()
        let id = shop.newLead()
        let error = shop.refused(.note(id, text: "hello"), by: "ana")
        #expect(error?.code == .denied)
        #expect(error?.message.contains("claim it") == true)
        shop.ok(.claim(id), by: "ana")
        shop.ok(.note(id, text: "spoke with homeowner"), by: "ana")
        shop.ok(.note(id, text: "checked in"), by: "omar")
        #expect(shop.history(of: id).count == 4)
        #expect(shop.refused(.note(id, text: "   "), by: "ana")?.code == .invalid)
    }

    @Test func techniciansNoteTheirAppointmentsOnly() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        #expect(shop.refused(.note(id, text: "on site"), by: "tess")?.code == .denied)
        var booked = StatusRequest(lead: id, status: .booked)
        booked.appointment = TimeSpec.parse("tomorrow 9am")
        booked.tech = "tess"
        shop.ok(.setStatus(booked), by: "ana")
        shop.ok(.note(id, text: "on site"), by: "tess")
        #expect(shop.lead(id).appointment?.tech == "tess")
        #expect(shop.lead(id).appointment?.at == Timestamp.parse("2026-11-24T09:00:00-06:00"))
    }

    @Test func attemptLogsAndMovesTheStatusAlong() {
        var shop = Shop()
        let id = shop.newLead(kind: .missedCall)
        shop.ok(.claim(id), by: "ana")
        shop.ok(.attempt(id, channel: .call, outcome: .leftVoicemail, next: TimeSpec.parse("15:30"), note: "left vm"), by: "ana")
        var lead = shop.lead(id)
        #expect(lead.attempts.count == 1)
        #expect(lead.attempts[0].outcome == .leftVoicemail)
        #expect(lead.status == .leftMessage)
        #expect(lead.due == Timestamp.parse("2026-11-23T15:30:00-06:00"))
        shop.ok(.attempt(id, channel: .text, outcome: .noAnswer, next: nil, note: nil), by: "ana")
        lead = shop.lead(id)
        #expect(lead.status == .textSent)
        #expect(lead.due == Shop.monday8.addingTimeInterval(300), "no next= given: the recovery rhythm says text within 5 min")
        shop.ok(.attempt(id, channel: .call, outcome: .connected, next: nil, note: nil), by: "ana")
        #expect(shop.lead(id).status == .inProgress)
        #expect(shop.lead(id).due == nil, "once the customer is reached the next step is the person's to set")
    }

    @Test func attemptNeedsAccess() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        #expect(shop.refused(.attempt(id, channel: .call, outcome: .noAnswer, next: nil, note: nil), by: "ben")?.code == .denied)
    }

    @Test func closingStatusesNeedTheirProof() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        #expect(shop.refused(.setStatus(StatusRequest(lead: id, status: .disqualified)), by: "ana")?.code == .invalid)
        #expect(shop.refused(.setStatus(StatusRequest(lead: id, status: .followUpScheduled)), by: "ana")?.code == .invalid)
        #expect(shop.refused(.setStatus(StatusRequest(lead: id, status: .booked)), by: "ana")?.code == .invalid)
        let noResponse = shop.refused(.setStatus(StatusRequest(lead: id, status: .closedNoResponse)), by: "ana")
        #expect(noResponse?.code == .invalid)
        #expect(noResponse?.message.contains("attempts") == true)
        shop.ok(.attempt(id, channel: .call, outcome: .noAnswer, next: nil, note: nil), by: "ana")
        shop.ok(.setStatus(StatusRequest(lead: id, status: .closedNoResponse)), by: "ana")
        let lead = shop.lead(id)
        #expect(!lead.isOpen)
        #expect(lead.due == nil)
        #expect(shop.events.last?.type == "CLOSED")
    }

    @Test func followUpSetsTheNextDueTime() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        var request = StatusRequest(lead: id, status: .followUpScheduled)
        request.next = TimeSpec.parse("thu")
        shop.ok(.setStatus(request), by: "ana")
        #expect(shop.lead(id).due == Timestamp.parse("2026-11-26T08:00:00-06:00"))
        #expect(shop.events.last?.type == "STATUS")
    }

    /// A lead reopened with no owner is unowned from the reopening: the dispatcher hears
    /// of it when the assignment window has passed since then, not at once for the
    /// hours it sat closed.
    @Test func aReopenedUnownedLeadIsUnassignedFromItsReopening() {
        var shop = Shop()
        let id = shop.newLead()
        shop.setStatus(id, .disqualified, reason: "out of area", by: "dora")
        shop.advance(to: shop.at("11:00"))
        shop.ok(.setStatus(StatusRequest(lead: id, status: .needsCallback)), by: "dora")
        let raised = shop.advance(to: shop.at("11:10")).filter { $0.alert.kind == .unassigned }
        #expect(raised.map(\.at) == [shop.at("11:05")], "\(raised.map(\.at))")
    }

    /// Setting a lead's status to escalated is escalating it: the owner role is alerted
    /// as `ESCALATE` alerts it, once (not again for a status already escalated).
    @Test func anEscalatedStatusAlertsTheOwnerRoleAsEscalateDoes() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        let decision = shop.setStatus(id, .escalated, reason: "angry customer", by: "ana")
        #expect(decision.reply.contains(Field("ask", "olive")))
        let alerts = shop.events.compactMap { if case .alert(let a) = $0.change, a.kind == .escalation { a } else { nil } }
        #expect(alerts.count == 1 && alerts[0].ask == ["olive"] && alerts[0].text.contains("ana escalated lead 1"))
        shop.setStatus(id, .escalated, reason: "angry customer", by: "ana")
        #expect(shop.events.filter { if case .alert(let a) = $0.change { a.kind == .escalation } else { false } }.count == 1)
    }

    @Test func aClosedLeadCanBeReopened() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        var request = StatusRequest(lead: id, status: .disqualified)
        request.reason = "out of area"
        shop.ok(.setStatus(request), by: "ana")
        #expect(shop.refused(.setStatus(request), by: "ana")?.code == .conflict)
        #expect(shop.events.last?.record.value("reopened") == nil)
        shop.advance(by: 60 * 60)
        shop.ok(.setStatus(StatusRequest(lead: id, status: .needsCallback)), by: "ana")
        #expect(shop.lead(id).isOpen)
        #expect(shop.lead(id).due == shop.at("9:15") && shop.lead(id).nextAction == "call",
                "due as a new lead is, from now: never reopened with no next step")
        // The event says so: a board that only hears leads come and go needs it.
        #expect(shop.events.last?.record.value("reopened") == .text("yes"))
        #expect(shop.advance(to: shop.at("9:30")).allSatisfy { $0.alert.kind != .nextStepMissing },
                "it has a next step (before, it had none, and was alerted at 9:15)")
        shop.ok(.setStatus(StatusRequest(lead: id, status: .inProgress)), by: "ana")
        #expect(shop.events.last?.record.value("reopened") == nil, "only the status that reopens it")
        // Escalated after closing: it waits for the owner role, with no time of its own.
        shop.setStatus(id, .disqualified, reason: "duplicate", by: "ana")
        shop.setStatus(id, .escalated, reason: "customer disputes the invoice", by: "ana")
        #expect(shop.lead(id).isOpen && shop.lead(id).due == nil)
    }
}

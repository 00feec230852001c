import Foundation
import LeadlineCore
import Testing

@Suite struct IntakeTests {
    @Test func missedCallIsDueFiveMinutesLater() {
        var shop = Shop()
        let id = shop.newLead(kind: .missedCall)
        let lead = shop.lead(id)
        #expect(id == 1)
        #expect(lead.due == Shop.monday8.addingTimeInterval(300))
        #expect(lead.status == .needsCallback)
        #expect(lead.source == .missedCall)
        #expect(lead.owner == nil)
    }

    @Test func kindFollowsSourceWhenNotGiven() {
        var shop = Shop()
        let voicemail = shop.newLead { $0.source = .voicemail }
        let form = shop.newLead { $0.source = .webForm }
        #expect(shop.lead(voicemail).kind == .missedCall)
        #expect(shop.lead(form).kind == .newLead)
        #expect(shop.lead(form).due == Shop.monday8.addingTimeInterval(15 * 60))
    }

    @Test func idsGrowByOne() {
        var shop = Shop()
        #expect(shop.newLead() == 1)
        #expect(shop.newLead() == 2)
        #expect(shop.newLead() == 3)
    }

    @Test func promisedNeedsItsTime() {
        var shop = Shop()
        var request = NewLead()
        request.kind = .promised
        request.phone = "555-0199"
        let error = shop.refused(.newLead(request), by: "ana")
        #expect(error?.code == .invalid)
        #expect(error?.fields.first?.value == .text("due"))
        request.due = TimeSpec.parse("15:30")
        shop.ok(.newLead(request), by: "ana")
        #expect(shop.lead(1).due == Timestamp.parse("2026-11-23T15:30:00-06:00"))
    }

    /// `sent=` and `job=` tell when something was done: a time still to come is refused.
    @Test func whatWasDoneCannotBeStillToCome() {
        var shop = Shop()
        for (key, spec) in [("sent", "+1d"), ("job", "tomorrow 9am")] {
            var request = NewLead()
            request.phone = "555-0199"
            if key == "sent" { request.kind = .estimate; request.sent = TimeSpec.parse(spec) } else { request.kind = .postJob; request.job = TimeSpec.parse(spec) }
            let error = shop.refused(.newLead(request), by: "ana")
            #expect(error?.code == .invalid && error?.fields.first?.value == .text(key), "\(key)=\(spec): \(String(describing: error))")
            #expect(error?.message.contains("still to come") == true)
        }
        var sentToday = NewLead()
        sentToday.phone = "555-0198"
        sentToday.kind = .estimate
        sentToday.sent = TimeSpec.parse("07:30")
        guard case .success = shop.run(.newLead(sentToday), by: "ana") else {
            Issue.record("an estimate sent this morning is taken")
            return
        }
    }

    @Test func dueInThePastIsRefused() {
        var shop = Shop()
        var request = NewLead()
        request.phone = "555-0100"
        request.due = TimeSpec.parse("7:00")
        let error = shop.refused(.newLead(request), by: "ana")
        #expect(error?.code == .invalid)
        #expect(error?.message.contains("in the past") == true)
    }

    /// Every time a request names lies between 2000 and 2199, or it is refused naming
    /// the argument (a stored year -1 or 10000 once made the journal unreadable).
    @Test func timesOutsideTheCenturiesWeMeanAreRefused() {
        var shop = Shop()
        let cases: [(String, (inout NewLead, TimeSpec) -> Void, LeadKind?)] = [
            ("sent", { $0.sent = $1 }, nil), ("job", { $0.job = $1 }, .postJob), ("sent", { $0.sent = $1 }, .estimate),
            ("due", { $0.due = $1 }, nil),
        ]
        for (argument, set, kind) in cases {
            for text in ["0000-01-01T00:00+00:01", "9999-12-31T20:00Z", "2200-01-01T00:00Z", "1999-12-31T23:59Z", "+1000000d"] {
                var request = NewLead()
                request.phone = "555-0100"
                request.kind = kind
                set(&request, TimeSpec.parse(text)!)
                let error = shop.refused(.newLead(request), by: "ana")
                #expect(error?.code == .invalid, "\(argument)=\(text)")
                if argument != "due" || !text.hasPrefix("1999") {
                    #expect(error?.fields == [Field("arg", argument)], "\(argument)=\(text)")
                }
            }
        }
        // (An estimate is sent by now: on the last day of 2199, its follow-up falls after it.)
        var late = Shop(start: Timestamp.parse("2199-12-31T23:30:00Z")!)
        var edge = NewLead()
        edge.phone = "555-0100"
        edge.kind = .estimate
        edge.sent = TimeSpec.parse("2199-12-31T23:00Z")
        late.ok(.newLead(edge), by: "ana")
        #expect(late.lead(1).due! > TimeBounds.end, "a time computed from an accepted one may pass 2199, and still reads back")
    }

    @Test func needsAPhoneOrAName() {
        var shop = Shop()
        let error = shop.refused(.newLead(NewLead()), by: "ana")
        #expect(error?.code == .invalid)
        var named = NewLead()
        named.name = "Jane Roe"
        shop.ok(.newLead(named), by: "ana")
    }

    @Test func phoneMustLookLikeOne() {
        var shop = Shop()
        var request = NewLead()
        request.phone = "call me"
        #expect(shop.refused(.newLead(request), by: "ana")?.code == .invalid)
        request.phone = "+1 (555) 010-0100"
        shop.ok(.newLead(request), by: "ana")
    }

    @Test func techniciansDoNotLogLeads() {
        var shop = Shop()
        var request = NewLead()
        request.phone = "555-0100"
        let error = shop.refused(.newLead(request), by: "tess")
        #expect(error?.code == .denied)
    }

    @Test func onlySupervisorsNameOthers() {
        var shop = Shop()
        var request = NewLead()
        request.phone = "555-0100"
        request.owner = "ben"
        #expect(shop.refused(.newLead(request), by: "ana")?.code == .denied)
        request.owner = "ana"
        shop.ok(.newLead(request), by: "ana")
        #expect(shop.lead(1).owner == "ana")
        request.owner = "ben"
        request.backup = "cara"
        shop.ok(.newLead(request), by: "dora")
        #expect(shop.lead(2).owner == "ben")
        #expect(shop.lead(2).backup == "cara")
    }

    @Test func ownerMustBeSomeoneWhoCanHoldCallbacks() {
        var shop = Shop()
        var request = NewLead()
        request.phone = "555-0100"
        request.owner = "tess"
        #expect(shop.refused(.newLead(request), by: "dora")?.code == .invalid)
        request.owner = "nobody-here"
        #expect(shop.refused(.newLead(request), by: "dora")?.code == .notFound)
    }
}

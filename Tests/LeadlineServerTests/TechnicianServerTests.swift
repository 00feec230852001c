import Foundation
import LeadlineTestSupport
import Testing

/// A technician's day over the wire: her visits from `LIST mine`, `QUEUE` and
/// `AGENDA`, and every booking, move or cancellation reaching her wherever she is
/// logged in.
@Suite struct TechnicianServerTests {
    @Test func bookingsReachTheTechnicianWhereverSheIsLoggedIn() throws {
        let server = try TestServer()
        let phone = try server.client("tess")                     // WATCH board, the default
        let laptop = try server.client("tess")
        #expect(laptop.reply("WATCH alerts").hasPrefix("OK WATCH mode=alerts last="))
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        let id = dora.newLead(#"phone=555-0100 name="Jane Roe" address="12 Elm St" area=60614 service="no heat" owner=dora"#)
        _ = phone.drainAvailable()

        #expect(dora.reply("STATUS \(id) booked appt=14:00 tech=tess").hasPrefix("OK STATUS"))
        for device in [phone, laptop] {
            let line = device.readLine()
            #expect(line?.contains(" BOOKED lead=\(id) status=booked ") == true && line?.contains("tech=tess") == true, "\(String(describing: line))")
        }
        #expect(dora.reply("STATUS \(id) booked appt=15:30 tech=tess").hasPrefix("OK STATUS"))
        #expect(laptop.readLine()?.contains("appt=2026-11-23T15:30:00-06:00") == true, "a moved visit reaches her")
        #expect(dora.reply("STATUS \(id) needs-callback next=16:00 :customer asked to reschedule").hasPrefix("OK STATUS"))
        let off = laptop.readLine()
        #expect(off?.contains(" STATUS lead=\(id) status=needs-callback ") == true && off?.contains("appt=none") == true,
                "a visit called off reaches her: \(String(describing: off))")
        _ = phone.drainAvailable()
        #expect(laptop.drainAvailable().isEmpty, "nothing else on the alerts-only screen")
    }

    /// A lead's row shows its visit while the result is still to be posted: once the
    /// job is completed, or the lead reopened after it, the visit is history (SHOW).
    @Test func aRowShowsAVisitOnlyWhileItIsToBeReportedOn() throws {
        let server = try TestServer()
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        let id = dora.newLead("phone=555-0100 owner=dora")
        #expect(dora.reply("STATUS \(id) booked appt=14:00 tech=tess").hasPrefix("OK STATUS"))
        #expect(dora.request("SHOW \(id)").first?.contains(" appt=2026-11-23T14:00:00-06:00 tech=tess ") == true)
        #expect(dora.reply("STATUS \(id) completed").hasPrefix("OK STATUS"))
        #expect(dora.reply("STATUS \(id) needs-callback :the customer called back").hasPrefix("OK STATUS"))
        let shown = dora.request("SHOW \(id)")
        #expect(shown.first?.contains("appt=") == false, "\(shown)")
        #expect(shown.contains { $0.hasPrefix("HISTORY ") && $0.contains(" appt=2026-11-23T14:00:00-06:00") }, "the visit stays in the history")
    }

    @Test func herVisitsFromListQueueAndAgenda() throws {
        let server = try TestServer()
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        let later = dora.newLead(#"phone=555-0101 name="Late Visit" owner=dora"#)
        let sooner = dora.newLead(#"phone=555-0102 name="Early Visit" address="12 Elm St" owner=dora"#)
        let tomorrow = dora.newLead(#"phone=555-0103 name="Next Day" owner=dora"#)
        _ = dora.reply("STATUS \(later) booked appt=15:00 tech=tess")
        _ = dora.reply("STATUS \(sooner) booked appt=10:00 tech=tess")
        _ = dora.reply(#"STATUS \#(tomorrow) booked appt="tomorrow 9am" tech=tess"#)
        let tess = try server.client("tess")
        _ = tess.reply("WATCH none")
        func ids(_ lines: [String]) -> [Int] { lines.filter { $0.hasPrefix("LEAD ") }.compactMap { Int($0.split(separator: " ")[1]) } }
        #expect(ids(tess.request("LIST mine")) == [sooner, later, tomorrow])
        #expect(ids(tess.request("QUEUE")) == [sooner, later, tomorrow])
        let today = tess.request("AGENDA")
        #expect(ids(today) == [sooner, later])
        #expect(today.last == "OK AGENDA person=tess date=2026-11-23 count=2")
        #expect(today.first?.contains(#"name="Early Visit" phone=555-0102"#) == true && today.first?.contains(#"address="12 Elm St""#) == true)
        #expect(dora.request("AGENDA tess tomorrow").last == "OK AGENDA person=tess date=2026-11-24 count=1")
        let ana = try server.client("ana")
        #expect(ana.reply("AGENDA tess").hasPrefix("ERR DENIED"))
        #expect(ana.reply("AGENDA").hasPrefix("OK AGENDA person=ana date=2026-11-23 count=0"))
    }
}

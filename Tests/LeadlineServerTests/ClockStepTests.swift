import Foundation
import LeadlineCore
import LeadlineTestSupport
import Testing

/// A clock that steps — an NTP correction, or one that was wrong for a while — is
/// logged once and followed: events are stamped by the clock as it reads, windows are
/// computed from it, order stays by sequence number, and nothing fires twice.
@Suite(.serialized) struct ClockStepTests {
    static let monday10 = Timestamp.parse("2026-11-23T10:00:00-06:00")!

    @Test func aStepForwardAndBackIsLoggedAndFollowed() throws {
        let server = try TestServer(start: Self.monday10, realClock: true)
        let ana = try server.client("ana")
        let first = ana.request("NEW phone=555-0100")
        #expect(first.first?.contains("due=2026-11-23T10:15:00-06:00") == true, "\(first)")

        server.clock.advance(by: 86_400)
        #expect(eventually { server.logLines.all.contains { $0.contains("the clock stepped forward by 1 d 0 h 0 min") } })
        server.clock.advance(by: -86_400 + 60)
        #expect(eventually { server.logLines.all.contains { $0.contains("the clock stepped back by 23 h 59 min") } })

        // A lead logged now gets its window from the clock as it reads now, not from
        // the day-ahead stamps of the alerts raised meanwhile.
        let second = ana.request("NEW phone=555-0101").last ?? ""
        #expect(second.hasPrefix("OK NEW lead=2 due=2026-11-23T10:16:00-06:00"), "\(second)")
        let created = ana.readLine()
        #expect(created?.contains(" CREATED lead=2 ") == true && created?.hasSuffix("at=2026-11-23T10:01:00-06:00") == true,
                "\(String(describing: created))")
        #expect(server.logLines.all.filter { $0.contains("the clock stepped") }.count == 2, "each step is logged once: \(server.logLines.all)")
    }

    /// A day ahead raises tomorrow's sweep; back again, today's sweep does not list
    /// the same lead a second time, and no alert is raised twice.
    @Test func nothingFiresTwiceAfterAStepBack() throws {
        let server = try TestServer(start: Self.monday10, realClock: true)
        let omar = try server.client("omar")
        #expect(omar.reply("WATCH alerts").hasPrefix("OK WATCH mode=alerts last="))
        let ana = try server.client("ana")
        let lead = ana.newLead()
        _ = ana.reply("CLAIM \(lead)")

        server.clock.advance(by: 86_400 + 7 * 3600)                     // Tuesday 17:00
        #expect(eventually { server.logLines.all.contains { $0.contains("stepped forward") } })
        var alerts: [String] = []
        _ = eventually {
            alerts += omar.drainAvailable()
            return alerts.contains { $0.contains("kind=sweep") }
        }
        server.clock.advance(by: -86_400 - 20 * 60)                    // Monday 16:40, past Monday's sweep
        #expect(eventually { server.logLines.all.contains { $0.contains("stepped back") } })
        Thread.sleep(forTimeInterval: 0.3)
        alerts += omar.drainAvailable()
        let sweeps = alerts.filter { $0.contains("kind=sweep") && $0.contains("lead=\(lead) ") }
        #expect(sweeps.count == 1, "\(sweeps)")
        let kinds = alerts.compactMap { field("kind", in: $0) }
        let anchors = alerts.map { line in line.split(separator: " ").filter { $0.hasPrefix("kind=") || $0.hasPrefix("due=") || $0.hasPrefix("since=") || $0.hasPrefix("sweep=") }.joined(separator: " ") }
        #expect(Set(anchors).count == anchors.count, "an alert was raised twice: \(kinds)")
    }
}

import Foundation
import LeadlineCore
import LeadlineServer
import LeadlineTestSupport
import Testing

/// The SOP clock inside a running server: downtime, the real clock, the policy file.
@Suite struct SOPClockServerTests {
    /// Alerts that fell due while the server was down are raised at start-up, once;
    /// the backup asked late gets its own window from then, so the escalation to ops
    /// comes 15 minutes after the start, not at the same instant.
    @Test func alertsThatFellDueWhileDownAreRaisedAtStartUp() throws {
        let server = try TestServer()
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        let id = dora.newLead("phone=555-0100 owner=ana backup=ben")
        server.stop()
        // Down for an hour: the due time (08:15) and the backup's window (08:30) pass.
        server.clock.advance(by: 3600)
        try server.restart()
        let omar = try server.client("omar")
        let since = omar.request("SINCE 0").filter { $0.contains(" ALERT ") }
        #expect(since.count == 1, "\(since.joined(separator: "\n"))")
        #expect(since.first?.contains("kind=backup lead=\(id) ") == true)
        #expect(since.first?.contains("at=2026-11-23T09:00:00-06:00") == true, "raised when the server came back")
        server.advance(by: 14 * 60)
        #expect(omar.request("SINCE 0").filter { $0.contains(" ALERT ") }.count == 1, "the backup still has a minute")
        server.advance(by: 60)
        let escalated = omar.request("SINCE 0").filter { $0.contains(" ALERT ") }
        #expect(escalated.last?.contains("kind=escalation lead=\(id) ") == true, "\(escalated.joined(separator: "\n"))")
        #expect(escalated.last?.contains("at=2026-11-23T09:15:00-06:00") == true)
        // And a second restart raises nothing new.
        try server.restart()
        let again = try server.client("omar")
        #expect(again.request("SINCE 0").filter { $0.contains(" ALERT ") }.count == 2)
    }

    /// On a real clock the server raises alerts by itself as their time comes.
    @Test func theRealClockRaisesAlertsAsTimePasses() throws {
        // The test harness always runs a simulated clock, so this server is built by
        // hand: a real-clock server whose "real" clock the test can still move.
        let clock = ManualClock(TestServer.start)
        let folder = NSTemporaryDirectory() + "leadline-real-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var tokens: [String: String] = [:]
        for (name, role) in [("ana", Role.csr), ("ben", .csr), ("omar", .ops)] {
            tokens[name] = try DataFolderAdmin.run(.add(name: name, role: role), dataDirectory: folder, now: clock.now)
        }
        var config = ServerConfiguration()
        config.port = 0
        config.dataDirectory = folder
        config.clock = .real(clock)
        config.policy.timeZone = TestServer.zone
        config.tick = 0.02
        config.log = { _ in }
        let real = LeadlineServer(configuration: config)
        try real.start()
        defer { real.stop() }
        let omar = try LineClient(port: real.port)
        _ = omar.readLine()
        _ = omar.request("LOGIN omar \(tokens["omar"]!)")
        _ = omar.request("WATCH alerts")
        #expect(omar.reply("CLOCK").hasSuffix("mode=real"))
        #expect(omar.reply("CLOCK ADVANCE 5m").hasPrefix("ERR DENIED mode=real :the clock is real"))
        let ana = try LineClient(port: real.port)
        _ = ana.readLine()
        _ = ana.request("LOGIN ana \(tokens["ana"]!)")
        _ = ana.request("WATCH none")
        _ = ana.reply("NEW kind=missed-call phone=555-0100")
        _ = ana.reply("CLAIM 1")
        #expect(omar.readLine(timeout: 0.3) == nil, "nothing is due yet")
        clock.advance(by: 6 * 60)
        let alert = omar.readLine(timeout: 5)
        #expect(alert?.contains("ALERT kind=escalation lead=1 owner=ana backup=none ask=omar") == true, "\(alert ?? "none")")
    }

    /// Over a real socket, where the advance's alerts and its answer go to the journal
    /// in one batch: the alerts still come before `OK CLOCK`.
    @Test func anAdvancesAlertsComeBeforeItsAnswerOverTCP() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        _ = ana.reply("NEW kind=missed-call phone=555-0100")
        _ = ana.reply("CLAIM 1")
        let olive = try server.client("olive", over: .tcp)
        #expect(olive.reply("WATCH alerts").hasPrefix("OK WATCH mode=alerts last="))
        olive.send("CLOCK ADVANCE 2h")
        var lines: [String] = []
        while let line = olive.readLine(timeout: 5) {
            lines.append(line)
            if line.hasPrefix("OK CLOCK") || line.hasPrefix("ERR") { break }
        }
        #expect(lines.last?.hasPrefix("OK CLOCK") == true)
        #expect(lines.dropLast().contains { $0.contains(" ALERT ") }, "\(lines)")
        #expect(olive.drainAvailable().isEmpty, "no alert after the answer")
    }

    /// A simulated clock moves a month at most per request: centuries of daily sweeps
    /// would flood the journal and every watcher.
    @Test func clockAdvancesAreBounded() throws {
        let server = try TestServer()
        let olive = try server.client("olive")
        #expect(olive.reply("CLOCK ADVANCE 1000000d") == "ERR INVALID arg=amount :the clock moves at most 31 days at a time; advance in steps")
        #expect(olive.reply("CLOCK ADVANCE 31d").hasPrefix("OK CLOCK now=2026-12-24T08:00:00-06:00"))
        #expect(olive.reply("MERGE 1 into") == "ERR INVALID arg=target :MERGE needs the lead to merge into: MERGE 1 into 42")
    }

    /// A bad policy stops start-up with the field and the reason.
    @Test func aBadPolicyNamesTheField() {
        let cases: [(String, String)] = [
            (#"{"policy":{"hours":{"mon":"9-5"}}}"#, "policy.hours.mon: must be \"HH:MM-HH:MM\""),
            (#"{"policy":{"hours":{"mon":"17:00-08:00"}}}"#, "opening before closing"),
            (#"{"policy":{"holidays":["Christmas"]}}"#, "policy.holidays: each holiday is a date"),
            (#"{"policy":{"holidays":["2026-02-30"]}}"#, "policy.holidays: each holiday is a date"),
            (#"{"policy":{"followUpBlocks":[]}}"#, "policy.followUpBlocks: needs at least one block"),
            (#"{"policy":{"missedCallRhythm":[{"action":"fly","after":"5m"}]}}"#, "policy.missedCallRhythm[1].action: must be call, text, email or close, got \"fly\""),
            (#"{"policy":{"estimate":{"second":"5d","third":"2h"}}}"#, "policy.estimate.third: must be after second"),
            (#"{"policy":{"windows":{"promised":"5m"}}}"#, "policy.windows.promised: unknown setting"),
            (#"{"policy":{"dueSoon":"half an hour"}}"#, "policy.dueSoon: must be a duration"),
            (#"{"policy":{"sweep":"4:30pm"}}"#, "policy.sweep: must be a local time"),
            (#"{"policy":{"missedCallRhythm":[{"action":"call","day":1}]}}"#, "policy.missedCallRhythm[1].at: a day step needs at"),
            (#"{"policy":{"backups":{"byKind":{"update":"Dora Smith"}}}}"#, "policy.backups.byKind.update: a person's name"),
            (#"{"policy":{"backups":{"rotation":{"funday":"ben"}}}}"#, "policy.backups.rotation.funday: unknown setting"),
            (#"{"policy":{"postJob":{"due":"48h","late":"24h"}}}"#, "policy.postJob.late: must not be before due"),
        ]
        for (json, message) in cases {
            var config = ServerConfiguration()
            do {
                try ConfigurationFile.apply(Data(json.utf8), from: "shop.json", to: &config)
                Issue.record("\(json) was accepted")
            } catch {
                #expect(error.description.contains(message), "\(json): \(error)")
            }
        }
    }

    @Test func aFullPolicyIsRead() throws {
        var config = ServerConfiguration()
        try ConfigurationFile.apply(Data("""
            {"policy": {
              "timeZone": "America/Denver",
              "hours": {"mon": "07:00-18:00", "tue": "07:00-18:00", "sat": "09:00-12:00"},
              "holidays": ["2026-12-25"],
              "windows": {"missed-call": "3m", "new-lead": "10m"},
              "dueSoon": "20m", "assignmentWindow": "2m", "backupWindow": "10m", "nextStepGrace": "30m",
              "sweep": "17:15", "followUpBlocks": ["11:00"],
              "estimate": {"cutoff": "14:00", "nextMorning": "09:30", "second": "72h", "third": "7d"},
              "missedCallRhythm": [{"action": "text", "after": "2m"}, {"action": "call", "day": 2, "at": "10:00"}, {"action": "close"}],
              "postJob": {"due": "36h", "late": "60h"},
              "backups": {"byKind": {"update": "dora", "estimate": {"backup": "olive", "minValue": 5000}},
                          "byPerson": {"ana": "ben"}, "rotation": {"mon": "cara", "fri": "ben"}}
            }}
            """.utf8), from: "shop.json", to: &config)
        let p = config.policy
        #expect(p.timeZone.identifier == "America/Denver")
        #expect(p.hours.days[2] == OpeningHours(open: 420, close: 1080))
        #expect(p.hours.days[7] == OpeningHours(open: 540, close: 720))
        #expect(p.hours.days[4] == nil, "days left out are closed")
        #expect(p.holidays == [LocalDate("2026-12-25")!])
        #expect(p.windows[.missedCall] == 180)
        #expect(p.sweepMinute == 17 * 60 + 15)
        #expect(p.estimate.third == 7 * 86_400)
        #expect(p.missedCallRhythm == [RhythmStep(action: "text", when: .after(120)),
                                       RhythmStep(action: "call", when: .day(2, minute: 600)),
                                       RhythmStep(action: "close", when: .after(0))])
        #expect(p.backups.byKind[.estimate] == KindBackup(backup: "olive", minValue: 5000))
        #expect(p.backups.rotation[6] == "ben")
        let rules = Procedure.rules(p).map(\.limit).joined(separator: "\n")
        #expect(rules.contains("3 min of business time"))
        #expect(rules.contains("before 14:00, else by 09:30"))
    }
}

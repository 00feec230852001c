import Foundation
import LeadlineClient
import LeadlineCore
import LeadlineWire
import Testing

@Suite struct EventWordingTests {
    @Test func eventsReadAsSentences() {
        var w = EventWording()
        let lines = [
            #"EVENT 9 CREATED lead=1 kind=missed-call source=voicemail urgency=urgent name="Jane Roe" phone=555-0100 service="no heat" due=2026-11-23T08:05:00-06:00 action=call by=dora at=2026-11-23T08:00:00-06:00"#,
            "EVENT 10 CLAIMED lead=1 owner=ben from=ana backup=ana via=takeover due=2026-11-24T08:31:00-06:00 by=ben at=2026-11-23T08:16:00-06:00",
            "EVENT 11 ATTEMPTED lead=1 channel=call outcome=no-answer status=needs-callback due=2026-11-23T08:21:00-06:00 action=text step=1 by=ben at=2026-11-23T08:16:00-06:00 :left vm",
            "EVENT 12 ALERT kind=backup lead=1 owner=ana backup=ben ask=ben due=2026-11-23T08:15:00-06:00 at=2026-11-23T08:15:00-06:00 :take it over now",
            "EVENT 13 PRESENCE person=ana presence=away by=ana at=2026-11-23T08:20:00-06:00 :job site",
            #"EVENT 14 CLOSED lead=1 status=disqualified reason="out of area" by=ben at=2026-11-23T08:30:00-06:00"#,
            "EVENT 15 ASSIGNED lead=1 owner=ben backup=cara due=2026-11-23T08:36:00-06:00 by=dora at=2026-11-23T08:31:00-06:00",
            "EVENT 19 IMPORTED count=3 first=407 last=409 system=jobber by=olive at=2026-11-23T09:04:00-06:00",
        ].map { w.describe(ServerLine.parse($0))! }
        #expect(lines.map(\.text) == [
            "dora logged lead 1 (Jane Roe): missed-call, urgent, no heat; due 08:05",
            "ben took over lead 1 (Jane Roe) from ana (backup ana); due 2026-11-24 08:31",
            "ben: call, no-answer on lead 1 (Jane Roe); next text 08:21: left vm",
            "ALERT backup: take it over now",
            "ana is away: job site",
            "ben closed lead 1 (Jane Roe): disqualified (out of area)",
            "dora assigned lead 1 (Jane Roe) to ben (backup cara); due 08:36",
            "olive imported 3 leads (407–409) from jobber",
        ])
        #expect(lines.map(\.time) == ["08:00", "08:16", "08:16", "08:15", "08:20", "08:30", "08:31", "09:04"])
        #expect(lines[3].isAlert && lines[3].isUrgent)
        #expect(!lines[0].isAlert)
    }
}

@Suite struct BoardTests {
    let zone = TimeZone(identifier: "America/Chicago")!

    func model() -> BoardModel {
        var m = BoardModel()
        m.load([
            ServerLine.parse("LEAD 1 status=needs-callback kind=new-lead urgency=normal owner=ana backup=none due=2026-11-23T09:00:00-06:00 name=Ann created=2026-11-23T08:00:00-06:00"),
            ServerLine.parse("LEAD 2 status=needs-callback kind=re-engage urgency=normal owner=none backup=none due=2026-11-23T08:20:00-06:00 name=Bo created=2026-11-23T08:00:00-06:00"),
        ])
        return m
    }

    @Test func eventsKeepTheModelCurrent() {
        var m = model()
        m.apply(ServerLine.parse(#"EVENT 5 CREATED lead=3 kind=missed-call source=missed-call urgency=emergency name="Cy" due=2026-11-23T08:05:00-06:00 by=ana at=2026-11-23T08:00:00-06:00"#))
        m.apply(ServerLine.parse("EVENT 6 CLAIMED lead=3 owner=ben by=ben at=2026-11-23T08:01:00-06:00"))
        m.apply(ServerLine.parse("EVENT 7 ASSIGNED lead=2 owner=cara backup=dora by=dora at=2026-11-23T08:02:00-06:00"))
        m.apply(ServerLine.parse("EVENT 8 ALERT kind=backup lead=1 owner=ana backup=none ask=omar due=2026-11-23T09:00:00-06:00 at=2026-11-23T09:00:00-06:00 :x"))
        m.apply(ServerLine.parse("EVENT 9 CLOSED lead=2 status=disqualified by=cara at=2026-11-23T09:01:00-06:00"))
        #expect(m.ordered(zone: zone).map(\.id) == [3, 1])
        #expect(m.rows[3]?.owner == "ben")
        #expect(m.rows[1]?.isTriggered == true)
        m.apply(ServerLine.parse("EVENT 10 ATTEMPTED lead=1 channel=call outcome=connected status=in-progress due=2026-11-23T10:00:00-06:00 by=ana at=2026-11-23T09:02:00-06:00"))
        #expect(m.rows[1]?.isTriggered == false, "a new due time is a new condition")
    }

    /// A closed lead set back to a working status comes back on the board; the event
    /// does not carry the whole row, so the board loads `LIST open` again.
    @Test func aReopenedLeadOrAnImportAsksForTheBoardAgain() {
        var m = model()
        let closed = m.apply(ServerLine.parse("EVENT 9 CLOSED lead=2 status=disqualified reason=spam by=cara at=2026-11-23T09:01:00-06:00"))
        #expect(!closed && m.rows[2] == nil)
        let reopened = m.apply(ServerLine.parse("EVENT 10 STATUS lead=2 status=needs-callback due=none reopened=yes by=cara at=2026-11-23T09:02:00-06:00"))
        #expect(reopened)
        let moved = m.apply(ServerLine.parse("EVENT 11 STATUS lead=1 status=in-progress due=none by=ana at=2026-11-23T09:03:00-06:00"))
        #expect(!moved && m.rows[1]?.status == "in-progress")
        let imported = m.apply(ServerLine.parse("EVENT 12 IMPORTED count=3 first=3 last=5 system=jobber by=olive at=2026-11-23T09:04:00-06:00"))
        #expect(imported)
    }

    @Test func theViewColoursByRisk() {
        var m = model()
        let now = Timestamp.parse("2026-11-23T08:45:00-06:00")!
        m.serverNow = now
        #expect(BoardView.risk(m.rows[1]!, now: now) == .dueSoon)
        #expect(BoardView.risk(m.rows[2]!, now: now) == .overdue)
        #expect(BoardView.countdown(m.rows[1]!.due, now: now) == "in 15m")
        #expect(BoardView.countdown(m.rows[2]!.due, now: now) == "25m late")
        #expect(BoardView.countdown("2026-11-24T10:45:00-06:00", now: now) == "in 1d2h")
        #expect(BoardView.countdown("2027-05-23T09:45:00-05:00", now: now) == "in 181d")
        #expect(BoardView.countdown("2199-12-31T23:00:00Z", now: now) == "in 173y")
        #expect(BoardView.countdown("2199-12-31T23:00:00Z", now: now).count <= 10, "fits the DUE column")
        let plain = BoardView.render(m, title: "T", alerts: ["08:40 ALERT unassigned: x"], width: 80, height: 20,
                                     zone: zone, style: Style(enabled: false), now: now)
        #expect(plain[0] == "T — 2 open — 2026-11-23 08:45")
        #expect(plain[2].hasPrefix("1    in 15m     new-lead    ana"))
        #expect(plain.last == "08:40 ALERT unassigned: x")
        #expect(plain.allSatisfy { !$0.contains("\u{1B}") && $0.count <= 80 })
        let coloured = BoardView.render(m, title: "T", alerts: [], width: 80, height: 20,
                                        zone: zone, style: Style(enabled: true), now: now)
        #expect(coloured[2].hasPrefix("\u{1B}[1;33m"), "due soon is yellow")
        #expect(coloured[3].hasPrefix("\u{1B}[1;31m"), "overdue is red")
        let small = BoardView.render(m, title: "T", alerts: [], width: 30, height: 4, zone: zone, style: Style(enabled: false), now: now)
        #expect(small.count <= 4)
        #expect(small.contains("… 1 more"))
        // More leads than fit, and alerts below them: still no more lines than the
        // screen has, so the title stays on it.
        for alerts in 1...4 {
            let full = BoardView.render(m, title: "T", alerts: (0..<alerts).map { "08:4\($0) ALERT due-soon: lead \($0)" },
                                        width: 80, height: 6, zone: zone, style: Style(enabled: false), now: now)
            #expect(full.count <= 6, "\(alerts) alerts: \(full)")
            #expect(full.first?.hasPrefix("T — 2 open") == true)
            #expect(full.contains { $0.hasPrefix("1 ") }, "the alerts never crowd out every lead: \(full)")
            #expect(full.contains { $0.hasPrefix("… 1 more") }, "the leads left out are counted")
            #expect(full.last?.hasPrefix("08:4") == true, "the latest alert shows")
        }
        // A screen of one or two lines keeps the title.
        for height in 1...2 {
            let tiny = BoardView.render(m, title: "T", alerts: ["08:40 ALERT x"], width: 80, height: height,
                                        zone: zone, style: Style(enabled: false), now: now)
            #expect(tiny.count == height && tiny[0].hasPrefix("T — 2 open"))
        }
    }
}

@Suite struct ClientCommandLineTests {
    func mode(_ args: [String]) -> ClientMode? { try? ClientCommandLine.parse(args).get().mode }

    @Test func modes() throws {
        #expect(mode([]) == .interactive)
        #expect(mode(["watch"]) == .watch(alertsOnly: false))
        #expect(mode(["watch", "--alerts"]) == .watch(alertsOnly: true))
        #expect(mode(["board"]) == .board)
        #expect(mode(["send", "CLAIM 42"]) == .send("CLAIM 42"))
        // One request, one line: a line break would reach the server as a second request.
        for refused in [["note", "17", "hello\nRELEASE 17"], ["send", "PING a\r\nCLAIM 3"], ["send", ""], ["send", "QUIT"], ["send", "  "]] {
            guard case .failure(.usage) = ClientCommandLine.parse(refused) else {
                Issue.record("accepted \(refused)")
                continue
            }
        }
        #expect(mode(["login"]) == .login)
        let connect = try ClientCommandLine.parse(["connect", "office:7800", "--user", "ana"]).get()
        #expect(connect.server == "office:7800")
        #expect(connect.user == "ana")
        #expect(try ClientCommandLine.parse(["send", "PING", "--wait", "0.5"]).get().wait == 0.5, "a fraction of a second")
    }

    @Test func shortForms() {
        #expect(mode(["outcome", "42", "no-decision", "--followup", "thu"]) == .send("OUTCOME 42 no-decision followup=thu"))
        #expect(mode(["claim", "42"]) == .send("CLAIM 42"))
        #expect(mode(["note", "42", "on", "my", "way"]) == .send("NOTE 42 :on my way"))
        #expect(mode(["attempt", "42", "call", "no-answer", "--next", "tomorrow 9am", "left", "vm"])
            == .send(#"ATTEMPT 42 call no-answer next="tomorrow 9am" :left vm"#))
        #expect(mode(["new", "--phone", "555-0100", "--name", "Jane Roe"]) == .send(#"NEW phone=555-0100 name="Jane Roe""#))
        #expect(mode(["clock", "advance", "15m"]) == .send("CLOCK :advance 15m"))
    }

    @Test func mistakes() {
        for (args, message) in [(["clam", "4"], "did you mean claim?"), (["claim", "4", "--colour", "red"], "no option --colour"),
                                (["watch", "now"], "takes no words"), (["--keepalive", "x"], "--keepalive takes"),
                                (["send"], "usage: leadline send"), (["send", "PING", "--wait", "nan"], "--wait takes"),
                                (["send", "PING", "--wait", "-1"], "--wait takes"), (["send", "PING", "--wait", "inf"], "--wait takes")] {
            guard case .failure(let error) = ClientCommandLine.parse(args) else {
                Issue.record("\(args) accepted")
                continue
            }
            #expect(error.description.contains(message), "\(args): \(error)")
            #expect(error.exitCode == 2)
        }
    }

    @Test func addresses() {
        #expect(ServerAddress("office:7800") == ServerAddress(host: "office", port: 7800))
        #expect(ServerAddress("office") == ServerAddress(host: "office", port: 7700))
        #expect(ServerAddress(":7801") == ServerAddress(host: "127.0.0.1", port: 7801))
        #expect(ServerAddress("[::1]:7802") == ServerAddress(host: "::1", port: 7802))
        #expect(ServerAddress("office:http") == nil)
        #expect(ServerAddress("tls://shop.example.com") == ServerAddress(host: "shop.example.com", port: 7701, secure: true))
        #expect(ServerAddress("tls://shop.example.com:443")?.description == "tls://shop.example.com:443")
        #expect(ServerAddress("TCP://office:7800") == ServerAddress(host: "office", port: 7800))
        #expect(ServerAddress("https://shop.example.com") == nil)
    }
}

@Suite struct CredentialsTests {
    func file(_ text: String, mode: Int) -> String {
        let path = NSTemporaryDirectory() + "leadline-cred-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode])
        return path
    }

    @Test func aPrivateFileIsRead() throws {
        let path = file("# mine\nuser=ana\ntoken=abc\nserver=office:7800\n", mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Credentials.load(path: path) == Credentials(user: "ana", token: "abc", server: "office:7800"))
    }

    @Test func aFileOthersCanReadIsRefused() {
        let path = file("user=ana\ntoken=abc\n", mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try Credentials.load(path: path)
        } throws: { error in
            "\(error)".contains("others can read it (mode 644); run: chmod 600")
        }
    }

    @Test func missingAndMalformed() throws {
        #expect(try Credentials.load(path: "/nonexistent/leadline") == nil)
        let path = file("user ana\n", mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ClientError.self) { try Credentials.load(path: path) }
    }

    @Test func savedFilesArePrivate() throws {
        let folder = NSTemporaryDirectory() + "leadline-save-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/leadline/credentials"
        try Credentials(user: "ana", token: "t", server: "s:1").save(path: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try Credentials.load(path: path)?.token == "t")
    }
}

/// The short forms' replies, laid out for a phone's screen.
@Suite struct ReplyViewTests {
    @Test func visitsAreCardsThatFitEightyColumns() {
        let rows = [
            #"LEAD 4 status=booked kind=new-lead urgency=normal owner=dora backup=none due=none name="Jane Roe" phone=555-0100 service="no heat, furnace short-cycling and a very long description" area=60614 address="12 Elm St, Apt 4" source=phone created=2026-11-23T08:00:00-06:00 appt=2026-11-23T10:00:00-06:00 tech=tess attempts=0"#,
            #"LEAD 7 status=booked kind=new-lead urgency=normal owner=dora backup=none due=none name="Bo Lane" phone=555-0101 source=phone created=2026-11-23T08:00:00-06:00 appt=2026-11-23T14:30:00-06:00 tech=tess attempts=0"#,
            "OK AGENDA person=tess date=2026-11-23 count=2",
        ]
        let lines = ReplyView.lines(rows, width: 80)
        #expect(lines.allSatisfy { $0.count <= 80 }, "\(lines)")
        #expect(lines[0].hasPrefix("10:00  #4  Jane Roe  555-0100") && lines[0].hasSuffix("booked"))
        #expect(lines[1].hasPrefix("       12 Elm St, Apt 4, 60614 · no heat"))
        #expect(lines[2].hasPrefix("14:30  #7  Bo Lane  555-0101"))
        #expect(lines.last == "OK AGENDA person=tess date=2026-11-23 count=2")
    }

    @Test func theShortFormsOfTheDay() {
        func mode(_ arguments: [String]) -> ClientMode? { try? ClientCommandLine.parse(arguments).get().mode }
        #expect(mode(["agenda"]) == .send("AGENDA"))
        #expect(mode(["agenda", "tess", "tomorrow"]) == .send("AGENDA tess tomorrow"))
        #expect(mode(["outcome", "42", "estimate-sent", "--value", "7200"]) == .send("OUTCOME 42 estimate-sent value=7200"))
        #expect(mode(["ack", "12", "auto-text", "sent"]) == .send("ACK 12 :auto-text sent"))
        #expect((try? ClientCommandLine.parse(["agenda"]).get().readable) == true)
        #expect((try? ClientCommandLine.parse(["send", "AGENDA"]).get().readable) == false)
    }
}

/// `leadline report week` on a terminal: a row per figure with a sparkline of the
/// days, then people; nothing wider than 80 columns, and no colour when told.
@Suite struct ScoreViewTests {
    static let week: [ScoreLine] = [
        ScoreLine(figure: .firstResponseMedian, tenths: 100, of: 8),
        ScoreLine(figure: .firstResponseMedian, tenths: 120, person: "ana", of: 4),
        ScoreLine(figure: .sameDayCallback, tenths: 889, of: 9),
        .count(.backupTriggered, 2), .count(.backupRescued, 1, of: 2),
        .count(.escalated, 3), .count(.escalated, 1, reason: .noBackup),
        .count(.overnightWithoutOutcome, 1, person: "cara"),
    ]

    @Test func aWeekFitsEightyColumns() {
        let days = (23...29).map { d in
            ScoreView.Day(date: "2026-11-\(d)", lines: [
                ScoreLine(figure: .firstResponseMedian, tenths: d == 25 ? 300 : (d < 28 ? 100 : 0), of: d < 28 ? 2 : 0),
            ])
        }
        let lines = ScoreView.lines(title: "Scorecard, week 2026-11-23 to 2026-11-29", report: Self.week, days: days,
                                    style: Style(enabled: false))
        #expect(lines.allSatisfy { $0.count <= 80 }, "\(lines.filter { $0.count > 80 })")
        let median = lines.first { $0.hasPrefix("First response, median") }
        #expect(median?.contains("10.0 min") == true)
        #expect(median?.hasSuffix("▃ ▃ █ ▃ ▃ · · ") == true, "\(median ?? "")")
        #expect(lines.contains { $0.contains("88.9% of 9") })
        #expect(lines.contains { $0.hasPrefix("  no-backup") })
        #expect(lines.contains { $0.hasPrefix("ana") && $0.contains("12.0") })
        let zero = ScoreView.sparkline(.firstResponseMedian, [ScoreView.Day(date: "2026-11-23", lines: [
            ScoreLine(figure: .firstResponseMedian, tenths: 0, of: 1)])])
        #expect(zero == "▁ ", "a response in 0.0 minutes is measured, not missing")
        #expect(!lines.joined().contains("\u{1B}["), "NO_COLOR: no escape sequences")
    }

    @Test func aScoreLineReadsBack() {
        for line in Self.week {
            let text = String(decoding: WireEncoder(zone: TimeZone(identifier: "UTC")!).data(tag: nil, "SCORE", line.fields), as: UTF8.self)
            guard case .data(_, "SCORE", _, let fields, _) = ServerLine.parse(String(text.dropLast(2))) else {
                Issue.record("not a SCORE line: \(text)")
                continue
            }
            #expect(ScoreLine(fields: fields) == line)
        }
    }
}

import Foundation
import LeadlineTestSupport
import Testing

/// Every kind of bad input gets a clear answer, changes nothing, and leaves the
/// connection (and everyone else's) working.
@Suite struct BadInputTests {
    @Test func malformedRequestsAreAnsweredAndChangeNothing() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let id = ana.newLead()
        let seqBefore = server.server.withDurableBoard { $0.lastSeq }
        let cases: [(String, String)] = [
            ("FROB 1", "ERR UNKNOWN verb=FROB :unknown verb FROB; type HELP for the list of verbs"),
            ("CLAIN 1", "ERR UNKNOWN verb=CLAIN :unknown verb CLAIN; did you mean CLAIM? type HELP for the list of verbs"),
            ("CLAIM", "ERR INVALID arg=lead :CLAIM needs lead; usage: CLAIM <lead>"),
            ("CLAIM forty-two", "ERR INVALID arg=lead :a lead is a number like 42; got \"forty-two\""),
            ("CLAIM 999", "ERR NOTFOUND lead=999 :there is no lead 999"),
            ("NEW colour=red", "ERR INVALID arg=colour :unknown argument colour=; NEW knows kind= source= urgency= name= phone= email= service= area= address= due= owner= backup= value= sent= job="),
            ("NEW kind=maybe phone=1234", "ERR INVALID arg=kind :kind must be one of missed-call, new-lead, promised, update, estimate, post-job, re-engage; got \"maybe\""),
            ("NEW phone=1234 due=someday", "ERR INVALID arg=due :due must be a time like 15:30, 3pm, +2h, +30m, tomorrow, thu, \"thu 9am\", 2026-11-26 or 2026-11-26T10:00; got \"someday\""),
            ("NEW phone=1234 due=7:00", "ERR INVALID arg=due :due=07:00 is in the past; it is 08:00 now"),
            (#"NEW name="Jane"#, "ERR INVALID arg=name :name= opens a quote that is never closed"),
            ("ATTEMPT \(id) call", "ERR INVALID arg=outcome :ATTEMPT needs outcome; usage: ATTEMPT <lead> <channel> <outcome> [next=<time>] [note]"),
            ("@x1 STATUS \(id) sleeping", "@x1 ERR INVALID arg=status :status must be one of needs-callback, in-progress, left-message, text-sent, waiting-on-customer, customer-replied, appointment-requested, booked, follow-up-scheduled, estimate-sent, work-approved, no-decision, escalated, disqualified, closed-no-response, completed; got \"sleeping\""),
            ("@bad! PING", "ERR BADSYNTAX :a tag is @ and 1 to 32 letters, digits, '-', '_' or '.'; got \"@bad!\""),
            ("NOTE \(id) hello", "ERR DENIED lead=\(id) owner=none :lead \(id) is not yours to note: it has no owner; claim it, or ask a dispatcher to assign it"),
            ("REPORT day 1999-01-01", "ERR INVALID arg=date :a report's date is a day between the years 2000 and 2199; got 1999-01-01"),
            ("REPORT day 2026-02-30", "ERR INVALID arg=date :a report's date is like 2026-11-23 (or today, yesterday, last); got \"2026-02-30\""),
            ("REPORT week person=", "ERR INVALID arg=person :person= needs a name or a role, like person=ana or person=csr"),
        ]
        for (request, expected) in cases {
            #expect(ana.reply(request) == expected, "\(request)")
        }
        #expect(server.server.withDurableBoard { $0.lastSeq } == seqBefore)
        #expect(ana.reply("PING still here") == "OK PING :still here")
    }

    @Test func tooLongLinesAreSkipped() throws {
        let server = try TestServer()
        let c = try server.client("ana")
        c.send(String(repeating: "x", count: 10_000))
        #expect(c.readLine() == "ERR TOOLONG max=4096 :the line is longer than 4096 bytes; it was skipped up to the next line break")
        // A long line ending exactly at the limit is fine: 4095 bytes + LF.
        c.send("PING " + String(repeating: "y", count: 4090))
        #expect(c.readLine()?.count == 4090 + "OK PING :".count)
        #expect(c.reply("PING ok") == "OK PING :ok")
        // Tagged, the refusal carries the tag: a client waiting on it hears of it.
        c.send("@t1 NOTE 3 " + String(repeating: "z", count: 5_000))
        #expect(c.readLine() == "@t1 ERR TOOLONG max=4096 :the line is longer than 4096 bytes; it was skipped up to the next line break")
    }

    @Test func badBytesAreRefused() throws {
        let server = try TestServer()
        let c = try server.client()
        c.sendRaw([0x50, 0x49, 0xFF, 0xFE, 0x0A])
        #expect(c.readLine() == "ERR BADSYNTAX :the line is not valid UTF-8")
        c.sendRaw(Array("PING a".utf8) + [0x00] + Array("b\n".utf8))
        #expect(c.readLine() == "ERR BADSYNTAX :the line holds a NUL byte")
        c.sendRaw(Array("PING \u{1B}[2J\n".utf8))
        #expect(c.readLine() == "ERR BADSYNTAX :the line holds a control character (byte 27)")
        c.sendRaw(Array("PING crlf\r\n".utf8))
        #expect(c.readLine() == "OK PING :crlf")
        c.sendRaw(Array("@t10 NOTE 3 a".utf8) + [0x01] + Array("b\n".utf8))
        #expect(c.readLine() == "@t10 ERR BADSYNTAX :the line holds a control character (byte 1)")
        c.sendRaw(Array("@t11 PING ".utf8) + [0xFF, 0x0A])
        #expect(c.readLine() == "@t11 ERR BADSYNTAX :the line is not valid UTF-8")
    }

    @Test func httpIsToldPolitely() throws {
        let server = try TestServer()
        let c = try server.client()
        c.send("GET / HTTP/1.1\r")
        #expect(c.readLine() == "BYE HTTP :this is a Leadline line-protocol server, not a web server; connect with nc or the leadline client")
        #expect(c.readLine() == nil && c.sawEndOfStream)
    }

    @Test func silentClientsAreTimedOut() throws {
        let server = try TestServer { $0.limits.loginTimeout = 0.3 }
        let c = try server.client()
        #expect(c.readLine(timeout: 5) == "BYE IDLE :no LOGIN within 0.3 seconds")
        #expect(c.readLine() == nil && c.sawEndOfStream)
        // A logged-in watcher is not idle-timed out.
        let ana = try server.client("ana")
        usleep(600_000)
        #expect(ana.reply("PING") == "OK PING :")
    }

    @Test func clientsThatVanishAreCleanedUp() throws {
        let server = try TestServer()
        let keeper = try server.client("ana")
        _ = keeper.reply("WATCH none")
        for _ in 0..<30 { _ = keeper.newLead() }
        #expect(eventually { server.server.statistics()?.connections == 1 })
        for i in 0..<40 {
            let c = try server.client("ben")
            switch i % 4 {
            case 0: c.sendRaw(Array("CLAIM 1".utf8))            // mid-line
            case 1: c.send("LIST")                                // mid-reply
            case 2: c.sendRaw(Array("NEW phone=555 name=\"Half".utf8))
            default: c.send("SHOW 1")
            }
            c.closeNow()
        }
        #expect(eventually { server.server.statistics()?.connections == 1 }, "\(server.server.statistics()?.connections ?? -1) connections left")
        #expect(keeper.reply("PING") == "OK PING :")
    }

    @Test func aLoginPastTheConnectionLimitIsTurnedAway() throws {
        let server = try TestServer { $0.limits.maxConnections = 2 }
        let a = try server.client("ana")
        let b = try server.client("ben")
        let c = try server.client()
        c.send("LOGIN cara \(server.tokens["cara"]!)")
        #expect(c.readLine()?.hasPrefix("BYE BUSY :the server has as many people connected as it takes (2)") == true)
        #expect(a.reply("PING") == "OK PING :")
        #expect(b.reply("PING") == "OK PING :")
        b.send("QUIT")
        #expect(b.readUntilClosed().last == "BYE :goodbye")
        #expect(eventually { (try? server.client("cara")) != nil }, "a slot freed is a slot to log in")
    }

    @Test func floodsAreRateLimited() throws {
        let server = try TestServer { config in
            config.limits.requestsPerSecond = 5
            config.limits.requestBurst = 5
        }
        let c = try server.client()
        var answers: [String] = []
        for _ in 0..<8 { answers.append(c.reply("PING")) }
        #expect(answers.prefix(5).allSatisfy { $0 == "OK PING :" })
        #expect(answers.last == "ERR RATE :too many requests; slow down and retry in a moment")
    }
}

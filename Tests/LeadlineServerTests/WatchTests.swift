import Foundation
import LeadlineTestSupport
import Testing

@Suite struct WatchTests {
    /// `WATCH mine` follows a person's own leads, including the moment one is taken away.
    @Test func mineFollowsYourLeadsAndTellsYouWhenOneIsTaken() throws {
        let server = try TestServer()
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        let ana = try server.client("ana")
        #expect(ana.reply("WATCH mine").hasPrefix("OK WATCH mode=mine last="))
        let id = dora.newLead()
        let other = dora.newLead()
        _ = dora.reply("ASSIGN \(id) ana")
        #expect(ana.readLine()?.contains(" ASSIGNED lead=\(id) owner=ana backup=none by=dora ") == true)
        _ = dora.reply("ASSIGN \(other) ben")
        _ = dora.reply("ASSIGN \(id) ben backup=cara")
        #expect(ana.readLine()?.contains(" ASSIGNED lead=\(id) owner=ben backup=cara by=dora ") == true,
                "the reassignment away from ana reaches her")
        _ = dora.reply("NOTE \(id) now ben's")
        #expect(ana.drainAvailable().isEmpty, "and then nothing more about a lead that is not hers")
    }

    /// Who holds a lead is noted for its events only while someone watches `mine`:
    /// after the last such watcher leaves and another starts, notes on their leads
    /// still reach them, and leave them once the lead is someone else's.
    @Test func mineWorksAgainAfterEveryMineWatcherLeft() throws {
        let server = try TestServer()
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        let id = dora.newLead()
        _ = dora.reply("ASSIGN \(id) ana")
        do {
            let first = try server.client("ana")
            #expect(first.reply("WATCH mine").hasPrefix("OK WATCH mode=mine last="))
            #expect(first.reply("WATCH all").hasPrefix("OK WATCH mode=all last="))
            let second = try server.client("ben")
            #expect(second.reply("WATCH mine").hasPrefix("OK WATCH mode=mine last="))
            second.closeNow()
        }
        _ = dora.reply("NOTE \(id) while no one watches mine")
        let ana = try server.client("ana")
        #expect(ana.reply("WATCH mine").hasPrefix("OK WATCH mode=mine last="))
        _ = dora.reply("NOTE \(id) called the homeowner")
        #expect(ana.readLine()?.contains(" NOTED lead=\(id) ") == true)
        _ = dora.reply("ASSIGN \(id) ben")
        #expect(ana.readLine()?.contains(" ASSIGNED lead=\(id) owner=ben ") == true)
        _ = dora.reply("NOTE \(id) now ben's")
        #expect(ana.drainAvailable().isEmpty)
    }

    /// Notes are passed by while no connection watches `all` or `mine`: after the last
    /// `all` watcher leaves and another starts, notes reach it again, and stop when it
    /// goes back to the board.
    @Test func allWorksAgainAfterEveryAllWatcherLeft() throws {
        let server = try TestServer()
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        let id = dora.newLead()
        let first = try server.client("omar")
        #expect(first.reply("WATCH all").hasPrefix("OK WATCH mode=all last="))
        first.closeNow()
        _ = dora.reply("NOTE \(id) while no one watches all")
        let omar = try server.client("omar")
        #expect(omar.reply("WATCH all").hasPrefix("OK WATCH mode=all last="))
        _ = dora.reply("NOTE \(id) called the homeowner")
        #expect(omar.readLine()?.contains(" NOTED lead=\(id) ") == true)
        #expect(omar.reply("WATCH board").hasPrefix("OK WATCH mode=board last="))
        _ = dora.reply("NOTE \(id) not on the board")
        _ = dora.reply("CLAIM \(id)")
        #expect(omar.readLine()?.contains(" CLAIMED lead=\(id) ") == true, "the board's events still come, and no note before them")
    }

    @Test func alertsModeReceivesNoOrdinaryEvents() throws {
        let server = try TestServer()
        let omar = try server.client("omar")
        #expect(omar.reply("WATCH alerts").hasPrefix("OK WATCH mode=alerts last="))
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let id = ana.newLead()
        _ = ana.reply("CLAIM \(id)")
        #expect(omar.drainAvailable().isEmpty)
    }

    /// The board stream has leads leaving it and coming back: a closed lead set to a
    /// working status again reaches `WATCH board`, marked `reopened=yes`; a status on
    /// an open lead does not.
    @Test func theBoardHearsOfALeadReopened() throws {
        let server = try TestServer()
        let olive = try server.client("olive")
        #expect(olive.reply("WATCH board").hasPrefix("OK WATCH mode=board last="))
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        let id = dora.newLead()
        #expect(olive.readLine()?.contains(" CREATED lead=\(id) ") == true)
        _ = dora.reply("STATUS \(id) disqualified reason=spam")
        #expect(olive.readLine()?.contains(" CLOSED lead=\(id) status=disqualified ") == true)
        _ = dora.reply("STATUS \(id) needs-callback")
        let reopened = olive.readLine() ?? ""
        #expect(reopened.contains(" STATUS lead=\(id) status=needs-callback ") && reopened.contains(" reopened=yes "), "got \(reopened)")
        _ = dora.reply("STATUS \(id) in-progress")
        #expect(olive.drainAvailable().isEmpty)
    }

    /// Pipelined changes share a group commit, and so go out as one run of events:
    /// each stream takes exactly its own events of the run, in order.
    @Test func aPipelinedBurstReachesEachStreamInOrder() throws {
        let server = try TestServer()
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        let id = dora.newLead()
        let ana = try server.client("ana")
        #expect(ana.reply("WATCH all").hasPrefix("OK WATCH mode=all last="))
        let omar = try server.client("omar")
        #expect(omar.reply("WATCH board").hasPrefix("OK WATCH mode=board last="))
        let ben = try server.client("ben")
        #expect(ben.reply("WATCH mine").hasPrefix("OK WATCH mode=mine last="))
        let cara = try server.client("cara")
        #expect(cara.reply("WATCH alerts").hasPrefix("OK WATCH mode=alerts last="))
        for i in 1...5 { dora.send("NOTE \(id) note \(i)") }
        dora.send("ASSIGN \(id) ben")
        dora.send("NOTE \(id) after")
        var replies: [String] = []
        while replies.count < 7, let line = dora.readLine() { replies.append(line) }
        #expect(replies.map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
                == Array(repeating: "OK NOTE", count: 5) + ["OK ASSIGN", "OK NOTE"])

        func kinds(_ lines: [String]) -> [String] {
            lines.map { line in
                let words = line.split(separator: " ")
                return words[2] == "NOTED" ? String(line.split(separator: ":").last ?? "") : String(words[2])
            }
        }
        var all: [String] = []
        while all.count < 7, let line = ana.readLine() { all.append(line) }
        #expect(kinds(all) == ["note 1", "note 2", "note 3", "note 4", "note 5", "ASSIGNED", "after"])
        #expect(kinds([omar.readLine() ?? "- - nothing"]) == ["ASSIGNED"])
        var mine: [String] = []
        while let line = ben.readLine(timeout: 1) { mine.append(line) }
        #expect(kinds(mine).suffix(2) == ["ASSIGNED", "after"], "ben's own lead, from the moment it is his")
        #expect(ana.drainAvailable().isEmpty && omar.drainAvailable().isEmpty && cara.drainAvailable().isEmpty)
    }

    /// The timing itself is ``SessionTimersTests``'; this is the wire: `KEEPALIVE 1`
    /// brings `PING 1` after a quiet second, `PONG` is taken silently, and `off` stops it.
    @Test func keepaliveSendsPingsWhenAsked() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        #expect(ana.reply("KEEPALIVE 1") == "OK KEEPALIVE seconds=1")
        #expect(ana.readLine(timeout: 4) == "PING 1")
        ana.send("PONG 1")
        #expect(ana.reply("KEEPALIVE off") == "OK KEEPALIVE seconds=off")
        #expect(ana.request("PING") == ["OK PING :"], "nothing came in between")
    }
}

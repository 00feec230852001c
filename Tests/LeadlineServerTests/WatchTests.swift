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
        #expect(ana.reply("WATCH mine") == "OK WATCH mode=mine")
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

    @Test func alertsModeReceivesNoOrdinaryEvents() throws {
        let server = try TestServer()
        let omar = try server.client("omar")
        #expect(omar.reply("WATCH alerts") == "OK WATCH mode=alerts")
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let id = ana.newLead()
        _ = ana.reply("CLAIM \(id)")
        #expect(omar.drainAvailable().isEmpty)
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

import Dispatch
import Foundation
import LeadlineTestSupport
import Synchronization
import Testing

@Suite struct ClaimAndBroadcastTests {
    /// Two people claim the same lead at the same moment, many times over: each time
    /// exactly one `OK` and one `ERR CONFLICT` naming the winner.
    @Test func claimRace() throws {
        let server = try TestServer()
        let dora = try server.client("dora")
        let ana = try server.client("ana")
        let ben = try server.client("ben")
        for c in [dora, ana, ben] { #expect(c.reply("WATCH none").hasPrefix("OK WATCH mode=none last=")) }
        var wins = ["ana": 0, "ben": 0]
        for _ in 0..<60 {
            let id = dora.newLead()
            let replies = Mutex<[String: String]>([:])
            let group = DispatchGroup()
            for (name, client) in [("ana", ana), ("ben", ben)] {
                DispatchQueue.global().async(group: group) {
                    client.send("CLAIM \(id)")
                    let line = client.readLine() ?? "(nothing)"
                    replies.withLock { $0[name] = line }
                }
            }
            group.wait()
            let r = replies.withLock { $0 }
            let winners = r.filter { $0.value.hasPrefix("OK CLAIM lead=\(id) owner=") }.map(\.key)
            #expect(winners.count == 1, "round \(id): \(r)")
            guard let winner = winners.first else { continue }
            wins[winner, default: 0] += 1
            let loser = winner == "ana" ? "ben" : "ana"
            #expect(r[loser] == "ERR CONFLICT lead=\(id) owner=\(winner) :lead \(id) is already claimed by \(winner)")
        }
        #expect(wins.values.reduce(0, +) == 60)
    }

    /// One claim reaches every logged-in connection; the claimer gets its OK first.
    @Test func broadcastReachesEveryone() throws {
        let server = try TestServer()
        let names = ["ana", "ben", "cara", "dora", "omar", "olive", "sam", "tess"]
        var watchers: [LineClient] = []
        for i in 0..<24 { watchers.append(try server.client(names[i % names.count])) }
        let id = watchers[3].newLead()  // dora
        for (i, w) in watchers.enumerated() {
            let line = w.readLine()
            #expect(line?.hasPrefix("EVENT ") == true && line?.contains(" CREATED lead=\(id) ") == true, "watcher \(i): \(line ?? "-")")
        }
        let ana = watchers[0]
        ana.send("CLAIM \(id)")
        let ok = ana.readLine() ?? ""
        #expect(ok.hasPrefix("OK CLAIM lead=\(id) owner=ana seq="))
        let seq = field("seq", in: ok) ?? "?"
        for (i, w) in watchers.enumerated() {
            let line = w.readLine()
            #expect(line?.hasPrefix("EVENT \(seq) CLAIMED lead=\(id) owner=ana by=ana at=") == true, "watcher \(i): \(line ?? "-")")
        }
    }

    /// Connections that are not logged in receive no events.
    @Test func eventsAreForLoggedInConnectionsOnly() throws {
        let server = try TestServer()
        let stranger = try server.client()
        let ana = try server.client("ana")
        _ = ana.newLead()
        _ = ana.readLine()  // ana's own CREATED event
        #expect(stranger.reply("PING x") == "OK PING :x")
        #expect(stranger.drainAvailable().isEmpty)
    }
}

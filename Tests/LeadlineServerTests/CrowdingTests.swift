import Foundation
import LeadlineTestSupport
import Testing

/// Logins an attacker cannot crowd out: connections that have not logged in share a
/// bounded pool, each address a slice of it, and token checks from clean addresses go
/// before those from failing ones. Loopback's 127.0.0.0/8 stands in for many hosts.
@Suite(.serialized) struct CrowdingTests {
    /// Idle sockets from one address evict their own oldest; a user from another address
    /// (and a new one from the same address) still logs in.
    @Test func idleSocketsFromOneAddressEvictThemselves() throws {
        let server = try TestServer { config in
            config.limits.maxUnauthenticated = 50
            config.limits.maxUnauthenticatedPerAddress = 5
        }
        var idle: [LineClient] = []
        for _ in 0..<20 {
            let c = try LineClient(port: server.port, from: "127.0.0.2")
            #expect(c.readLine()?.hasPrefix("HELLO") == true)
            idle.append(c)
        }
        #expect(eventually { server.server.statistics()?.waitingToLogIn == 5 })
        #expect(idle[0].readLine()?.hasPrefix("BYE BUSY :too many connections are waiting to log in") == true)
        #expect(idle[19].reply("PING") == "OK PING :", "the newest stay")
        let ana = try server.client("ana", from: "127.0.0.3")
        #expect(ana.reply("PING") == "OK PING :")
        let ben = try server.client("ben", from: "127.0.0.2")
        #expect(ben.reply("WHO").hasPrefix("OK WHO"))
    }

    /// When the pool is full, the busiest address gives up its oldest connection.
    @Test func aFullPoolEvictsTheBusiestAddress() throws {
        let server = try TestServer { config in
            config.limits.maxUnauthenticated = 10
            config.limits.maxUnauthenticatedPerAddress = 8
        }
        var busy: [LineClient] = []
        for _ in 0..<8 {
            busy.append(try LineClient(port: server.port, from: "127.0.0.2"))
            _ = busy.last!.readLine()
        }
        var quiet: [LineClient] = []
        for _ in 0..<2 {
            quiet.append(try LineClient(port: server.port, from: "127.0.0.4"))
            _ = quiet.last!.readLine()
        }
        #expect(eventually { server.server.statistics()?.waitingToLogIn == 10 })
        let newcomer = try server.client("cara", from: "127.0.0.3")
        #expect(newcomer.reply("PING") == "OK PING :")
        #expect(busy[0].readLine()?.hasPrefix("BYE BUSY") == true)
        for c in quiet { #expect(c.reply("PING") == "OK PING :") }
    }

    /// Three hundred failing logins from one address are queued; a real user's login
    /// from another address is checked next, not after them.
    @Test func loginsFromCleanAddressesGoFirst() throws {
        let attackers = 300
        let server = try TestServer { config in
            config.limits.maxUnauthenticatedPerAddress = 1000
            config.limits.loginFailureDelay = 0.05
        }
        var flood: [LineClient] = []
        for _ in 0..<attackers {
            let c = try LineClient(port: server.port, from: "127.0.0.2")
            _ = c.readLine()
            flood.append(c)
        }
        // All at once, so the checks queue up faster than they are made.
        for (i, c) in flood.enumerated() { c.send("LOGIN ana wrong-token-\(i)") }
        #expect(eventually { (server.server.statistics()?.loginChecksQueued ?? 0) > attackers / 2 },
                "the attack's checks are queued: \(server.server.statistics()?.loginChecksQueued ?? -1)")
        let ana = try LineClient(port: server.port, from: "127.0.0.3")
        _ = ana.readLine()
        #expect(ana.reply("LOGIN ana \(server.tokens["ana"]!)") == "OK LOGIN user=ana role=csr")
        let left = server.server.statistics()?.loginChecksQueued ?? 0
        #expect(left > attackers / 3, "only \(left) of the attack's checks were still waiting when ana got in")
        #expect(flood[0].readLine() == "ERR AUTH :wrong name or token", "the attacker is still answered")
    }
}

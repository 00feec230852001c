import Foundation
import LeadlineTestSupport
import Testing

@Suite struct LoginAndRoleTests {
    @Test func onlyHelpPingLoginAndQuitBeforeLogin() throws {
        let server = try TestServer()
        let c = try server.client()
        #expect(c.reply("CLAIM 1") == "ERR AUTH :log in first: LOGIN <name> <token> (HELP works without it)")
        #expect(c.reply("@t LIST") == "@t ERR AUTH :log in first: LOGIN <name> <token> (HELP works without it)")
        // Malformed or unknown, it is still refused for want of a login, not explained.
        for line in ["CLAIM 1 extra", "CLAIM", "FROB", "SHOW abc", "NEW name=\"x"] {
            #expect(c.reply(line) == "ERR AUTH :log in first: LOGIN <name> <token> (HELP works without it)", "\(line)")
        }
        #expect(c.reply("@t2 LIST bogus") == "@t2 ERR AUTH :log in first: LOGIN <name> <token> (HELP works without it)")
        // The verbs that work before LOGIN still say what is wrong with them.
        #expect(c.reply("LOGIN ana").hasPrefix("ERR INVALID arg=token "))
        #expect(c.reply("PING") == "OK PING :")
        #expect(c.request("HELP").last == "OK HELP")
        #expect(c.reply("LOGIN ana \(server.tokens["ana"]!)") == "OK LOGIN user=ana role=csr")
        #expect(c.reply("LOGIN ben \(server.tokens["ben"]!)").hasPrefix("ERR INVALID user=ana :already logged in as ana"))
        c.send("QUIT")
        #expect(c.readLine() == "BYE :goodbye")
        #expect(c.readLine() == nil && c.sawEndOfStream)
    }

    @Test func wrongTokensAreSlowedThenCutOff() throws {
        let server = try TestServer { config in
            config.limits.loginFailureDelay = 0.1
            config.limits.maxLoginFailures = 3
        }
        let c = try server.client()
        let start = Date()
        #expect(c.reply("LOGIN ana nope") == "ERR AUTH :wrong name or token")
        #expect(c.reply("LOGIN ghost nope") == "ERR AUTH :wrong name or token", "an unknown name reads the same")
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed >= 0.3, "the delays were 0.1 s then 0.2 s; took \(elapsed)")
        c.send("LOGIN ana still-wrong")
        #expect(c.readLine() == "ERR AUTH :wrong name or token")
        #expect(c.readLine() == "BYE AUTH :too many failed logins")
        #expect(c.readLine() == nil && c.sawEndOfStream)
    }

    @Test func rolesAreEnforced() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        let tess = try server.client("tess")
        for c in [ana, tess] { _ = c.reply("WATCH none") }
        let id = ana.newLead()
        #expect(ana.reply("ASSIGN \(id) ben") == "ERR DENIED lead=\(id) need=dispatcher,ops,owner :ASSIGN needs the dispatcher, ops or owner role; you are csr")
        #expect(tess.reply("CLAIM \(id)") == "ERR DENIED lead=\(id) need=csr,dispatcher,sales,ops,owner :CLAIM is for office roles; you are tech")
        #expect(ana.reply("USER ADD zed role=csr") == "ERR DENIED need=owner :managing people needs the owner role; you are csr")
        #expect(tess.reply("NEW phone=1234").hasPrefix("ERR DENIED need=csr,dispatcher,sales,ops,owner"))
    }

    @Test func theOwnerManagesPeopleOverTheWire() throws {
        let server = try TestServer()
        let olive = try server.client("olive")
        _ = olive.reply("WATCH none")
        let added = olive.reply("USER ADD zed role=sales")
        #expect(added.hasPrefix("OK USER person=zed role=sales token="))
        let token = field("token", in: added)!
        let zed = try server.client()
        #expect(zed.reply("LOGIN zed \(token)") == "OK LOGIN user=zed role=sales")
        let renewed = olive.reply("USER TOKEN zed")
        let newToken = field("token", in: renewed)!
        #expect(zed.readLine() == "BYE AUTH :your token was replaced; log in with the new one")
        let again = try server.client()
        #expect(again.reply("LOGIN zed \(token)") == "ERR AUTH :wrong name or token")
        let fresh = try server.client()
        #expect(fresh.reply("LOGIN zed \(newToken)") == "OK LOGIN user=zed role=sales")
        #expect(olive.reply("USER REMOVE zed").hasPrefix("OK USER person=zed seq="))
        #expect(fresh.readLine() == "BYE AUTH :your account was removed")
        // The token never reaches the journal.
        let journal = String(decoding: FileManager.default.contents(atPath: server.journalPath) ?? Data(), as: UTF8.self)
        #expect(!journal.contains(token) && !journal.contains(newToken))
    }
}

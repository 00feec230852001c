import Foundation
import LeadlineCore
import LeadlineServer
import LeadlineTestSupport
import Testing

/// The procedure's defects, end to end: a drill obeys its clock and never runs on real
/// work, a policy naming nobody is caught, and a stop may be asked twice.
@Suite(.serialized) struct ProcedureServerTests {
    /// The README's drill after people were added: the clock is obeyed.
    @Test func aDrillStartsAtTheAskedTimeAndRefusesRealWork() throws {
        let dir = NSTemporaryDirectory() + "leadline-drill-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let add = try ServerProcess.run(["user", "add", "olive", "--role", "owner", "--data", dir])
        let token = add.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let config = dir + ".json"
        _ = FileManager.default.createFile(atPath: config, contents: Data(#"{"policy":{"timeZone":"America/Chicago"}}"#.utf8))
        defer { try? FileManager.default.removeItem(atPath: config) }
        let drill = try ServerProcess(arguments: ["--port", "0", "--data", dir, "--config", config,
                                                  "--clock", "sim", "--start", "2026-11-23T10:15"])
        let c = try LineClient(port: drill.port)
        _ = c.readLine()
        _ = c.reply("LOGIN olive \(token)")
        let created = c.request("NEW phone=555-0100")
        #expect(created.last?.hasPrefix("OK NEW lead=1 due=2026-11-23T10:30:00-06:00") == true, "\(created)")
        let event = c.readLine()
        #expect(event?.contains(" CREATED ") == true && event?.hasSuffix("at=2026-11-23T10:15:00-06:00") == true, "\(String(describing: event))")
        drill.terminate()
        #expect(drill.waitForExit() == 0)

        // The same folder on the real clock: the drill's lead is noted, and work goes on.
        let live = try ServerProcess(arguments: ["--port", "0", "--data", dir, "--config", config])
        let d = try LineClient(port: live.port)
        _ = d.readLine()
        _ = d.reply("LOGIN olive \(token)")
        #expect(d.reply("NEW phone=555-0101").hasPrefix("OK NEW lead=2"))
        live.terminate()
        #expect(live.waitForExit() == 0)

        // Now the folder holds real work: a drill on it is refused, pointing to a copy.
        let refused = try ServerProcess.run(["--port", "0", "--data", dir, "--clock", "sim", "--start", "2026-11-23T10:15"])
        #expect(refused.status == 1)
        #expect(refused.err.contains("holds real work") && refused.err.contains("Run the drill on a copy: cp -r \(dir)"),
                "\(refused.err)")
    }

    @Test func aPolicyNamingNobody() throws {
        // On a folder with people: start-up refuses, naming the field and the name.
        #expect {
            _ = try TestServer { $0.policy.backups.byPerson = ["ana": "bne"] }
        } throws: { error in
            "\(error)".contains("policy.backups.byPerson.ana names bne")
        }
        // On a fresh folder: a warning, and the owner is alerted once it runs.
        let fresh = try TestServer(seedPeople: false) { $0.policy.backups.byPerson = ["ana": "bne"] }
        #expect(fresh.logLines.all.contains { $0.contains("warning: the policy names people who do not exist yet") })
        let alerts = FileManager.default.contents(atPath: fresh.journalPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(alerts.contains(#""type":"ALERT","kind":"escalation""#) && alerts.contains("bne (policy.backups.byPerson.ana)"))
    }

    @Test func stopMayBeAskedTwice() throws {
        let server = try TestServer()
        let both = DispatchGroup()
        for _ in 0..<2 {
            both.enter()
            server.server.stop { both.leave() }
        }
        #expect(both.wait(timeout: .now() + 10) == .success, "both stops complete")
        server.server.stop()  // and a third, after it stopped, returns at once
    }
}

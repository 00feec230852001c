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

        // A shop never runs on a drill's leads.
        let shop = try ServerProcess.run(["--port", "0", "--data", dir, "--config", config])
        #expect(shop.status == 1 && shop.err.contains("holds a drill's leads"), "\(shop.err)")
        // Nor does a drill go back in time.
        let back = try ServerProcess.run(["--port", "0", "--data", dir, "--clock", "sim", "--start", "2026-11-23T09:00"])
        #expect(back.status == 1 && back.err.contains("time does not run backwards"), "\(back.err)")
        // Started again without --start (as the refusal above advises), the drill goes on
        // where it stopped, not at the machine's time: nothing falls due at once.
        let again = try Self.oneRequest(["--data", dir, "--config", config, "--clock", "sim"], as: "olive", token, "CLOCK")
        #expect(again.reply == "OK CLOCK now=2026-11-23T10:15:00-06:00 mode=sim")
        #expect(again.log.contains("the drill resumes where it stopped: 2026-11-23T10:15"), "\(again.log)")
        let journal = FileManager.default.contents(atPath: dir + "/journal.jsonl").map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(!journal.contains(#""type":"ALERT""#), "\(journal)")
        // The owner calls at 16:45 in Chicago: within hours there, after hours in UTC.
        let late = try Self.oneRequest(["--data", dir, "--config", config, "--clock", "sim", "--start", "2026-11-23T16:45"],
                                       as: "olive", token, "ATTEMPT 1 call no-answer")
        #expect(late.reply.hasPrefix("OK ATTEMPT"))
        // The offline report judges hours by the config the server last started with,
        // unasked: the same as with it given, not the defaults' (UTC).
        let utc = dir + "-utc.json"
        _ = FileManager.default.createFile(atPath: utc, contents: Data("{}".utf8))
        defer { try? FileManager.default.removeItem(atPath: utc) }
        let offline = try ServerProcess.run(["report", "--data", dir, "--day", "2026-11-23"])
        let given = try ServerProcess.run(["report", "--data", dir, "--day", "2026-11-23", "--config", config])
        let inUTC = try ServerProcess.run(["report", "--data", dir, "--day", "2026-11-23", "--config", utc])
        #expect(offline.status == 0 && offline.out == given.out, "\(offline.err)")
        #expect(given.out.contains("SCORE figure=owner-rescues value=0"), "\(given.out)")
        #expect(inUTC.out.contains("SCORE figure=owner-rescues value=1"), "\(inUTC.out)")
        // People changed offline on a drill's folder are stamped by the drill's clock: a
        // removal that hands a lead back leaves a folder the drill still starts on.
        let benToken = try ServerProcess.run(["user", "add", "ben", "--role", "csr", "--data", dir]).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let claim = try Self.oneRequest(["--data", dir, "--config", config, "--clock", "sim"], as: "ben", benToken, "CLAIM 1")
        #expect(claim.reply.hasPrefix("OK CLAIM lead=1 owner=ben"))
        #expect(try ServerProcess.run(["user", "remove", "ben", "--data", dir]).status == 0)
        let after = try ServerProcess(arguments: ["--port", "0", "--data", dir, "--config", config, "--clock", "sim"])
        after.terminate()
        #expect(after.waitForExit() == 0)
        #expect(after.errorOutput.contains("the drill resumes where it stopped: 2026-11-23T16:45"), "\(after.errorOutput)")
        // So is an offline import: the drill starts on the folder after it, and the
        // leads arrived at the drill's time.
        let csv = dir + "-leads.csv"
        _ = FileManager.default.createFile(atPath: csv, contents: Data("name,phone\nPat Doe,555-0177\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: csv) }
        // A file with a header alone is refused, as a file: no line to name.
        let headerOnly = dir + "-header.csv"
        _ = FileManager.default.createFile(atPath: headerOnly, contents: Data("name,phone\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: headerOnly) }
        let noRows = try ServerProcess.run(["import", "leads", headerOnly, "--data", dir, "--config", config])
        #expect(noRows.status != 0 && noRows.err.contains("\(headerOnly): the file has no leads in it (a header and no rows); nothing was imported")
                && !noRows.err.contains("line 0"), "\(noRows.err)")
        let imported = try ServerProcess.run(["import", "leads", csv, "--data", dir, "--config", config])
        #expect(imported.status == 0, "\(imported.err)")
        let shown = try Self.oneRequest(["--data", dir, "--config", config, "--clock", "sim"], as: "olive", token, "LIST all")
        #expect(shown.log.contains("the drill resumes where it stopped: 2026-11-23T16:45"), "\(shown.log)")
        // Gone, the remembered config is warned about and the defaults used.
        try FileManager.default.moveItem(atPath: config, toPath: config + ".moved")
        defer { try? FileManager.default.moveItem(atPath: config + ".moved", toPath: config) }
        let gone = try ServerProcess.run(["report", "--data", dir, "--day", "2026-11-23"])
        #expect(gone.status == 0 && gone.out == inUTC.out)
        #expect(gone.err.contains("warning: the server last started with \(config), which cannot be read here"), "\(gone.err)")

        // A folder holding real work: a drill on it is refused, pointing to a copy; the
        // copy, said to be one, runs the drill.
        let (real, tokens) = try ProcessTests.seededFolder()
        defer { try? FileManager.default.removeItem(atPath: real) }
        let live = try ServerProcess(arguments: ["--port", "0", "--data", real])
        let d = try LineClient(port: live.port)
        _ = d.readLine()
        _ = d.reply("LOGIN ana \(tokens["ana"]!)")
        #expect(d.reply("NEW phone=555-0101").hasPrefix("OK NEW lead=1"))
        live.terminate()
        #expect(live.waitForExit() == 0)
        let refused = try ServerProcess.run(["--port", "0", "--data", real, "--clock", "sim", "--start", "2030-01-07T10:15"])
        #expect(refused.status == 1)
        #expect(refused.err.contains("holds real work") && refused.err.contains("--clock sim --drill-copy"), "\(refused.err)")
        let copy = real + "-drill"
        try FileManager.default.copyItem(atPath: real, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let drillOnCopy = try ServerProcess(arguments: ["--port", "0", "--data", copy, "--clock", "sim", "--drill-copy",
                                                        "--start", "2030-01-07T10:15"])
        drillOnCopy.terminate()
        #expect(drillOnCopy.waitForExit() == 0)
    }

    /// A drill started on an empty folder (its owner made then, by its clock) and
    /// stopped before any lead: started again without --start, it goes on at 08:00.
    @Test func aDrillWithNoLeadYetResumesAtItsStart() throws {
        let dir = NSTemporaryDirectory() + "leadline-drill-empty-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try ServerProcess(arguments: ["--port", "0", "--data", dir, "--clock", "sim", "--start", "2026-11-23T08:00"])
        first.terminate()
        #expect(first.waitForExit() == 0)
        let again = try ServerProcess(arguments: ["--port", "0", "--data", dir, "--clock", "sim"])
        again.terminate()
        #expect(again.waitForExit() == 0)
        #expect(again.errorOutput.contains("the drill resumes where it stopped: 2026-11-23T08:00"), "\(again.errorOutput)")
    }

    /// Starts a server with `arguments` on a free port, sends one request as `name`,
    /// stops it: the reply, and what the server logged.
    static func oneRequest(_ arguments: [String], as name: String, _ token: String,
                           _ request: String) throws -> (reply: String, log: String) {
        let server = try ServerProcess(arguments: ["--port", "0"] + arguments)
        let client = try LineClient(port: server.port)
        _ = client.readLine()
        _ = client.reply("LOGIN \(name) \(token)")
        let reply = client.reply(request)
        server.terminate()
        #expect(server.waitForExit() == 0)
        return (reply, server.errorOutput)
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

    /// Removing someone the policy names is refused offline as over the protocol: the
    /// server would not start on the folder afterwards. The offline command reads the
    /// config the server last started with, as the desk's commands do.
    @Test func offlineRemovalOfSomeoneThePolicyNamesIsRefused() throws {
        let (dir, _) = try ProcessTests.seededFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "-shop.json"
        _ = FileManager.default.createFile(atPath: config, contents: Data(#"{"policy": {"backups": {"byPerson": {"ana": "ben"}}}}"#.utf8))
        defer { try? FileManager.default.removeItem(atPath: config) }
        let served = try ServerProcess(arguments: ["--port", "0", "--data", dir, "--config", config])
        served.terminate()
        #expect(served.waitForExit() == 0)
        let removal = try ServerProcess.run(["user", "remove", "ben", "--data", dir])
        #expect(removal.status == 1 && removal.err.contains("the policy names ben (policy.backups.byPerson"), "\(removal.err)")
        let again = try ServerProcess(arguments: ["--port", "0", "--data", dir, "--config", config])
        again.terminate()
        #expect(again.waitForExit() == 0, "the server still starts: \(again.errorOutput)")
    }

    /// A policy naming a technician as a backup or a stage's owner is refused: they would never be used.
    @Test func aPolicyNamingATechnicianIsRefused() throws {
        var config = ServerConfiguration()
        #expect {
            try ConfigurationFile.apply(Data(#"{"policy": {"handoffs": {"workApproved": "tech"}}}"#.utf8), from: "shop.json", to: &config)
        } throws: { error in
            "\(error)".contains("policy.handoffs.workApproved: technicians do not hold callbacks")
        }
        #expect {
            _ = try TestServer { $0.policy.backups.byPerson = ["ana": "tess"] }
        } throws: { error in
            "\(error)".contains("policy.backups.byPerson.ana names tess, a technician")
        }
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

    /// "Contacted" is not an outcome, over the wire: STATUS says so, and the sweep lists it
    /// with what is missing.
    @Test func aStatusClaimingContactStaysInTheSweep() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let id = ana.newLead()
        _ = ana.reply("CLAIM \(id)")
        #expect(ana.reply(#"STATUS \#(id) waiting-on-customer next="tomorrow 9am" :contacted"#)
                == "OK STATUS lead=\(id) status=waiting-on-customer due=2026-11-24T09:00:00-06:00 seq=11 "
                + ":waiting-on-customer is not an outcome while no attempt is logged: lead \(id) stays in the end-of-day sweep "
                + "until one is (ATTEMPT \(id) call connected next=<time>)")
        let omar = try server.client("omar")
        let sweep = omar.request("SWEEP")
        #expect(sweep.first?.hasPrefix("LEAD \(id) status=waiting-on-customer") == true)
        #expect(sweep.last == "OK SWEEP count=1 seq=12")
        server.advance(by: 8.5 * 3600)
        let alert = omar.request("SINCE 0").first { $0.contains("kind=sweep lead=\(id) ") }
        #expect(alert?.contains("(waiting-on-customer: waiting-on-customer but no attempt is logged)") == true, "\(String(describing: alert))")
    }

    /// The defects' fixes, over the wire: backup=none, MERGE force, the fixed backup
    /// beats the rotation, REVIEW flags what a stuck lead lacks.
    @Test func theFixesOverTheWire() throws {
        let server = try TestServer { config in
            config.policy.backups.byPerson = ["ana": "ben"]
            config.policy.backups.rotation = [2: "cara"]
        }
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        #expect(dora.reply("NEW phone=555-0100 backup=none").hasPrefix("OK NEW lead=1 due=2026-11-23T08:15:00-06:00 seq="),
                "no backup=cara from the rotation")
        let second = dora.reply("NEW phone=555-0199")
        #expect(second.contains("backup=cara"))
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        #expect(ana.reply("CLAIM 2").hasPrefix("OK CLAIM lead=2 owner=ana backup=ben "), "ana's own backup, not the rotation's")
        #expect(dora.reply("MERGE 1 into 2").hasPrefix("ERR CONFLICT lead=1 into=2 :lead 1 (555-0100) and lead 2 (555-0199) have different phone numbers"))
        #expect(dora.reply("MERGE 1 into 2 force").hasSuffix(":merged though the phone numbers differ: 555-0100 (lead 1) and 555-0199 (lead 2)"))
        #expect(ana.reply("OUTCOME 2 no-decision followup=thu").hasPrefix("OK OUTCOME lead=2 status=no-decision"))
        _ = dora.reply("ASSIGN 2 none")
        let review = dora.request("REVIEW")
        #expect(review.first?.hasPrefix("LEAD 2 status=no-decision") == true && review.first?.hasSuffix(" missing=owner") == true)
        #expect(review.last == "OK REVIEW count=1 stuck=1")
    }
}

import Foundation
import LeadlineCore
import LeadlineJournal
@testable import LeadlineServer
import LeadlineTestSupport
import Testing

/// Nothing one request can do takes the shop down, and when a journal is damaged
/// anyway, the operator has a way forward: `leadlined check` names the line,
/// `leadlined repair` sets it aside, and the server starts.
@Suite(.serialized) struct JournalSafetyTests {
    /// The requests that once made the server unrestartable are refused, naming the
    /// argument; a time at the edge of the range is accepted and survives a restart.
    @Test func timesTheJournalCannotHoldAreRefusedAndRestartWorks() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        #expect(ana.reply("NEW phone=555-0100 sent=0000-01-01T00:00+00:01")
                == "ERR INVALID arg=sent :sent must be a time between the years 2000 and 2199")
        #expect(ana.reply("NEW kind=post-job phone=555-0100 job=9999-12-31T20:00Z")
                == "ERR INVALID arg=job :job must be a time between the years 2000 and 2199")
        #expect(ana.reply("NEW kind=estimate phone=555-0101 sent=9999-12-31T22:00Z")
                == "ERR INVALID arg=sent :sent must be a time between the years 2000 and 2199")
        #expect(ana.reply("NEW phone=555-0102 due=+1000000d") == "ERR INVALID arg=due :due must be a time between the years 2000 and 2199")
        let edge = ana.reply("NEW phone=555-0103 due=2199-12-31T22:00Z")
        #expect(edge.hasPrefix("OK NEW lead=1 due=2199-12-31T16:00:00-06:00"), "\(edge)")
        let earliest = ana.reply("NEW kind=estimate phone=555-0104 sent=2000-01-01T12:00Z")
        #expect(earliest.hasPrefix("OK NEW lead=2 "), "\(earliest)")
        let before = ana.request("SHOW 1")
        try server.restart()
        #expect(try server.client("ana").request("SHOW 1") == before)
    }

    /// Times the server works out itself may fall past 2199 (a due time at the next
    /// opening, an estimate's cadence, a missed call's rhythm), and the clock itself may
    /// run past it: all of it is journaled in a form the reader takes back, so the
    /// server restarts and answers as before.
    @Test func timesWorkedOutPastTheRangeSurviveARestart() throws {
        let server = try TestServer(start: Timestamp.parse("2199-12-31T16:45:00-06:00")!)
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let fresh = ana.newLead("kind=new-lead phone=555-0110")
        let estimate = ana.newLead("kind=estimate phone=555-0111 sent=2199-12-31T16:00-06:00")
        let missed = ana.newLead("kind=missed-call phone=555-0112")
        #expect(ana.reply("CLAIM \(missed)").hasPrefix("OK CLAIM"))
        #expect(ana.reply("ATTEMPT \(missed) call no-answer").hasPrefix("OK ATTEMPT"))
        server.advance(by: 3 * 24 * 3600)
        #expect(ana.reply("CLOCK").contains("2200-01-03"))
        #expect(ana.reply("CLAIM \(fresh)").hasPrefix("OK CLAIM"))
        #expect(ana.reply("NOTE \(fresh) written in 2200").hasPrefix("OK NOTE"))
        let before = [fresh, estimate, missed].map { ana.request("SHOW \($0)") }
        #expect(before.joined().joined(separator: "\n").contains("due=2200-01-01T10:00:00-06:00"), "\(before)")
        try server.restart()
        let again = try server.client("ana")
        #expect([fresh, estimate, missed].map { again.request("SHOW \($0)") } == before)
        server.stop()
        let check = try DataFolderDoctor.check(dataDirectory: server.directory)
        #expect(check.sound, "\(check.text)")
    }

    /// A changed letter in the journal: start-up refuses naming the line and the way
    /// forward; check names it and what it held; repair sets it aside; the server starts.
    @Test func aDamagedJournalIsCheckedRepairedAndStartsAgain() throws {
        let (dir, tokens) = try ProcessTests.seededFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServerProcess(arguments: ["--port", "0", "--data", dir])
        let c = try LineClient(port: server.port)
        _ = c.readLine()
        _ = c.reply("LOGIN ana \(tokens["ana"]!)")
        _ = c.reply("WATCH none")
        #expect(c.reply("NEW phone=555-0100 name=\"Jane Roe\" owner=ana").hasPrefix("OK NEW lead=1"))
        #expect(c.reply("NOTE 1 spoke with homeowner").hasPrefix("OK NOTE"))
        #expect(c.reply("NOTE 1 booked for thursday").hasPrefix("OK NOTE"))
        server.terminate()
        #expect(server.waitForExit() == 0)

        let journal = dir + "/journal.jsonl"
        var bytes = Array(FileManager.default.contents(atPath: journal)!)
        let target = Array("spoke with".utf8)
        let at = (0...(bytes.count - target.count)).first { bytes[$0..<($0 + target.count)].elementsEqual(target) }!
        bytes[at] = UInt8(ascii: "S")
        _ = FileManager.default.createFile(atPath: journal, contents: Data(bytes))

        let refused = try ServerProcess.run(["--port", "0", "--data", dir])
        #expect(refused.status == 1)
        #expect(refused.err.contains("line 5 is damaged (its checksum does not match") && refused.err.contains("leadlined repair"),
                "\(refused.err)")

        let check = try ServerProcess.run(["check", "--data", dir])
        #expect(check.status == 1)
        #expect(check.out.contains("line 5 (byte "), "\(check.out)")
        #expect(check.out.contains("it held: NOTED seq=4") && check.out.contains("Spoke with homeowner"), "\(check.out)")

        let repair = try ServerProcess.run(["repair", "--data", dir])
        #expect(repair.status == 0, "\(repair.err)")
        #expect(repair.out.contains("set aside 1 line into \(dir)/journal.quarantine.jsonl"), "\(repair.out)")
        #expect(repair.out.contains("the journal as it was is kept at \(dir)/journal.jsonl.before-repair-"))
        #expect(try ServerProcess.run(["check", "--data", dir]).status == 0)

        let again = try ServerProcess(arguments: ["--port", "0", "--data", dir])
        let d = try LineClient(port: again.port)
        _ = d.readLine()
        _ = d.reply("LOGIN ana \(tokens["ana"]!)")
        let show = d.request("SHOW 1")
        #expect(show.last == "OK SHOW lead=1 history=2", "the set-aside note is gone, the rest stands: \(show)")
        #expect(d.reply("NOTE 1 after the repair").hasPrefix("OK NOTE lead=1 seq=6"), "numbers go on after the stand-in")
        again.terminate()
        #expect(again.waitForExit() == 0)
    }

    /// An emptied journal in a folder that has run is refused, not taken for a new shop.
    @Test func anEmptiedJournalIsRefused() throws {
        let (dir, _) = try ProcessTests.seededFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/journal.jsonl", contents: Data())
        let run = try ServerProcess.run(["--port", "0", "--data", dir])
        #expect(run.status == 1)
        #expect(run.err.contains("journal.jsonl is empty, but its folder has been used before"), "\(run.err)")
        #expect(FileManager.default.contents(atPath: dir + "/journal.jsonl")?.isEmpty == true)
    }

    /// A journal moved away from a folder a server ran on is refused, not a new shop;
    /// `check` says so; `repair` refuses a file with nothing to keep, and warns when no
    /// owner is left.
    @Test func aMissingJournalAndAHopelessRepair() throws {
        let (dir, _) = try ProcessTests.seededFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.moveItem(atPath: dir + "/journal.jsonl", toPath: dir + "/elsewhere.jsonl")
        let refused = try ServerProcess.run(["--port", "0", "--data", dir])
        #expect(refused.status == 1 && refused.err.contains("journal.jsonl is missing, but its folder has been used before"), "\(refused.err)")
        let check = try ServerProcess.run(["check", "--data", dir])
        #expect(check.status == 1 && check.out.contains("is missing"), "\(check.out)")

        _ = FileManager.default.createFile(atPath: dir + "/journal.jsonl", contents: Data("nonsense\nmore nonsense\n".utf8))
        let hopeless = try ServerProcess.run(["repair", "--data", dir])
        #expect(hopeless.status == 1 && hopeless.err.contains("not one of its 2 lines reads as a Leadline event"), "\(hopeless.err)")

        // The owner's own account damaged: repair warns that nobody can manage people.
        try FileManager.default.removeItem(atPath: dir + "/journal.jsonl")
        try FileManager.default.moveItem(atPath: dir + "/elsewhere.jsonl", toPath: dir + "/journal.jsonl")
        _ = try ServerProcess.run(["user", "add", "olive", "--role", "owner", "--data", dir])
        var bytes = Array(FileManager.default.contents(atPath: dir + "/journal.jsonl")!)
        let index = bytes.lastIndex(of: UInt8(ascii: "o"))!
        bytes[index] = UInt8(ascii: "0")
        _ = FileManager.default.createFile(atPath: dir + "/journal.jsonl", contents: Data(bytes))
        let repaired = try ServerProcess.run(["repair", "--data", dir])
        #expect(repaired.status == 0)
        #expect(repaired.out.contains("warning: changes to people were set aside"))
        #expect(repaired.out.contains("warning: nobody has the owner role now"), "\(repaired.out)")
    }
}

import Foundation
import LeadlineCore
import LeadlineJournal
import Testing

/// `check` names every damaged line; `repair` sets them aside so the journal replays,
/// keeping the original and explaining what each set-aside line held.
@Suite struct JournalRepairTests {
    let now = Timestamp.parse("2026-11-23T14:00:00Z")!
    let later = Timestamp.parse("2026-11-24T09:30:00Z")!

    func created(_ seq: UInt64, lead: LeadID) -> Event {
        Event(seq: seq, at: now, by: "ana", change: .created(Intake(lead: lead, kind: .newLead, source: .phone, urgency: .normal,
                                                                    phone: "555-010\(lead)", due: now.addingTimeInterval(900))))
    }

    func noted(_ seq: UInt64, lead: LeadID, _ text: String) -> Event {
        Event(seq: seq, at: now, by: "ana", change: .noted(lead: lead, text: text))
    }

    func lines(_ events: [Event]) -> [[UInt8]] {
        [JournalCodec.encodeHeader(JournalHeader(epoch: "0123456789ab", created: now))] + events.map(JournalCodec.encode)
    }

    func replay(_ folder: TempFolder) throws -> Board {
        var board = Board()
        _ = try JournalReader.replay(path: folder.journal, into: &board, now: later)
        return board
    }

    @Test func aCleanJournalNeedsNothing() throws {
        let folder = TempFolder()
        folder.write(lines([created(1, lead: 1), noted(2, lead: 1, "hi")]).flatMap { $0 })
        let report = try JournalSalvage.run(path: folder.journal, now: later)
        #expect(report.isClean && report.events == 2 && report.lastSeq == 2)
        let result = try JournalRepair.run(folder: DataDirectory(path: folder.path), now: later)
        #expect(result.original == nil && result.quarantine == nil)
    }

    /// A note with a changed letter: check names it with what it held; repair moves it
    /// to the quarantine file, a VOID keeps its number, and the journal replays.
    @Test func aDamagedNoteIsSetAsideAndTheJournalReplays() throws {
        let folder = TempFolder()
        var all = lines([created(1, lead: 1), noted(2, lead: 1, "spoke with homeowner"), noted(3, lead: 1, "booked")])
        let i = all[2].firstIndex(of: UInt8(ascii: "h"))!
        all[2][i] = UInt8(ascii: "H")
        let original = all.flatMap { $0 }
        folder.write(original)
        #expect(throws: JournalError.self) { try replay(folder) }

        let check = try JournalSalvage.run(path: folder.journal, now: later)
        #expect(check.findings.count == 1)
        #expect(check.findings[0].line == 3)
        #expect(check.findings[0].problem.contains("checksum"))
        #expect(check.findings[0].content?.contains("NOTED") == true && check.findings[0].content?.contains("spoke witH homeowner") == true)
        #expect(folder.read() == original, "check changes nothing")

        let result = try JournalRepair.run(folder: DataDirectory(path: folder.path), now: later)
        let board = try replay(folder)
        #expect(board.lastSeq == 3)
        #expect(board.history(of: 1) == [1, 3], "the set-aside note is gone from the lead, the rest stands")
        #expect(Array(FileManager.default.contents(atPath: result.original!)!) == original, "the original is kept")
        let quarantine = String(decoding: FileManager.default.contents(atPath: result.quarantine!)!, as: UTF8.self)
        let entry = try JSONSerialization.jsonObject(with: Data(quarantine.split(separator: "\n")[0].utf8)) as! [String: Any]
        #expect(entry["line"] as? Int == 3)
        #expect((entry["held"] as? String)?.contains("spoke witH homeowner") == true)
        #expect((entry["original"] as? String)?.contains("spoke witH homeowner") == true)
        #expect(try JournalSalvage.run(path: folder.journal, now: later).isClean, "the repaired journal checks clean")
    }

    /// Events that depended on a set-aside line are set aside too; a repeated line is
    /// dropped; lost lines get one VOID for the run; unreadable bytes are kept aside.
    @Test func cascadesRepeatsGapsAndGarbage() throws {
        let folder = TempFolder()
        var all = lines([created(1, lead: 1), created(2, lead: 2), noted(3, lead: 2, "about lead 2"),
                         noted(4, lead: 1, "x"), noted(7, lead: 1, "after a gap")])
        all[2] = Array("this is not json at all".utf8) + [0x0A]          // event 2 (lead 2's creation) unreadable
        all.insert(all[4], at: 5)                                          // event 4 twice
        all.append(Array(#"{"seq":8,"at":"2026-11-23T14:00"#.utf8))       // a torn tail
        folder.write(all.flatMap { $0 })
        let report = try JournalSalvage.run(path: folder.journal, now: later)
        let problems = report.findings.map(\.problem)
        #expect(report.findings.count == 5, "\(problems)")
        #expect(problems[0].contains("not a JSON object"))
        #expect(problems[1] == "event 2 is missing (line 4 holds event 3)")
        #expect(problems[2].contains("does not fit") && problems[2].contains("lead 2"))
        #expect(problems[3].contains("repeats event 4"))
        #expect(problems[4] == "events 5 to 6 are missing (line 7 holds event 7)")
        #expect(!report.tail.isEmpty)

        _ = try JournalRepair.run(folder: DataDirectory(path: folder.path), now: later)
        let board = try replay(folder)
        #expect(board.lastSeq == 7)
        #expect(board.lead(2) == nil)
        #expect(board.history(of: 1) == [1, 4, 7])
        #expect(try JournalSalvage.run(path: folder.journal, now: later).isClean)
    }

    /// A damaged header keeps its epoch when it still shows.
    @Test func aDamagedHeaderIsRewrittenKeepingItsEpoch() throws {
        let folder = TempFolder()
        var all = lines([created(1, lead: 1)])
        let i = all[0].firstIndex(of: UInt8(ascii: "J"))!
        all[0][i] = UInt8(ascii: "j")  // "jOURNAL": no longer a header, and its checksum fails
        folder.write(all.flatMap { $0 })
        _ = try JournalRepair.run(folder: DataDirectory(path: folder.path), now: later)
        var board = Board()
        let report = try JournalReader.replay(path: folder.journal, into: &board, now: later)
        #expect(report.header.epoch == "0123456789ab")
        #expect(board.lead(1) != nil)
    }

    /// A version 1 journal with a damaged line: the repaired journal has a checksum on every line.
    @Test func repairGivesOldLinesTheirChecksums() throws {
        let folder = TempFolder()
        var bytes = Array(#"{"seq":0,"at":"2026-11-23T14:00:00.000Z","type":"JOURNAL","version":1,"epoch":"0123456789ab"}"#.utf8) + [0x0A]
        bytes += Array(#"{"seq":1,"at":"2026-11-23T14:00:00.000Z","type":"PERSON","name":"ana","role":"csr","hash":"h"}"#.utf8) + [0x0A]
        bytes += Array(#"{"seq":2,"at":"2026-11-23T14:00:00.000Z","type":"NOTED","lead":9,"text":"no such lead"}"#.utf8) + [0x0A]
        bytes += Array(#"{"seq":3,"at":"2026-11-23T14:00:00.000Z","type":"PERSON","name":"ben","role":"csr","hash":"h"}"#.utf8) + [0x0A]
        folder.write(bytes)
        _ = try JournalRepair.run(folder: DataDirectory(path: folder.path), now: later)
        for line in folder.read().split(separator: 0x0A) {
            #expect(try JournalCodec.decode(line).checksummed)
        }
        let board = try replay(folder)
        #expect(Set(board.people.keys) == ["ana", "ben"] && board.lastSeq == 3)
    }

    /// A copy that turned every line break into CR LF still reads as it is.
    @Test func crlfLineBreaksAreNotDamage() throws {
        let folder = TempFolder()
        var crlf: [UInt8] = []
        for line in lines([created(1, lead: 1), noted(2, lead: 1, "hi")]) { crlf += Array(line.dropLast()) + [0x0D, 0x0A] }
        folder.write(crlf)
        #expect(try JournalSalvage.run(path: folder.journal, now: later).isClean)
        #expect(try replay(folder).lastSeq == 2)
    }

    /// Two lines swapped are put back in order, not called missing and repeated.
    @Test func swappedLinesArePutBackInOrder() throws {
        let folder = TempFolder()
        var all = lines([created(1, lead: 1), noted(2, lead: 1, "a"), noted(3, lead: 1, "b"), noted(4, lead: 1, "c")])
        all.swapAt(2, 3)
        folder.write(all.flatMap { $0 })
        #expect(throws: JournalError.self) { try replay(folder) }
        let report = try JournalSalvage.run(path: folder.journal, now: later)
        #expect(report.findings.map(\.problem) == ["it holds event 3, which belongs after the lines that follow it; the repaired journal puts it in its place"])
        _ = try JournalRepair.run(folder: DataDirectory(path: folder.path), now: later)
        #expect(try replay(folder).history(of: 1) == [1, 2, 3, 4], "nothing set aside")
    }

    /// A journal whose header was lost keeps its events, under a new header.
    @Test func aLostHeaderIsWrittenAgainAndTheEventsKept() throws {
        let folder = TempFolder()
        folder.write(lines([created(1, lead: 1), noted(2, lead: 1, "a")]).dropFirst().flatMap { $0 })
        let report = try JournalSalvage.run(path: folder.journal, now: later)
        #expect(report.findings.count == 1 && report.findings[0].problem.hasPrefix("the journal has no header: a new one is written"))
        _ = try JournalRepair.run(folder: DataDirectory(path: folder.path), now: later)
        #expect(try replay(folder).lastSeq == 2)
    }

    /// A last line whole but for its line break is completed, not cut; a torn one is
    /// cut and kept beside the journal.
    @Test func theLastLineIsCompletedOrKept() throws {
        let folder = TempFolder()
        let whole = lines([created(1, lead: 1), noted(2, lead: 1, "a")]).flatMap { $0 }
        folder.write(Array(whole.dropLast()))
        var board = Board()
        let completed = try JournalReader.replay(path: folder.journal, into: &board, now: later)
        #expect(completed.completedLastLine && completed.events == 2 && folder.read() == whole)

        let torn = Array(JournalCodec.encode(noted(3, lead: 1, "torn")).prefix(30))
        folder.write(whole + torn)
        var again = Board()
        let cut = try JournalReader.replay(path: folder.journal, into: &again, now: later)
        #expect(cut.cutBytes == torn.count && folder.read() == whole)
        #expect(cut.cutKeptAt.map { FileManager.default.contents(atPath: $0).map(Array.init) } == torn)
    }
}

import CLinux
import Foundation
import LeadlineJournal
@testable import LeadlineServer
import Synchronization
import LeadlineTestSupport
import Testing

/// Snapshots: a restart from a snapshot and the journal after it answers exactly as a
/// restart from the whole journal; a damaged snapshot is passed over for an older one
/// or the journal, and nothing is lost either way.
@Suite struct SnapshotTests {
    /// Everything a client can read about the shop, for comparing states.
    static func readEverything(_ server: TestServer) throws -> [[String]] {
        let omar = try server.client("omar")
        _ = omar.reply("WATCH none")
        let all = omar.request("LIST all")
        var views = [all, omar.request("@s SINCE 0"), omar.request("REVIEW"), omar.request("CLOCK")]
        for row in all where row.hasPrefix("LEAD ") {
            views.append(omar.request("SHOW \(row.split(separator: " ")[1])"))
        }
        return views
    }

    /// A day of work: leads, claims, notes, alerts as the clock moves, tagged requests.
    static func work(_ server: TestServer, round: Int) throws {
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        for i in 0..<6 {
            let id = dora.newLead("kind=\(["missed-call", "new-lead", "promised due=+1h"][i % 3]) phone=555-\(round)\(i)0")
            if i % 2 == 0 { _ = dora.reply("ASSIGN \(id) ana") }
            if i % 3 == 0 { _ = dora.reply("@r\(round)-\(i) NOTE \(id) called, left a message") }
        }
        server.advance(by: 45 * 60)
        _ = dora.reply("CLOCK")
    }

    @Test func aSnapshotAndTheJournalAfterItAnswerAsTheWholeJournalDoes() throws {
        let server = try TestServer()
        try Self.work(server, round: 1)
        let written = try server.server.writeSnapshot().get()
        #expect(written.hasSuffix(".bin"))
        try Self.work(server, round: 2)
        let dora = try server.client("dora")
        let tagged = dora.reply("@keep NEW phone=555-7777")
        let before = try Self.readEverything(server)

        try server.restart()
        #expect(server.logLines.all.contains { $0.contains("loaded the snapshot of event") })
        #expect(try Self.readEverything(server) == before)
        #expect(try server.client("dora").reply("@keep NEW phone=555-7777") == tagged, "a retry is answered as before")

        server.stop()
        try FileManager.default.removeItem(atPath: JournalSnapshot.folder(of: server.directory))
        try server.restart()
        #expect(try Self.readEverything(server) == before, "the whole journal gives the same")
    }

    /// A start that had to replay many events after the newest snapshot writes a new one
    /// at once, in the background: the next start does not replay them again.
    /// A snapshot is encoded and written at the lowest priority, on a thread of its
    /// own, so the requests on a server with one CPU come first; the caller's thread
    /// keeps its priority.
    @Test func aSnapshotIsWrittenAtTheLowestPriority() throws {
        let before = leadline_thread_priority()
        let seen = Mutex<Int32?>(nil)
        let done = DispatchSemaphore(value: 0)
        SnapshotSchedule.inBackground {
            seen.withLock { $0 = leadline_thread_priority() }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(seen.withLock { $0 } == 19)
        #expect(leadline_thread_priority() == before)
    }

    @Test func aLongReplayIsFollowedByASnapshot() throws {
        let server = try TestServer { $0.limits.snapshotEveryEvents = 1_000 }
        try Self.work(server, round: 1)
        server.stop()
        try? FileManager.default.removeItem(atPath: JournalSnapshot.folder(of: server.directory))
        try server.restart()
        #expect(JournalSnapshot.files(dataDirectory: server.directory).isEmpty, "a short replay writes none")
        server.stop()

        let small = try TestServer { $0.limits.snapshotEveryEvents = 10 }
        try Self.work(small, round: 1)
        small.stop()
        try? FileManager.default.removeItem(atPath: JournalSnapshot.folder(of: small.directory))
        try small.restart()
        // (The snapshot is written at the lowest priority: while the rest of the suite
        // keeps both cores busy it waits its turn, so it is given long enough for that.)
        #expect(eventually(timeout: 60) { !JournalSnapshot.files(dataDirectory: small.directory).isEmpty },
                "replayed more than 10: one is written")
        let after = try Self.readEverything(small)
        try small.restart()
        #expect(small.logLines.all.contains { $0.contains("loaded the snapshot of event") })
        #expect(try Self.readEverything(small) == after)
    }

    @Test func aDamagedSnapshotIsPassedOverForAnOlderOneOrTheJournal() throws {
        let server = try TestServer()
        try Self.work(server, round: 1)
        let older = try server.server.writeSnapshot().get()
        try Self.work(server, round: 2)
        let newer = try server.server.writeSnapshot().get()
        try Self.work(server, round: 3)
        let before = try Self.readEverything(server)
        server.stop()
        let sound = try DataFolderDoctor.check(dataDirectory: server.directory)
        #expect(sound.sound && sound.text.contains("\(newer): sound, the state as of event"), "\(sound.text)")

        // A byte flipped in the newest: refused by its checksum; the older one serves.
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: newer)))
        bytes[bytes.count / 2] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: newer))
        let checked = try DataFolderDoctor.check(dataDirectory: server.directory)
        #expect(!checked.sound && checked.text.contains("\(newer): its checksum does not match"), "\(checked.text)")
        try server.restart()
        #expect(server.logLines.all.contains { $0.contains("\(newer) was not used: its checksum does not match") })
        #expect(server.logLines.all.contains { $0.contains("loaded the snapshot") && $0.hasSuffix(older) })
        #expect(try Self.readEverything(server) == before)

        // Both cut short at many points (a disk that lost their ends): the whole journal.
        server.stop()
        let whole = Array(try Data(contentsOf: URL(fileURLWithPath: older)))
        for cut in stride(from: 0, to: whole.count, by: max(1, whole.count / 7)) {
            try Data(whole.prefix(cut)).write(to: URL(fileURLWithPath: older))
            try Data(bytes.prefix(cut)).write(to: URL(fileURLWithPath: newer))
            let loadedBefore = server.logLines.all.filter { $0.contains("loaded the snapshot") }.count
            try server.restart()
            #expect(server.logLines.all.filter { $0.contains("loaded the snapshot") }.count == loadedBefore)
            #expect(try Self.readEverything(server) == before, "cut at \(cut)")
            server.stop()
        }
    }

    /// The offsets file a snapshot relies on is checked too: a changed byte in it, or an
    /// end cut off, and the snapshot is passed over for the whole journal, which answers
    /// the same; `leadlined check` names the file and what is wrong with it.
    @Test func aDamagedOffsetsFileIsPassedOverForTheJournal() throws {
        let server = try TestServer()
        try Self.work(server, round: 1)
        let snapshot = try server.server.writeSnapshot().get()
        try Self.work(server, round: 2)
        let before = try Self.readEverything(server)
        server.stop()
        let path = JournalOffsetsFile.path(dataDirectory: server.directory)
        let sound = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var changed = sound
        changed[changed.count - 5] ^= 0x04
        for (damage, why) in [(changed, "does not match the snapshot's checksum"), (Array(sound.dropLast(8)), "entries where the snapshot relies on")] {
            try Data(damage).write(to: URL(fileURLWithPath: path))
            let checked = try DataFolderDoctor.check(dataDirectory: server.directory)
            #expect(!checked.sound && checked.text.contains("\(snapshot): \(path)") && checked.text.contains(why), "\(checked.text)")
            try server.restart()
            #expect(server.logLines.all.contains { $0.contains("\(snapshot) was not used: \(path)") && $0.contains(why) })
            #expect(try Self.readEverything(server) == before)
            server.stop()
        }
    }

    /// A journal restored from a backup, beside the snapshots of the journal it replaced:
    /// they are passed over, and once a snapshot of the restored journal is written they
    /// are removed (numbered past it, they cannot belong to it), so the next start loads
    /// it instead of replaying everything again. A temporary file a crash left goes too.
    @Test func snapshotsOfAReplacedJournalMakeWayForTheNewOnes() throws {
        let server = try TestServer()
        try Self.work(server, round: 1)
        _ = try server.server.writeSnapshot().get()
        server.stop()
        let backup = try Data(contentsOf: URL(fileURLWithPath: server.directory + "/journal.jsonl"))
        try server.restart()
        try Self.work(server, round: 2)
        let later = [try server.server.writeSnapshot().get()]
        try Self.work(server, round: 3)
        let latest = try server.server.writeSnapshot().get()
        server.stop()
        try backup.write(to: URL(fileURLWithPath: server.directory + "/journal.jsonl"))
        let leftover = JournalSnapshot.folder(of: server.directory) + "/snapshot-99.bin.new"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: leftover))

        try server.restart()
        #expect(server.logLines.all.contains { $0.contains("\(latest) was not used") })
        let restored = try Self.readEverything(server)
        let fresh = try server.server.writeSnapshot().get()
        let left = JournalSnapshot.files(dataDirectory: server.directory).map(\.path)
        #expect(left.contains(fresh) && !left.contains(latest) && !left.contains(later[0]), "\(left)")
        #expect(!FileManager.default.fileExists(atPath: leftover))
        try server.restart()
        #expect(server.logLines.all.last { $0.contains("loaded the snapshot") }?.hasSuffix(fresh) == true)
        #expect(try Self.readEverything(server) == restored)
    }

    /// The offsets file deleted while the server runs: the next snapshot is refused
    /// with a warning (it would rely on entries the file no longer holds), the one after
    /// writes the file afresh, and the next start loads it.
    @Test func anOffsetsFileDeletedUnderTheServerIsWrittenAfresh() throws {
        let server = try TestServer()
        try Self.work(server, round: 1)
        _ = try server.server.writeSnapshot().get()
        try FileManager.default.removeItem(atPath: JournalOffsetsFile.path(dataDirectory: server.directory))
        try Self.work(server, round: 2)
        guard case .failure(let error) = server.server.writeSnapshot() else {
            Issue.record("a snapshot relying on entries the file no longer holds was written")
            return
        }
        #expect(error.description.contains("where the last snapshot relied on"), "\(error)")
        let fresh = try server.server.writeSnapshot().get()
        let before = try Self.readEverything(server)
        try server.restart()
        #expect(server.logLines.all.last { $0.contains("loaded the snapshot") }?.hasSuffix(fresh) == true)
        #expect(try Self.readEverything(server) == before)
    }

    /// History stays out of snapshots: the offsets of events go to the offsets file, a
    /// snapshot's worth at a time, and a lead's event numbers are written as steps. A
    /// thousand more notes on an open board grow the next snapshot by about a byte each
    /// (it was twelve), and add only their own offsets to the file.
    @Test func aSnapshotGrowsWithTheBoardNotWithHistory() throws {
        let server = try TestServer()
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        let id = dora.newLead("phone=555-0101")
        func notes(_ n: Int) { for i in 0..<n { _ = dora.reply("NOTE \(id) call \(i)") } }
        notes(100)
        let first = try DataDirectory.fileLength(try server.server.writeSnapshot().get())
        let offsetsFirst = try DataDirectory.fileLength(JournalOffsetsFile.path(dataDirectory: server.directory))
        notes(1_000)
        let second = try DataDirectory.fileLength(try server.server.writeSnapshot().get())
        let offsetsSecond = try DataDirectory.fileLength(JournalOffsetsFile.path(dataDirectory: server.directory))
        #expect(second - first <= 1_300, "\(first) then \(second) bytes")
        #expect(offsetsSecond - offsetsFirst == 8 * 1_000)
        try server.restart()
        #expect(try server.client("dora").request("SHOW \(id)").filter { $0.contains("call 999") }.count == 1)
    }

    /// A snapshot started while a group commit's answers are going out holds exactly
    /// the events applied so far, and says where they end in the journal: a restart
    /// from it replays the rest of the group, loses nothing and numbers nothing twice.
    @Test func aSnapshotTakenInsideAGroupCommitEndsWhereItsStateDoes() throws {
        let (server, _) = try TestServer.on({ path throws(JournalError) in try SlowSyncDisk(path: path) }) {
            $0.limits.snapshotEveryEvents = 7
        }
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let lead = ana.newLead()
        #expect(ana.reply("CLAIM \(lead)").hasPrefix("OK CLAIM"))
        ana.pipeline((0..<200).map { "NOTE \(lead) pipelined \($0)" })
        #expect(eventually(timeout: 60) { JournalSnapshot.files(dataDirectory: server.directory).count >= 1 })
        let before = try Self.readEverything(server)
        try server.restart()
        #expect(server.logLines.all.contains { $0.contains("loaded the snapshot of event") })
        #expect(!server.logLines.all.contains { $0.contains("does not continue the snapshot") })
        #expect(try Self.readEverything(server) == before)
        _ = try server.client("ana").reply("NOTE \(lead) after the restart")
        server.stop()
        let check = try DataFolderDoctor.check(dataDirectory: server.directory)
        #expect(check.sound, "\(check.text)")
    }

    /// Stopping waits for a snapshot being written: once `stop` returns, nothing of the
    /// stopped server writes in the data folder, whose lock goes next (a server started
    /// on it in the same process would find the offsets file growing under it).
    @Test func stoppingWaitsForASnapshotBeingWritten() throws {
        let server = try TestServer()
        let hub = try #require(server.server.runningHub)
        // A snapshot under way, as the shop sees it while its thread writes.
        hub.queue.sync { hub.shop.snapshots.writing = true }
        let stopped = DispatchSemaphore(value: 0)
        server.server.stop { stopped.signal() }
        #expect(stopped.wait(timeout: .now() + 0.3) == .timedOut, "stopped while the snapshot was being written")
        hub.queue.sync { hub.shop.snapshots.writing = false }
        #expect(stopped.wait(timeout: .now() + 10) == .success, "stopped once it was written")
        #expect(server.server.runningHub == nil)
    }

    /// The same with real snapshots, one after every event, stopped and started again
    /// and again: no temporary snapshot file is left behind, and the folder checks sound.
    @Test func snapshotsWrittenAsTheServerStopsLeaveNothingHalfDone() throws {
        let server = try TestServer { $0.limits.snapshotEveryEvents = 1 }
        for round in 0..<5 {
            let dora = try server.client("dora")
            _ = dora.reply("WATCH none")
            _ = dora.newLead("phone=555-4\(round)00")
            server.stop()
            let names = (try? FileManager.default.contentsOfDirectory(atPath: JournalSnapshot.folder(of: server.directory))) ?? []
            #expect(!names.contains { $0.hasSuffix(".new") }, "round \(round): \(names)")
            try server.restart()
        }
        server.stop()
        let check = try DataFolderDoctor.check(dataDirectory: server.directory)
        #expect(check.sound, "\(check.text)")
    }

    /// Closed leads leave memory at a snapshot, for the closed-leads file beside it, and
    /// answer as before: `SHOW`, `LIST all` and `SINCE` give the same lines; a stored
    /// lead reopened or noted comes back; a restart from the snapshot gives the same
    /// again. A damaged record is found by `leadlined check` and by start-up, which
    /// passes the snapshot over for the older one; with no snapshot left, the whole
    /// journal is replayed and the next snapshot starts the file afresh.
    @Test func closedLeadsLeaveMemoryAndAnswerAsBefore() throws {
        let server = try TestServer { $0.limits.snapshotEveryEvents = 0 }
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        let ids = (0..<6).map { dora.newLead("phone=555-30\($0)0 owner=dora name=\"Customer \($0)\"") }
        _ = dora.reply("NOTE \(ids[0]) called, left a message")
        #expect(dora.reply("STATUS \(ids[0]) disqualified reason=\"out of area\"").hasPrefix("OK STATUS"))
        #expect(dora.reply("STATUS \(ids[1]) booked appt=14:00 tech=tess").hasPrefix("OK STATUS"))
        #expect(dora.reply("STATUS \(ids[1]) completed").hasPrefix("OK STATUS"))
        #expect(dora.reply("STATUS \(ids[2]) disqualified reason=spam").hasPrefix("OK STATUS"))
        let before = try Self.readEverything(server)
        let firstSnapshot = server.server.withDurableBoard { $0.lastSeq } ?? 0
        _ = try server.server.writeSnapshot().get()
        let stored = server.server.withDurableBoard { board in ids.filter { board.leads.isStored($0) } } ?? []
        #expect(stored == [ids[0], ids[1], ids[2]], "the closed leads are out of memory: \(stored)")
        let hub = try #require(server.server.runningHub)
        #expect(hub.queue.sync { hub.shop.index.entriesInMemory } == 0, "the journal's index is read from the offsets file")
        #expect(try Self.readEverything(server) == before, "and answer as before")

        // A stored lead reopened, another noted: each comes back into memory.
        #expect(dora.reply("STATUS \(ids[0]) needs-callback :the customer moved into the area").hasPrefix("OK STATUS"))
        #expect(dora.reply("NOTE \(ids[2]) called again, still spam").hasPrefix("OK NOTE"))
        #expect(server.server.withDurableBoard { !$0.leads.isStored(ids[0]) && !$0.leads.isStored(ids[2]) } == true)
        let shown = dora.request("SHOW \(ids[0])")
        #expect(shown.filter { $0.hasPrefix("HISTORY ") }.count == 4, "its whole history came back with it: \(shown)")
        let after = try Self.readEverything(server)
        _ = try server.server.writeSnapshot().get()
        try server.restart()
        #expect(server.logLines.all.contains { $0.contains("loaded the snapshot of event") })
        #expect(try Self.readEverything(server) == after, "a restart from the snapshot answers the same")
        server.stop()
        var check = try DataFolderDoctor.check(dataDirectory: server.directory)
        #expect(check.sound && check.text.contains("closed leads in \(ClosedLeadsFile.name)"), "\(check.text)")

        // A changed byte in a record: check names it; start-up passes the snapshot over.
        let path = ClosedLeadsFile.path(dataDirectory: server.directory)
        var bytes = Array(FileManager.default.contents(atPath: path)!)
        // A letter inside the last record's lead (records start at multiples of eight
        // after a 24-byte header: a length, a checksum, the lead, zeros to the next).
        var record = 24, last = 24
        while record + 8 <= bytes.count {
            last = record
            let length = (0..<4).reduce(0) { $0 | Int(bytes[record + $1]) << (8 * $1) }
            record += 8 + length + (8 - length % 8) % 8
        }
        bytes[last + 9] ^= 0x20
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        check = try DataFolderDoctor.check(dataDirectory: server.directory)
        #expect(check.text.contains("does not match its checksum"), "\(check.text)")
        // Named by the lead kept there: what an operator can look up in an export.
        #expect(check.text.contains("the record at byte \(last) (lead \(ids[2])) does not match"), "\(check.text)")
        try server.restart()
        #expect(server.logLines.all.contains { $0.contains("does not match its checksum") && $0.contains("falling back") })
        #expect(server.logLines.all.contains { $0.contains("loaded the snapshot of event \(firstSnapshot)") }, "the older one")
        #expect(try Self.readEverything(server) == after, "it and the journal after it answer the same")
        _ = try server.server.writeSnapshot().get()
        server.stop()
        check = try DataFolderDoctor.check(dataDirectory: server.directory)
        #expect(check.sound, "\(check.text)")

        // No snapshot left: the whole journal, and the next snapshot starts the file afresh.
        for file in JournalSnapshot.files(dataDirectory: server.directory) { try FileManager.default.removeItem(atPath: file.path) }
        let generationBefore = Array(FileManager.default.contents(atPath: path)!.prefix(24))
        let linesBefore = server.logLines.all.count
        try server.restart()
        #expect(!server.logLines.all.dropFirst(linesBefore).contains { $0.contains("loaded the snapshot") })
        #expect(try Self.readEverything(server) == after, "the whole journal answers the same")
        _ = try server.server.writeSnapshot().get()
        #expect(Array(FileManager.default.contents(atPath: path)!.prefix(24)) != generationBefore, "a new generation")
        server.stop()
        check = try DataFolderDoctor.check(dataDirectory: server.directory)
        #expect(check.sound, "\(check.text)")
    }

    /// A closed lead out of memory whose record cannot be read back (the file was cut
    /// under the running server): a change to it is refused before anything is written,
    /// `SHOW` and `EXPORT` say it cannot be read (not that it never was), and the server
    /// stays up and answers everything else.
    @Test func aStoredLeadThatCannotBeReadIsRefusedNotApplied() throws {
        let server = try TestServer { $0.limits.snapshotEveryEvents = 0 }
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        let closed = dora.newLead("phone=555-4100 owner=dora")
        let open = dora.newLead("phone=555-4101 owner=dora")
        #expect(dora.reply("STATUS \(closed) disqualified reason=spam").hasPrefix("OK STATUS"))
        _ = try server.server.writeSnapshot().get()
        #expect(server.server.withDurableBoard { $0.leads.isStored(closed) } == true)
        #expect(truncate(ClosedLeadsFile.path(dataDirectory: server.directory), 24) == 0)
        let seq = server.server.withDurableBoard { $0.lastSeq }
        #expect(dora.reply("STATUS \(closed) needs-callback").hasPrefix("ERR UNAVAILABLE lead=\(closed) "))
        #expect(dora.reply("NOTE \(closed) still there?").hasPrefix("ERR UNAVAILABLE lead=\(closed) "))
        #expect(server.server.withDurableBoard { $0.lastSeq } == seq, "nothing was written")
        #expect(dora.reply("NOTE \(open) the open one is fine").hasPrefix("OK NOTE"))
        #expect(dora.reply("PING") == "OK PING :")
        #expect(server.logLines.all.contains { $0.contains("lead \(closed)'s record in the closed-leads file cannot be read") })
        // Reads say so too, rather than answer as if the lead never was.
        #expect(dora.request("SHOW \(closed)").last?.hasPrefix("ERR UNAVAILABLE lead=\(closed) ") == true)
        let export = try server.client("omar").request("EXPORT leads all")
        #expect(export.last?.hasPrefix("ERR UNAVAILABLE lead=\(closed) ") == true, "\(export.suffix(2))")
    }
}

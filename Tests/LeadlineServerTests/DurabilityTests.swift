import Foundation
import LeadlineCore
import LeadlineJournal
import LeadlineServer
import LeadlineTestSupport
import Synchronization
import Testing

/// Storage that writes through to the real file, or fails while `failing` is set.
final class FlakyDisk: JournalStorage, @unchecked Sendable {
    let file: JournalFile
    let failing = Atomic<Bool>(false)

    init(path: String) throws(JournalError) { file = try JournalFile(path: path) }

    func appendDurably(_ bytes: [UInt8]) throws(JournalError) {
        if failing.load(ordering: .relaxed) { throw JournalError.io("No space left on device (simulated)") }
        try file.appendDurably(bytes)
    }
}

/// The storage a test server made, for the test to reach (make it fail, read its counts).
final class StorageBox<Disk: JournalStorage>: Sendable {
    let disk = Mutex<Disk?>(nil)
}

extension TestServer {
    /// A test server whose journal is written through storage the test holds.
    static func on<Disk: JournalStorage>(_ make: @escaping @Sendable (String) throws(JournalError) -> Disk,
                                         configure: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in })
        throws -> (TestServer, StorageBox<Disk>) {
        let box = StorageBox<Disk>()
        let server = try TestServer { config in
            configure(&config)
            config.journalStorage = { path throws(JournalError) in
                let disk = try make(path)
                box.disk.withLock { $0 = disk }
                return disk
            }
        }
        return (server, box)
    }
}

@Suite struct DurabilityTests {
    @Test func stateSurvivesARestart() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let id = ana.newLead(#"kind=missed-call phone=555-0100 name="Jane Roe""#)
        #expect(ana.reply("CLAIM \(id)").hasPrefix("OK CLAIM"))
        #expect(ana.reply("NOTE \(id) left voicemail").hasPrefix("OK NOTE"))
        let before = ana.request("SHOW \(id)")
        try server.restart()
        let again = try server.client("ana")
        #expect(again.request("SHOW \(id)") == before)
        let replay = again.request("SINCE 0")
        #expect(replay.contains { $0.contains(" CLAIMED lead=\(id) owner=ana ") })
        #expect(replay.last?.hasPrefix("OK SINCE count=") == true)
        #expect(again.newLead() == id + 1, "ids continue after a restart")
    }

    @Test func aRetriedTaggedChangeIsNotAppliedTwiceEvenAcrossARestart() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let first = ana.reply("@r1 NEW phone=555-0101")
        #expect(first.hasPrefix("@r1 OK NEW lead=1 due="))
        #expect(ana.reply("@r1 NEW phone=555-0101") == first)
        #expect(ana.reply("@c1 CLAIM 1").hasPrefix("@c1 OK CLAIM"))
        let claim = ana.reply("@c1 CLAIM 1")
        try server.restart()
        let again = try server.client("ana")
        _ = again.reply("WATCH none")
        #expect(again.reply("@r1 NEW phone=555-0101") == first)
        #expect(again.reply("@c1 CLAIM 1") == claim)
        #expect(again.reply("LIST all") == "OK LIST filter=all count=1")
        // Tags are per person: the same tag from someone else is a new request.
        let ben = try server.client("ben")
        _ = ben.reply("WATCH none")
        #expect(ben.reply("@r1 NEW phone=555-0102").hasPrefix("@r1 OK NEW lead=2"))
    }

    @Test func aJournalThatCannotBeWrittenRefusesChangesButServesReads() throws {
        let (server, box) = try TestServer.on { path throws(JournalError) in try FlakyDisk(path: path) }
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let id = ana.newLead()
        let watcher = try server.client("ben")
        box.disk.withLock { $0?.failing.store(true, ordering: .relaxed) }
        let refused = ana.reply("CLAIM \(id)")
        #expect(refused.hasPrefix("ERR UNAVAILABLE :the journal cannot be written (No space left on device (simulated)); nothing was changed"))
        #expect(ana.reply("@t9 NEW phone=555").hasPrefix("@t9 ERR UNAVAILABLE"))
        let shown = ana.request("SHOW \(id)")
        #expect(shown.first?.contains("owner=none") == true)
        #expect(ana.request("LIST") == [shown[0], "OK LIST filter=open count=1"])
        #expect(watcher.drainAvailable().isEmpty, "nothing was broadcast")
        box.disk.withLock { $0?.failing.store(false, ordering: .relaxed) }
        #expect(ana.reply("CLAIM \(id)").hasPrefix("OK CLAIM lead=\(id) owner=ana"))
        // The refused tagged request was not remembered: retried, it now happens.
        #expect(ana.reply("@t9 NEW phone=555").hasPrefix("@t9 OK NEW lead=\(id + 1)"))
        try server.restart()
        let again = try server.client("ana")
        #expect(again.request("LIST all").count == 3)
    }

    /// A new token that could not be journaled changed nothing: the person's session
    /// goes on (its account was put back), and once a new token is durable it ends.
    @Test func aTokenChangeThatCannotBeWrittenLeavesTheSessionWorking() throws {
        let (server, box) = try TestServer.on { path throws(JournalError) in try FlakyDisk(path: path) }
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        #expect(ana.reply("PING before").hasPrefix("OK PING"), "ana's account is checked and found as it was")
        let olive = try server.client("olive")
        _ = olive.reply("WATCH none")
        box.disk.withLock { $0?.failing.store(true, ordering: .relaxed) }
        #expect(olive.reply("USER TOKEN ana").hasPrefix("ERR UNAVAILABLE"))
        box.disk.withLock { $0?.failing.store(false, ordering: .relaxed) }
        #expect(ana.reply("PING after").hasPrefix("OK PING"), "the refused change took nothing away")
        #expect(ana.newLead() == 1)
        #expect(olive.reply("USER TOKEN ana").hasPrefix("OK USER person=ana"))
        let ended = ana.readUntilClosed(timeout: 5)
        #expect(ended.last?.hasPrefix("BYE AUTH") == true, "\(ended)")
    }

    @Test func sinceReplaysWhatWatchSelectsThenGoesLive() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let id = ana.newLead()
        _ = ana.reply("CLAIM \(id)")
        _ = ana.reply("NOTE \(id) hello")
        let watcher = try server.client("ben")
        let board = watcher.request("SINCE 0")
        #expect(board.count == 3)  // CREATED, CLAIMED (board mode skips NOTED), OK
        #expect(board[0].contains(" CREATED lead=\(id) "))
        #expect(board[1].contains(" CLAIMED lead=\(id) "))
        #expect(board[2].hasPrefix("OK SINCE count=2 last="))
        _ = watcher.reply("WATCH all")
        let all = watcher.request("@s SINCE 0")
        #expect(all.count == 4)
        #expect(all[2].hasPrefix("@s EVENT ") && all[2].contains(" NOTED lead=\(id) "))
        let last = Int(field("last", in: all[3])!)!
        #expect(watcher.request("SINCE \(last)") == ["OK SINCE count=0 last=\(last)"])
        #expect(watcher.reply("SINCE \(last + 5)").hasPrefix("ERR INVALID arg=seq last=\(last) epoch="))
        _ = ana.reply("NOTE \(id) live now")
        #expect(watcher.readLine()?.contains(" NOTED lead=\(id) ") == true)
    }

    @Test func sinceBeyondTheWindowSaysSo() throws {
        let server = try TestServer { $0.limits.sinceWindow = 4 }
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        for _ in 0..<6 { _ = ana.newLead() }
        let reply = ana.reply("SINCE 0")
        #expect(reply.hasPrefix("ERR INVALID arg=seq oldest="))
        #expect(reply.contains("resync with LIST and SHOW"))
        #expect(ana.request("SINCE \(field("oldest", in: reply).flatMap(Int.init).map { $0 - 1 } ?? 0)").last?.hasPrefix("OK SINCE count=") == true)
    }

    @Test func aTornTailIsCutOnRestartWithAWarning() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        _ = ana.newLead()
        server.stop()
        let handle = FileHandle(forWritingAtPath: server.journalPath)!
        handle.seekToEndOfFile()
        handle.write(Data(#"{"seq":99,"at":"2026-11-23T14:00"#.utf8))
        handle.closeFile()
        try server.restart()
        #expect(server.logLines.all.contains { $0.contains("warning: cut") })
        let again = try server.client("ana")
        #expect(again.request("LIST all").count == 2)
    }
}

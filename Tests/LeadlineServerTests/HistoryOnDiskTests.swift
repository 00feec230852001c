import Foundation
import LeadlineJournal
import LeadlineTestSupport
import Testing

/// History is read back from the journal by offset: `SHOW` and `SINCE 0` answer the
/// same, byte for byte, before and after a restart, also after a write that failed
/// (whose event numbers were then reused).
@Suite struct HistoryOnDiskTests {
    @Test func showAndSinceAreTheSameAfterARestart() throws {
        let (server, box) = try TestServer.on { path throws(JournalError) in try FlakyDisk(path: path) }
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let first = ana.newLead(#"kind=missed-call phone=555-0100 name="Jane Roe""#)
        let second = ana.newLead("phone=555-0101")
        #expect(ana.reply("CLAIM \(first)").hasPrefix("OK CLAIM"))
        #expect(ana.reply("NOTE \(first) left voicemail, retry 3:30").hasPrefix("OK NOTE"))
        // A write that fails: its number is used again by the next change.
        box.disk.withLock { $0?.failing.store(true, ordering: .relaxed) }
        #expect(ana.reply("NOTE \(first) lost to a full disk").hasPrefix("ERR UNAVAILABLE"))
        box.disk.withLock { $0?.failing.store(false, ordering: .relaxed) }
        #expect(ana.reply("ATTEMPT \(first) call connected next=+1h spoke with her").hasPrefix("OK ATTEMPT"))
        #expect(ana.reply("CLAIM \(second)").hasPrefix("OK CLAIM"))
        #expect(ana.reply("NOTE \(second) café ☕ \"quoted\"").hasPrefix("OK NOTE"))

        let before = [ana.request("SHOW \(first)"), ana.request("SHOW \(second)"), ana.request("@s SINCE 0")]
        #expect(before[0].count == 6, "LEAD, four HISTORY lines, OK: \(before[0])")
        #expect(!before[0].joined().contains("full disk"), "the failed write left nothing behind")
        #expect(before[0].filter { $0.hasPrefix("HISTORY ") }.map { $0.split(separator: " ")[2] } == ["CREATED", "CLAIMED", "NOTED", "ATTEMPTED"])
        try server.restart()
        let again = try server.client("ana")
        _ = again.reply("WATCH none")
        let after = [again.request("SHOW \(first)"), again.request("SHOW \(second)"), again.request("@s SINCE 0")]
        #expect(after == before)
    }

    /// `SHOW` keeps the history lines it rendered: a lead shown again reads the same,
    /// tagged or not, and events added since are there too, as after a restart.
    @Test func aLeadShownAgainReadsTheSameTaggedOrNot() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let id = ana.newLead("phone=555-0100")
        #expect(ana.reply("CLAIM \(id)").hasPrefix("OK CLAIM"))
        #expect(ana.reply("NOTE \(id) first call").hasPrefix("OK NOTE"))
        let first = ana.request("SHOW \(id)")
        #expect(first.count == 5, "LEAD, three HISTORY lines, OK: \(first)")
        #expect(ana.request("SHOW \(id)") == first)
        #expect(ana.request("@t7 SHOW \(id)") == first.map { "@t7 " + $0 })
        #expect(ana.reply("NOTE \(id) second call").hasPrefix("OK NOTE"))
        let grown = ana.request("SHOW \(id)")
        #expect(grown.count == 6)
        #expect(Array(grown[1...3]) == Array(first[1...3]))
        #expect(grown[4].contains("NOTED") && grown[4].hasSuffix(":second call"))
        try server.restart()
        let again = try server.client("ana")
        _ = again.reply("WATCH none")
        #expect(again.request("SHOW \(id)") == grown)
    }
}

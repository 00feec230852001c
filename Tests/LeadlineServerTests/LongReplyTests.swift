import Foundation
import LeadlineTestSupport
import Testing

/// Long replies are paged on request, written a chunk at a time, kept together, and
/// never hold anyone else up.
@Suite struct LongReplyTests {
    /// Reads until the event of the lead with `phone` arrives; every line on the way.
    static func readThroughEvent(of phone: String, on client: LineClient) -> [String] {
        var lines: [String] = []
        while let line = client.readLine(timeout: 10) {
            lines.append(line)
            if line.hasPrefix("EVENT ") && line.contains(phone) { break }
        }
        return lines
    }

    /// On a server holding `leads` leads, omar (`WATCH all`) sends `request`; while its
    /// reply is being written ben adds a lead (an event for omar) and checks that the
    /// server still answers him. Returns omar's lines through that event.
    static func longReplyWhileALeadArrives(leads: Int, request: String) throws -> [String] {
        let server = try TestServer()
        try fill(server, leads: leads)
        let omar = try server.client("omar")
        #expect(omar.reply("WATCH all").hasPrefix("OK WATCH mode=all last="))
        let ben = try server.client("ben")
        _ = ben.reply("WATCH none")
        omar.send(request)
        #expect(ben.reply("NEW phone=555-9999").hasPrefix("OK NEW"))
        #expect(ben.reply("PING") == "OK PING :", "others are answered meanwhile")
        return readThroughEvent(of: "555-9999", on: omar)
    }

    /// Creates `count` leads by pipelining NEWs, and waits for their answers.
    static func fill(_ server: TestServer, leads count: Int) throws {
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        dora.pipeline((0..<count).map { i in
            "NEW kind=\(["missed-call", "new-lead", "promised due=+2h", "update due=+1d"][i % 4]) phone=555-\(String(format: "%04d", i))"
        })
    }

    /// Long replies take turns a chunk at a time: readers that ask for all of history
    /// and never read hold neither each other nor anyone else, and each still gets its
    /// whole reply once it reads.
    @Test func longRepliesTakeTurns() throws {
        let server = try TestServer()
        try Self.fill(server, leads: 400)
        let readers = try (0..<6).map { _ in try server.client("omar") }
        for reader in readers {
            _ = reader.reply("WATCH all")
            reader.send("SINCE 0")
        }
        let ben = try server.client("ben")
        for _ in 0..<5 { #expect(ben.reply("PING", timeout: 2) == "OK PING :") }
        for reader in readers {
            let lines = reader.readThroughCompletion(timeout: 20)
            #expect(lines.last?.hasPrefix("OK SINCE count=") == true)
            #expect(lines.filter { $0.hasPrefix("EVENT ") }.count >= 400)
        }
    }

    @Test func listPagesFollowOneAnotherInTheFullOrder() throws {
        let server = try TestServer()
        try Self.fill(server, leads: 25)
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let all = ana.request("LIST open").filter { $0.hasPrefix("LEAD ") }
        #expect(all.count == 25)
        var paged: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let lines = ana.request("LIST open limit=10" + (cursor.map { " after=\($0)" } ?? ""))
            let ok = try #require(lines.last)
            #expect(ok.hasPrefix("OK LIST filter=open count=") && ok.contains(" total=25"), "\(ok)")
            paged += lines.filter { $0.hasPrefix("LEAD ") }
            cursor = field("next", in: ok)
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        #expect(paged == all, "the pages, one after another, are the whole list in order")
        #expect(ana.reply("LIST open limit=0").hasPrefix("ERR INVALID arg=limit"))
        #expect(ana.reply("LIST open after=banana").hasPrefix("ERR INVALID arg=after"))
    }

    /// A list thousands of rows long comes out whole, with no event inside it, while
    /// another person's requests are answered in the meantime.
    @Test func aLongListStaysTogetherAndHoldsNoOneUp() throws {
        let lines = try Self.longReplyWhileALeadArrives(leads: 1_200, request: "LIST open")
        let ok = try #require(lines.firstIndex { $0.hasPrefix("OK LIST") })
        #expect(lines[ok] == "OK LIST filter=open count=1200" || lines[ok] == "OK LIST filter=open count=1201")
        #expect(lines[..<ok].allSatisfy { $0.hasPrefix("LEAD ") }, "no event inside the list")
        #expect(lines.last?.contains("555-9999") == true, "the event follows the list")
    }

    /// `SINCE` over thousands of events streams them in order, once each, and the
    /// events that happen meanwhile follow its OK.
    @Test func sinceStreamsAWideWindowInOrder() throws {
        let lines = try Self.longReplyWhileALeadArrives(leads: 1_000, request: "@s SINCE 0")
        let ok = try #require(lines.firstIndex { $0.hasPrefix("@s OK SINCE") })
        let seqs = lines[..<ok].compactMap { UInt64($0.split(separator: " ")[2]) }
        #expect(seqs.count == 1_000 && seqs == seqs.sorted() && Set(seqs).count == seqs.count)
        #expect(lines[ok].hasPrefix("@s OK SINCE count=1000 last="))
        let last = field("last", in: lines[ok]).flatMap(UInt64.init) ?? 0
        let live = try #require(lines.last)
        #expect(live.hasPrefix("EVENT ") && (UInt64(live.split(separator: " ")[1]) ?? 0) > last)
    }

    /// A lead with a long history is shown whole, a chunk at a time, in order.
    @Test func aLongHistoryIsShownWholeAndInOrder() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let lead = ana.newLead()
        #expect(ana.reply("CLAIM \(lead)").hasPrefix("OK CLAIM"))
        ana.pipeline((0..<700).map { "NOTE \(lead) note \($0)" })
        let shown = ana.request("SHOW \(lead)", timeout: 10)
        let history = shown.filter { $0.hasPrefix("HISTORY ") }
        #expect(shown.first?.hasPrefix("LEAD \(lead) ") == true)
        #expect(history.count == 702 && shown.count == 704, "LEAD, CREATED, CLAIMED, 700 notes, OK")
        #expect(history.last?.hasSuffix(":note 699") == true)
        let seqs = history.compactMap { UInt64($0.split(separator: " ")[1]) }
        #expect(seqs == seqs.sorted())
        #expect(shown.last == "OK SHOW lead=\(lead) history=702")
    }
}

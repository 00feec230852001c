import Foundation
import LeadlineJournal
import LeadlineTestSupport
import Synchronization
import Testing

/// A journal whose every sync takes a while, and which remembers the highest event
/// number it has made durable: proof that no `OK` goes out before its sync.
final class SlowSyncDisk: JournalStorage, @unchecked Sendable {
    private let file: JournalFile
    let durableSeq = Atomic<Int>(0)
    let syncs = Atomic<Int>(0)

    init(path: String) throws(JournalError) {
        file = try JournalFile(path: path)
    }

    func appendDurably(_ bytes: [UInt8]) throws(JournalError) {
        usleep(2_000)
        try file.appendDurably(bytes)
        syncs.add(1, ordering: .relaxed)
        // Each line begins {"seq":N — the last line's is the highest.
        let text = String(decoding: bytes, as: UTF8.self)
        if let last = text.split(separator: "\n").last, let seq = field("seq", inJSON: last) {
            durableSeq.store(seq, ordering: .releasing)
        }
    }

    private func field(_ name: String, inJSON line: Substring) -> Int? {
        guard let range = line.range(of: "\"\(name)\":") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
}

@Suite struct PipeliningTests {
    /// A client that never stops sending does not keep the server's queue to itself:
    /// while one pipelines notes without pause over TCP, another logs in (its check's
    /// answer waits for the queue, between the poll thread's turns) and pings. Before a
    /// group commit the server takes in what arrived meanwhile; what bounds a turn is
    /// that those looks are one budget per turn, and that a connection whose pipeline
    /// filled resumes reading only in a later turn (either alone passes this test).
    @Test func aClientThatNeverStopsSendingDoesNotHoldTheQueue() throws {
        let server = try TestServer()
        let ana = try server.client("ana", over: .tcp)
        #expect(ana.reply("WATCH none").hasPrefix("OK WATCH mode=none last="))
        let lead = ana.newLead()
        #expect(ana.reply("CLAIM \(lead)").hasPrefix("OK CLAIM"))
        let stop = Atomic<Bool>(false)
        let chunk = Array(Array(repeating: "NOTE \(lead) again and again\n", count: 64).joined().utf8)
        let writer = Thread { while !stop.load(ordering: .relaxed) { ana.sendRaw(chunk) } }
        let reader = Thread { while !stop.load(ordering: .relaxed) { _ = ana.readLine(timeout: 0.2) } }
        writer.start()
        reader.start()
        defer { stop.store(true, ordering: .relaxed) }
        usleep(300_000)
        let started = Date()
        let ben = try server.client("ben", over: .tcp)
        #expect(ben.reply("PING meanwhile") == "OK PING :meanwhile")
        #expect(Date().timeIntervalSince(started) < 3, "login and ping took \(Date().timeIntervalSince(started)) s")
    }

    /// 1,000 changes sent without waiting: answered in request order, each after its
    /// own event is durable, sharing syncs (far fewer syncs than changes).
    @Test func pipelinedChangesShareSyncsAndAreAnsweredInOrderAfterTheirSync() throws {
        let (server, holder) = try TestServer.on { path throws(JournalError) in try SlowSyncDisk(path: path) }
        let ana = try server.client("ana")
        #expect(ana.reply("WATCH none").hasPrefix("OK WATCH mode=none last="))
        let lead = ana.newLead()
        #expect(ana.reply("CLAIM \(lead)").hasPrefix("OK CLAIM"))
        let disk = try #require(holder.disk.withLock { $0 })
        let syncsBefore = disk.syncs.load(ordering: .relaxed)
        var batch: [UInt8] = []
        for i in 0..<1000 { batch += Array("@n\(i) NOTE \(lead) pipelined \(i)\n".utf8) }
        ana.sendRaw(batch)
        var previous = 0
        for i in 0..<1000 {
            guard let line = ana.readLine(timeout: 10) else {
                Issue.record("no answer to note \(i)")
                return
            }
            let durable = disk.durableSeq.load(ordering: .acquiring)
            #expect(line.hasPrefix("@n\(i) OK NOTE lead=\(lead)"), "answers in request order: \(line)")
            let seq = field("seq", in: line).flatMap(Int.init) ?? 0
            #expect(seq > previous && seq <= durable, "OK for event \(seq) only after it is durable (durable: \(durable))")
            previous = seq
        }
        let syncs = disk.syncs.load(ordering: .relaxed) - syncsBefore
        #expect(syncs < 500, "1,000 changes shared \(syncs) syncs")
    }

    /// A read sent behind pipelined changes sees them: it waits until they are durable.
    @Test func aReadBehindPipelinedChangesSeesThem() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let lead = ana.newLead()
        ana.sendRaw(Array("CLAIM \(lead)\nNOTE \(lead) first\nNOTE 999 no such lead\nPING after\nSHOW \(lead)\n".utf8))
        #expect(ana.readLine()?.hasPrefix("OK CLAIM lead=\(lead) owner=ana") == true)
        #expect(ana.readLine()?.hasPrefix("OK NOTE lead=\(lead)") == true)
        #expect(ana.readLine()?.hasPrefix("ERR NOTFOUND") == true, "a refusal keeps its place")
        #expect(ana.readLine() == "OK PING :after")
        let shown = ana.readLine()
        #expect(shown?.hasPrefix("LEAD \(lead) ") == true && shown?.contains("owner=ana") == true, "\(shown ?? "")")
    }

    /// Over a real socket (served by the poll thread): a client that pipelines more
    /// requests than its replies' high-water mark gets every reply. Writing the replies
    /// out at the end of a turn resumes its reading, and the replies to what it reads
    /// then are written in the same turn, not left waiting for another socket event.
    @Test func repliesPastTheHighWaterMarkAreAllWrittenOverTCP() throws {
        let server = try TestServer { config in
            config.limits.outboundHighWater = 4096
            config.limits.requestsPerSecond = 0
        }
        let ana = try server.client("ana", over: .tcp)
        _ = ana.reply("WATCH none")
        ana.sendRaw(Array(String(repeating: "PING\n", count: 3_000).utf8))
        var replies: [String] = []
        while replies.count < 3_000, let line = ana.readLine(timeout: 5) { replies.append(line) }
        #expect(replies.count == 3_000)
        #expect(replies.allSatisfy { $0 == "OK PING :" })
    }
}

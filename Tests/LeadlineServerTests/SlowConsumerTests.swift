import Dispatch
import Foundation
import Glibc
import LeadlineTestSupport
import Synchronization
import Testing

@Suite struct SlowConsumerTests {
    /// A watcher that stops reading is cut off once its backlog passes the limit,
    /// while a watcher that keeps reading gets every event.
    @Test func slowConsumerIsCutWhileFastOneKeepsUp() throws {
        let server = try TestServer { $0.limitSlowConsumers(to: 256 << 10) }
        // The slow one: a tiny receive window, WATCH all, and then it never reads.
        let (writer, id, slow) = try server.writerAndSlowWatcher(over: .tcp)

        let fast = try server.client("ben")
        #expect(fast.reply("WATCH all").hasPrefix("OK WATCH mode=all last="))
        let notes = 250
        let received = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            while let line = fast.readLine(timeout: 10) {
                if line.contains(" NOTED lead=\(id) ") && received.add(1, ordering: .relaxed).newValue == notes { break }
            }
            done.signal()
        }
        let text = String(repeating: "n", count: 3000)
        for i in 0..<notes {
            // The fast watcher keeps up by definition: never more than 20 notes behind.
            _ = eventually(timeout: 10) { received.load(ordering: .relaxed) >= i - 20 }
            let reply = writer.reply("NOTE \(id) \(i) \(text)")
            #expect(reply.hasPrefix("OK NOTE"), "\(reply)")
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(received.load(ordering: .relaxed) == notes, "\(server.logLines.all.suffix(8))")
        #expect(eventually { server.logLines.all.contains { $0.contains("cut off as a slow consumer") } })
        // What the slow one finally reads ends with the server's goodbye.
        let tail = slow.readUntilClosed(timeout: 10)
        #expect(tail.last == "BYE SLOW :more than 262144 bytes of events waited unread; reconnect and use SINCE to catch up")
        #expect(writer.reply("PING") == "OK PING :")
    }

    /// A watcher that falls behind, but not past the limit, gets every event whole and
    /// in order once it reads: events are written straight to a watcher with nothing
    /// queued, and what its full socket does not take waits in its buffer, ahead of
    /// the events that follow.
    @Test func aLaggingWatcherGetsEveryEventWholeAndInOrder() throws {
        let server = try TestServer()
        let (writer, id, lagging) = try server.writerAndSlowWatcher(over: .tcp)
        let notes = 60
        let text = String(repeating: "n", count: 1500)
        for i in 0..<notes {
            #expect(writer.reply("NOTE \(id) \(i) \(text)").hasPrefix("OK NOTE"))
        }
        var seen: [Int] = []
        while seen.count < notes, let line = lagging.readLine(timeout: 10) {
            guard line.contains(" NOTED lead=\(id) ") else { continue }
            #expect(line.hasSuffix(" \(text)"), "a cut line: \(line.prefix(80))")
            if let text = line.range(of: " :"), let n = Int(line[text.upperBound...].prefix { $0 != " " }) {
                seen.append(n)
            }
        }
        #expect(seen == Array(0..<notes))
        #expect(!server.logLines.all.contains { $0.contains("slow consumer") })
    }

    /// Watchers whose sockets are full when they vanish with a reset, round after
    /// round, while the notes are still being written to them: the server answers
    /// every note and greets the next connection. This walks the teardown of a
    /// connection that waits to write (when each socket had Dispatch sources of its
    /// own, that teardown crashed libdispatch about one bench run in seven; sockets now
    /// share one epoll set, `EventPoller`), and a closed socket's events left in the
    /// same turn must find nothing.
    @Test func watchersResetMidFloodLeaveTheServerUp() throws {
        let server = try TestServer()
        let writer = try server.client("omar")
        _ = writer.reply("WATCH none")
        let id = writer.newLead()
        let text = String(repeating: "n", count: 2000)
        for round in 0..<10 {
            let watchers = try (0..<30).map { _ in try server.client("ana", over: .tcp) }
            for w in watchers {
                w.shrinkReceiveWindow()
                _ = w.reply("WATCH all")
            }
            // The notes are still being written to the watchers when they vanish.
            let notes = 40
            writer.sendRaw(Array((0..<notes).map { "NOTE \(id) \(round)-\($0) \(text)\n" }.joined().utf8))
            usleep(2_000)
            watchers.forEach { $0.resetNow() }
            var answered = 0
            while answered < notes, let line = writer.readLine(timeout: 10) {
                if line.hasPrefix("OK NOTE") { answered += 1 }
            }
            #expect(answered == notes)
            // A new connection is greeted and served at once.
            let next = try server.client("ben", over: .tcp)
            #expect(next.reply("PING") == "OK PING :", "round \(round)")
            next.closeNow()
        }
    }
}

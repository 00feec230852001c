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
        let writer = try server.client("omar")
        _ = writer.reply("WATCH none")
        let id = writer.newLead()

        // The slow one: a tiny receive window, WATCH all, and then it never reads.
        let slow = try server.client("ana", over: .tcp)
        slow.shrinkReceiveWindow()
        #expect(slow.reply("WATCH all") == "OK WATCH mode=all")

        let fast = try server.client("ben")
        #expect(fast.reply("WATCH all") == "OK WATCH mode=all")
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
}

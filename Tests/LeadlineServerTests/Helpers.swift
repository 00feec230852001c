import Foundation
import Glibc
import LeadlineServer
import LeadlineTestSupport
import Testing

extension LineClient {
    /// The lead number in an `OK NEW lead=N ...` reply.
    func newLead(_ arguments: String = "phone=555-0100") -> Int {
        let line = reply("NEW " + arguments)
        guard let id = field("lead", in: line).flatMap(Int.init) else {
            Issue.record("NEW failed: \(line)")
            return -1
        }
        return id
    }

    /// Sends `lines` in one write, without waiting between them (pipelined), and reads
    /// one answer line for each.
    @discardableResult
    func pipeline(_ lines: [String], timeout: TimeInterval = 10) -> [String] {
        sendRaw(Array(lines.map { $0 + "\n" }.joined().utf8))
        return lines.compactMap { _ in readLine(timeout: timeout) }
    }
}

extension TestServer {
    /// omar, who writes to a new lead and watches nothing, and ana, who watches
    /// everything through a tiny receive window over `route`: the start of every test
    /// of a watcher that reads slowly or not at all.
    func writerAndSlowWatcher(over route: Route) throws -> (writer: LineClient, lead: Int, watcher: LineClient) {
        let writer = try client("omar")
        _ = writer.reply("WATCH none")
        let id = writer.newLead()
        let watcher = try client("ana", over: route)
        watcher.shrinkReceiveWindow()
        #expect(watcher.reply("WATCH all").hasPrefix("OK WATCH mode=all last="))
        return (writer, id, watcher)
    }
}

extension LineClient {
    /// Makes this client a slow reader: a tiny kernel receive window, so the server's
    /// events back up after a few kilobytes.
    func shrinkReceiveWindow() {
        var small: Int32 = 2048
        setsockopt(socket!.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
    }
}

extension ServerConfiguration {
    /// Limits for slow-consumer tests: small buffers, and a goodbye that waits to be read.
    mutating func limitSlowConsumers(to maxOutboundBytes: Int) {
        limits.maxOutboundBytes = maxOutboundBytes
        limits.outboundHighWater = 16 << 10
        limits.socketSendBuffer = 8 << 10
        limits.closeLinger = 60  // so the goodbye waits for the test to read it
    }
}

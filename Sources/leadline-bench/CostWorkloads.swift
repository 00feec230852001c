import Foundation
import Glibc

/// The loads whose cost must follow the work, not the history («Cost that grows with
/// the work»): durable changes, reads over a big board, a trickle of changes on it,
/// start-up on a long journal, memory per open lead. Over plaintext.
enum CostWorkloads {
    /// Latencies in microseconds: the p-th percentile by nearest rank.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))]
    }

    /// `clients` connections, each noting its own lead and waiting for the `OK` (which
    /// comes only once the note is synced) before the next: ops/s, p50 and p99 in µs.
    static func durable(_ server: ServerUnderTest, clients: Int, duration: Double) throws -> [String: Double] {
        let connections = try Workloads.connect(clients, to: server, tls: false, watch: "none")
        defer { connections.forEach { $0.close() } }
        var notes: [[UInt8]] = []
        for c in connections {
            guard let created = c.request("NEW phone=555-0100 name=Durable"),
                  let id = created.split(separator: " ").first(where: { $0.hasPrefix("lead=") })?.dropFirst(5),
                  c.request("CLAIM \(id)")?.hasPrefix("OK CLAIM") == true else { throw BenchError("NEW or CLAIM refused") }
            notes.append(Array("NOTE \(id) durable note\n".utf8))
        }
        let loop = EventLoop()
        for (i, c) in connections.enumerated() { loop.add(c.socket.fd, index: i) }
        var sentAt = [Double](repeating: 0, count: clients)
        var latencies: [Double] = []
        var measuring = false
        for (i, c) in connections.enumerated() {
            sentAt[i] = Workloads.now()
            c.send(notes[i])
            _ = c.flush()
        }
        func answered(_ i: Int, _ lines: Int) {
            let t = Workloads.now()
            if measuring { latencies.append((t - sentAt[i]) * 1e6) }
            sentAt[i] = t
            connections[i].send(notes[i])
        }
        Workloads.run(loop, connections, until: Workloads.now() + 0.5, answered)
        measuring = true
        let sample = Workloads.timed(server, duration: duration, count: { latencies.count }) { end in
            Workloads.run(loop, connections, until: end, answered)
        }
        return ["ops": sample.value, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "cpu": sample.serverCPU]
    }

    /// A server holding `open` open leads: `LIST open` and `SHOW` round trips (ms and
    /// µs), then one `NOTE` a second with a watcher: server CPU and delivery p50 (ms).
    static func bigBoard(pin: Bool, open: Int, duration: Double, trickle: Double) throws -> [String: Double] {
        let prepared = try PreparedJournals.make(leads: open, eventsPerLead: 4, closedShare: 0, snapshot: false)
        let server = try ServerUnderTest(pin: pin, prepared: prepared)
        defer { server.stop() }
        let reader = try Workloads.connect(1, to: server, tls: false, watch: "none")[0]
        defer { reader.close() }
        var list: [Double] = []
        var show: [Double] = []
        let end = Workloads.now() + duration
        var id = 1
        while Workloads.now() < end {
            let t0 = Workloads.now()
            guard reader.request("LIST open", timeout: 30)?.hasPrefix("OK LIST filter=open count=\(open)") == true else {
                throw BenchError("LIST open did not answer \(open) leads")
            }
            let t1 = Workloads.now()
            for _ in 0..<20 {
                let s0 = Workloads.now()
                guard reader.request("SHOW \(id)")?.hasPrefix("OK SHOW") == true else { throw BenchError("SHOW refused") }
                show.append((Workloads.now() - s0) * 1e6)
                id = id % open + 1
            }
            list.append((t1 - t0) * 1000)
        }
        // The trickle: a note a second on one of the leads, seen by one watcher.
        let watcher = try Workloads.connect(1, to: server, tls: false, watch: "all")[0]
        defer { watcher.close() }
        let noter = try BenchConnection.open(port: server.plainPort, tls: false)
        defer { noter.close() }
        try noter.login(ServerUnderTest.people[0], server.tokens[ServerUnderTest.people[0]]!)
        _ = noter.request("WATCH none")
        var deliveries: [Double] = []
        let cpu = Workloads.timed(server, duration: trickle, count: { deliveries.count }) { end in
            var n = 0
            while Workloads.now() + 1 < end {
                let t0 = Workloads.now()
                guard noter.request("NOTE \(n % open + 1) trickle \(n)")?.hasPrefix("OK NOTE") == true else { return }
                if watcher.waitForLine(containing: " NOTED ", timeout: 5) { deliveries.append((Workloads.now() - t0) * 1000) }
                n += 1
                usleep(UInt32(max(0, 1 - (Workloads.now() - t0)) * 1e6))
            }
        }.serverCPU
        return ["list.p50": percentile(list, 50), "list.p99": percentile(list, 99), "list.n": Double(list.count),
                "show.p50": percentile(show, 50), "show.p99": percentile(show, 99),
                "trickle.cpu": cpu, "trickle.p50": percentile(deliveries, 50)]
    }

    /// Start-up on a journal of `leads` × `eventsPerLead` events, 90 % of the leads
    /// closed: seconds to the first `PING` answered, and resident MiB then.
    static func startup(pin: Bool, leads: Int, eventsPerLead: Int, snapshot: Bool) throws -> [String: Double] {
        let prepared = try PreparedJournals.make(leads: leads, eventsPerLead: eventsPerLead, closedShare: 0.9, snapshot: snapshot)
        let server = try ServerUnderTest(pin: pin, prepared: prepared)
        defer { server.stop() }
        return ["seconds": server.startSeconds, "rss": Double(server.residentKiB) / 1024]
    }

    /// Resident bytes per open lead: a server started on `leads` open leads (promised
    /// callbacks, created and claimed, due days ahead), against one started on none.
    static func openLeadMemory(pin: Bool, leads: Int) throws -> Double {
        try memoryPerLead(pin: pin, leads: leads) {
            try PreparedJournals.make(leads: leads, eventsPerLead: 2, closedShare: 0, snapshot: false, quiet: true)
        }
    }

    /// Resident bytes per closed lead: a server started from a snapshot of `leads`
    /// closed leads (each created, claimed, noted and closed: the snapshot holds them in
    /// the closed-leads file), against one started on none. What stays is where each
    /// lies, and the journal's index of their events.
    static func closedLeadMemory(pin: Bool, leads: Int) throws -> Double {
        try memoryPerLead(pin: pin, leads: leads) {
            try PreparedJournals.make(leads: leads, eventsPerLead: 4, closedShare: 1, snapshot: true, quiet: true)
        }
    }

    /// The resident memory of a server started on the folder `prepare` makes, less that
    /// of one started on none, per lead.
    private static func memoryPerLead(pin: Bool, leads: Int,
                                      prepare: () throws -> (folder: String, tokens: [String: String])) throws -> Double {
        let empty = try ServerUnderTest(pin: pin)
        usleep(300_000)
        let base = empty.residentKiB
        empty.stop()
        let full = try ServerUnderTest(pin: pin, prepared: try prepare())
        defer { full.stop() }
        usleep(300_000)
        return Double(full.residentKiB - base) * 1024 / Double(leads)
    }
}

extension CostWorkloads {
    /// `readers` connections each ask `SINCE 0` over `events` events and never read the
    /// answer, while another connection sends `PING`s: its p99 (ms), and how much the
    /// server's resident memory grew meanwhile (MiB).
    static func sinceStorm(pin: Bool, events: Int, readers: Int, pings: Int) throws -> [String: Double] {
        let prepared = try PreparedJournals.make(leads: events / 10, eventsPerLead: 10, closedShare: 0.9, snapshot: false)
        let server = try ServerUnderTest(pin: pin, prepared: prepared)
        defer { server.stop() }
        usleep(300_000)
        let before = server.residentKiB
        var stalled: [BenchConnection] = []
        for i in 0..<readers {
            let name = ServerUnderTest.people[i % ServerUnderTest.people.count]
            let c = try BenchConnection.open(port: server.plainPort, tls: false)
            try c.login(name, server.tokens[name]!)
            _ = c.request("WATCH none")
            c.send(Array("SINCE 0\n".utf8))
            _ = c.flush()
            stalled.append(c)
        }
        let name = ServerUnderTest.people[0]
        let pinger = try BenchConnection.open(port: server.plainPort, tls: false)
        try pinger.login(name, server.tokens[name]!)
        _ = pinger.request("WATCH none")
        var latencies: [Double] = []
        var peak = before
        for _ in 0..<pings {
            let started = Workloads.now()
            guard pinger.request("PING")?.hasPrefix("OK PING") == true else { throw BenchError("PING failed beside the SINCE readers") }
            latencies.append((Workloads.now() - started) * 1000)
            peak = max(peak, server.residentKiB)
            usleep(5_000)
        }
        for c in stalled { c.close() }
        pinger.close()
        return ["ping.p99": percentile(latencies, 99), "ping.p50": percentile(latencies, 50),
                "rss.growth": Double(peak - before) / 1024]
    }
}

extension CostWorkloads {
    /// A steady day's traffic for `minutes`: `rate` requests a second from one office
    /// worker, in a fixed mix (a new lead, its claim, an attempt, closing the lead made
    /// 50 before, `LIST mine`, `QUEUE`, `SHOW`, `PING`), so history accumulates while
    /// the open work stays the same. Server CPU and p50 latency in the first minute and
    /// in the last: flat means cost follows the work, not the history.
    static func soak(pin: Bool, minutes: Double, rate: Double) throws -> [String: Double] {
        let server = try ServerUnderTest(pin: pin)
        defer { server.stop() }
        let name = ServerUnderTest.people[0]
        let c = try BenchConnection.open(port: server.plainPort, tls: false)
        defer { c.close() }
        try c.login(name, server.tokens[name]!)
        _ = c.request("WATCH none")
        let window = min(60, minutes * 60 / 3)
        let total = minutes * 60
        let started = Workloads.now()
        var lead = 0
        var step = 0
        var windows: [(cpu: Double, latencies: [Double])] = []
        var windowStart = started
        var cpuAtStart = server.cpuSeconds
        var latencies: [Double] = []
        while Workloads.now() - started < total {
            let due = started + Double(step) / rate
            let wait = due - Workloads.now()
            if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
            let request: String
            switch step % 8 {
            case 0: request = "NEW phone=555-\(1_000_000 + step) name=\"Soak \(step)\""
            case 1: request = "CLAIM \(lead)"
            case 2: request = "ATTEMPT \(lead) call no-answer next=+2h"
            // Leads are closed as they are in a day's work, 50 behind the newest: the open
            // set stays the same while the history grows.
            case 3: request = lead > 50 ? "STATUS \(lead - 50) disqualified reason=\"out of area\"" : "NOTE \(lead) left a voicemail"
            case 4: request = "LIST mine limit=50"
            case 5: request = "QUEUE"
            case 6: request = "SHOW \(max(1, lead / 2))"
            default: request = "PING"
            }
            let sent = Workloads.now()
            guard let reply = c.request(request, timeout: 30) else { throw BenchError("no answer to \(request)") }
            latencies.append((Workloads.now() - sent) * 1000)
            if step % 8 == 0, let id = reply.split(separator: " ").first(where: { $0.hasPrefix("lead=") }) { lead = Int(id.dropFirst(5)) ?? lead }
            step += 1
            if Workloads.now() - windowStart >= window {
                let cpu = server.cpuSeconds
                windows.append(((cpu - cpuAtStart) / (Workloads.now() - windowStart), latencies))
                (windowStart, cpuAtStart, latencies) = (Workloads.now(), cpu, [])
            }
        }
        guard let first = windows.first, let last = windows.last else { throw BenchError("the soak was too short") }
        return ["cpu.first": first.cpu, "cpu.last": last.cpu, "p50.first": percentile(first.latencies, 50),
                "p50.last": percentile(last.latencies, 50), "p99.last": percentile(last.latencies, 99),
                "leads": Double(lead)]
    }
}

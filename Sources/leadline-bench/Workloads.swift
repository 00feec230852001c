import Foundation
import Glibc

/// One figure from one run, with the server's CPU use meanwhile (1.0: one whole CPU).
struct Sample {
    let value: Double
    let serverCPU: Double
}

/// The measured loads. Each opens its own connections, runs for a while, and closes them.
enum Workloads {
    /// Logs in `count` connections (spread over the bench people) with `WATCH mode`.
    static func connect(_ count: Int, to server: ServerUnderTest, tls: Bool, watch: String) throws -> [BenchConnection] {
        var connections: [BenchConnection] = []
        for i in 0..<count {
            let c = try BenchConnection.open(port: tls ? server.tlsPort : server.plainPort, tls: tls)
            let name = ServerUnderTest.people[i % ServerUnderTest.people.count]
            try c.login(name, server.tokens[name]!)
            guard c.request("WATCH \(watch)")?.hasPrefix("OK WATCH") == true else { throw BenchError("WATCH refused") }
            connections.append(c)
        }
        return connections
    }

    /// Runs `body` for `duration` seconds and reports `count()` per second with the
    /// server's CPU share.
    static func timed(_ server: ServerUnderTest, duration: Double, count: () -> Int, body: (Double) -> Void) -> Sample {
        let cpu0 = server.cpuSeconds
        let start = now()
        let before = count()
        body(start + duration)
        let elapsed = now() - start
        return Sample(value: Double(count() - before) / elapsed, serverCPU: (server.cpuSeconds - cpu0) / elapsed)
    }

    /// `PING` round trips per second: each client sends the next as soon as the last
    /// is answered (request-reply, as redis-benchmark and the shared harness's rr50 do).
    static func ping(_ server: ServerUnderTest, clients: Int, tls: Bool, duration: Double) throws -> Sample {
        let connections = try connect(clients, to: server, tls: tls, watch: "none")
        defer { connections.forEach { $0.close() } }
        let loop = EventLoop()
        for (i, c) in connections.enumerated() { loop.add(c.socket.fd, index: i) }
        let ping = Array("PING\n".utf8)
        var answered = 0
        for c in connections { c.send(ping) }
        run(loop, connections, until: now() + 0.2) { i, lines in
            for _ in 0..<lines { connections[i].send(ping) }
        }
        return timed(server, duration: duration, count: { answered }) { end in
            run(loop, connections, until: end) { i, lines in
                answered += lines
                for _ in 0..<lines { connections[i].send(ping) }
            }
        }
    }

    /// Durable events delivered to watchers per second: one publisher pipelines
    /// `NOTE`s (each journaled, synced and answered) and every watcher gets every event.
    static func fanout(_ server: ServerUnderTest, watchers count: Int, tls: Bool, duration: Double) throws -> Sample {
        let watchers = try connect(count, to: server, tls: tls, watch: "all")
        let publisher = try connect(1, to: server, tls: tls, watch: "none")[0]
        defer { (watchers + [publisher]).forEach { $0.close() } }
        guard let created = publisher.request("NEW phone=555-0100 name=Bench"),
              let lead = created.split(separator: " ").first(where: { $0.hasPrefix("lead=") })?.dropFirst(5) else {
            throw BenchError("NEW refused")
        }
        let all = watchers + [publisher]
        let loop = EventLoop()
        for (i, c) in all.enumerated() { loop.add(c.socket.fd, index: i) }
        let note = Array("NOTE \(lead) bench note\n".utf8)
        let window = 32
        var delivered = 0
        for _ in 0..<window { publisher.send(note) }
        let publisherIndex = watchers.count
        func handle(_ i: Int, _ lines: Int) {
            if i == publisherIndex {
                for _ in 0..<lines { publisher.send(note) }
            } else {
                delivered += lines
            }
        }
        run(loop, all, until: now() + 0.3, handle)
        return timed(server, duration: duration, count: { delivered }) { end in run(loop, all, until: end, handle) }
    }

    /// New connections per second, one after another: connect, (TLS handshake), read
    /// the greeting, close.
    static func handshakes(_ server: ServerUnderTest, tls: Bool, duration: Double) throws -> Sample {
        var made = 0
        var failures: [String] = []
        let sample = timed(server, duration: duration, count: { made }) { end in
            while now() < end, failures.count < 10 {
                do {
                    let c = try BenchConnection.open(port: tls ? server.tlsPort : server.plainPort, tls: tls, timeout: 3)
                    c.close()
                    made += 1
                } catch {
                    // A slow machine may drop one now and then: say so, and go on.
                    failures.append("\(error)")
                }
            }
        }
        if !failures.isEmpty {
            FileHandle.standardError.write(Data("handshake \(tls ? "tls" : "plain"): \(failures.count) failed (\(failures[0]))\n".utf8))
        }
        guard failures.count < 10 else { throw BenchError("handshakes keep failing: \(failures[0])") }
        return sample
    }

    /// The server's resident memory per idle logged-in watcher, in KiB: measured on a
    /// fresh server, after a few connections have warmed its allocator.
    static func idleMemory(pin: Bool, connections count: Int, tls: Bool) throws -> Sample {
        let server = try ServerUnderTest(pin: pin)
        defer { server.stop() }
        try connect(8, to: server, tls: tls, watch: "board").forEach { $0.close() }
        usleep(300_000)
        let before = server.residentKiB
        let idle = try connect(count, to: server, tls: tls, watch: "board")
        defer { idle.forEach { $0.close() } }
        usleep(500_000)
        let after = server.residentKiB
        return Sample(value: Double(after - before) / Double(count), serverCPU: 0)
    }

    /// Reads whatever arrives until `end`, handing each connection's line count to `handle`.
    static func run(_ loop: EventLoop, _ connections: [BenchConnection], until end: Double, _ handle: (Int, Int) -> Void) {
        while true {
            let left = end - now()
            guard left > 0 else { return }
            for i in loop.wait(timeout: min(left, 0.05)) {
                guard let lines = connections[i].readAvailable() else { continue }
                connections[i].flush()
                if lines > 0 { handle(i, lines) }
            }
        }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

import Foundation
import CLinux
import Glibc

/// `leadline-bench`: a release `leadlined` measured over plaintext and TLS in the same
/// run, interleaved and repeated; medians with their range.
let options = BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
signal(SIGPIPE, SIG_IGN)
if options.pin, ProcessInfo.processInfo.activeProcessorCount >= 2 {
    // The generator on CPU 1, the server (spawned under taskset) on CPU 0.
    _ = leadline_pin_to_cpu(1)
}

var report = Report(options: options)
do {
    if options.runs("ping") || options.runs("fanout") || options.runs("handshake") {
        let server = try ServerUnderTest(pin: options.pin)
        defer { server.stop() }
        for rep in 0..<options.repetitions {
            // Alternate which transport goes first, so drift of the machine falls on both.
            let order = rep % 2 == 0 ? [false, true] : [true, false]
            for tls in order {
                if options.runs("ping") {
                    report.add(.ping, tls: tls, try Workloads.ping(server, clients: options.pingClients, tls: tls, duration: options.duration))
                }
                if options.runs("fanout") {
                    report.add(.fanout, tls: tls, try Workloads.fanout(server, watchers: options.watchers, tls: tls, duration: options.duration))
                }
                if options.runs("handshake") {
                    report.add(.handshake, tls: tls, try Workloads.handshakes(server, tls: tls, duration: options.duration))
                }
            }
        }
    }
    if options.runs("idle") {
        for rep in 0..<options.repetitions {
            for tls in rep % 2 == 0 ? [false, true] : [true, false] {
                report.add(.idle, tls: tls, try Workloads.idleMemory(pin: options.pin, connections: options.idleConnections, tls: tls))
            }
        }
    }
    var cost = CostReport(options: options)
    for _ in 0..<options.repetitions {
        if options.runs("durable") {
            let server = try ServerUnderTest(pin: options.pin)
            cost.add(try CostWorkloads.durable(server, clients: options.durableClients, duration: options.duration), as: "durable50")
            cost.add(try CostWorkloads.durable(server, clients: 1, duration: options.duration), as: "durable1")
            cost.add(["deliveries": try Workloads.fanout(server, watchers: 100, tls: false, duration: options.duration).value], as: "fanout100")
            server.stop()
        }
        // Ten minutes: only when asked for by name (--only soak), never in a full run.
        if options.only?.contains("soak") == true {
            cost.add(try CostWorkloads.soak(pin: options.pin, minutes: options.quick ? 0.5 : 10, rate: 96), as: "soak")
        }
        if options.runs("since") {
            cost.add(try CostWorkloads.sinceStorm(pin: options.pin, events: options.quick ? 10_000 : 100_000,
                                                   readers: options.quick ? 4 : 40, pings: options.quick ? 20 : 400), as: "since")
        }
        if options.runs("board") {
            cost.add(try CostWorkloads.bigBoard(pin: options.pin, open: options.openLeads, duration: options.duration,
                                                trickle: options.trickleSeconds), as: "board")
        }
        if options.runs("startup") {
            for snapshot in [false, true] {
                cost.add(try CostWorkloads.startup(pin: options.pin, leads: options.journalEvents / 10, eventsPerLead: 10,
                                                   snapshot: snapshot), as: snapshot ? "startup.snapshot" : "startup.journal")
            }
            cost.add(["bytes": try CostWorkloads.openLeadMemory(pin: options.pin, leads: options.openLeads)], as: "memory")
            cost.add(["bytes": try CostWorkloads.closedLeadMemory(pin: options.pin, leads: options.journalEvents / 10)], as: "memory.closed")
        }
        if options.runs("desk") {
            cost.add(try DeskWorkloads.reports(pin: options.pin, events: options.journalEvents, repeats: options.quick ? 4 : 20), as: "reports")
            cost.add(try DeskWorkloads.importFile(pin: options.pin, rows: options.quick ? 1000 : 50_000), as: "import")
        }
    }
    print(report.table())
    print(cost.table())
} catch {
    fail("\(error)")
}

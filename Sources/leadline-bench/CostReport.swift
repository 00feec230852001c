import Foundation

/// The table of «Cost that grows with the work»: each figure's median and range over
/// the repetitions. Peers (Redis, the minimal Dispatch server) are measured by the
/// project's peer harness in its own run; BENCHMARKS.md puts both side by side.
struct CostReport {
    let options: BenchOptions
    private var samples: [String: [String: [Double]]] = [:]

    init(options: BenchOptions) { self.options = options }

    mutating func add(_ figures: [String: Double], as group: String) {
        for (key, value) in figures { samples[group, default: [:]][key, default: []].append(value) }
        let shown = figures.sorted { $0.key < $1.key }.map { "\($0.key)=\(Report.number($0.value))" }.joined(separator: " ")
        FileHandle.standardError.write(Data("\(group): \(shown)\n".utf8))
    }

    private func value(_ group: String, _ key: String, scale: Double = 1) -> String? {
        guard let values = samples[group]?[key], !values.isEmpty else { return nil }
        return Report.spread(values.map { $0 * scale })
    }

    func table() -> String {
        let events = options.journalEvents
        let rows: [(String, String?)] = [
            ("durable NOTEs, \(options.durableClients) clients one at a time: ops/s", value("durable50", "ops")),
            ("  latency p50 / p99, µs", pair(value("durable50", "p50"), value("durable50", "p99"))),
            ("  server CPU", value("durable50", "cpu", scale: 100).map { $0 + " %" }),
            ("durable NOTEs, 1 client: ops/s", value("durable1", "ops")),
            ("  latency p50 / p99, µs", pair(value("durable1", "p50"), value("durable1", "p99"))),
            ("one publisher pipelining NOTEs to 100 watchers: deliveries/s", value("fanout100", "deliveries")),
            ("a 10-minute soak at 96 requests/s: server CPU, first minute / last", pair(
                value("soak", "cpu.first", scale: 100).map { $0 + " %" }, value("soak", "cpu.last", scale: 100).map { $0 + " %" })),
            ("  request p50, first minute / last, ms (p99 last: see below)", pair(value("soak", "p50.first"), value("soak", "p50.last"))),
            ("  request p99 in the last minute, ms; leads made", pair(value("soak", "p99.last"), value("soak", "leads"))),
            ("40 connections send SINCE 0 over 100,000 events and never read: another's PING p50 / p99, ms",
             pair(value("since", "ping.p50"), value("since", "ping.p99"))),
            ("  server RSS growth meanwhile, MiB", value("since", "rss.growth")),
            ("LIST open with \(options.openLeads) open leads: p50 / p99, ms", pair(value("board", "list.p50"), value("board", "list.p99"))),
            ("SHOW of one lead (\(options.openLeads) open): p50 / p99, µs", pair(value("board", "show.p50"), value("board", "show.p99"))),
            ("one NOTE a second, \(options.openLeads) open leads: server CPU", value("board", "trickle.cpu", scale: 100).map { $0 + " %" }),
            ("  delivery to a watcher p50, ms", value("board", "trickle.p50")),
            ("start-up on \(events) events (\(events / 10) leads, 90 % closed), no snapshot: s to first PING", value("startup.journal", "seconds")),
            ("  resident MiB then", value("startup.journal", "rss")),
            ("start-up on the same with a snapshot: s to first PING", value("startup.snapshot", "seconds")),
            ("  resident MiB then", value("startup.snapshot", "rss")),
            ("memory per open lead, bytes (\(options.openLeads) open)", value("memory", "bytes")),
            ("memory per closed lead, bytes (\(events / 10) closed, started from a snapshot)", value("memory.closed", "bytes")),
            ("REPORT week on \(events) events: ms", value("reports", "week.p50")),
            ("REPORT range over all \(events) events' days: ms", value("reports", "range.p50")),
            ("  PING from another connection meanwhile, p99 ms", value("reports", "ping.p99")),
            ("leadlined report --week offline on the same folder (loading it): s", value("reports", "offline")),
            ("IMPORT of \(options.quick ? 1000 : 50_000) CRM rows (Jobber header): s to OK", value("import", "seconds")),
        ]
        var lines = ["", "| cost with the work (plaintext) | median [min–max] |", "|---|---|"]
        for (title, shown) in rows {
            guard let shown else { continue }
            lines.append("| \(title) | \(shown) |")
        }
        return lines.count > 3 ? lines.joined(separator: "\n") : ""
    }

    private func pair(_ a: String?, _ b: String?) -> String? {
        guard let a, let b else { return nil }
        return "\(a) / \(b)"
    }
}

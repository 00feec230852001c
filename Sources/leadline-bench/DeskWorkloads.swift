import Foundation
import Glibc
import LeadlineCore

/// The owner's desk: reports over a long history, and a CRM's file imported.
enum DeskWorkloads {
    /// On a server started on `events` events (a snapshot and its journal): `REPORT week`
    /// and `REPORT range` over all of it, ms p50; `PING` p99 from another connection sent
    /// while each report is computed, ms; and `leadlined report` on the folder, offline
    /// beside the server (loading it included), s.
    static func reports(pin: Bool, events: Int, repeats: Int) throws -> [String: Double] {
        let prepared = try PreparedJournals.make(leads: events / 10, eventsPerLead: 10, closedShare: 0.9, snapshot: true)
        let server = try ServerUnderTest(pin: pin, prepared: prepared)
        let owner = ServerUnderTest.people[0]
        let reporter = try BenchConnection.open(port: server.plainPort, tls: false)
        try reporter.login(owner, server.tokens[owner]!)
        _ = reporter.request("WATCH none")
        let pinger = try BenchConnection.open(port: server.plainPort, tls: false)
        try pinger.login(ServerUnderTest.people[1], server.tokens[ServerUnderTest.people[1]]!)
        _ = pinger.request("WATCH none")
        let today = Date()
        let first = Timestamp.utc(today.addingTimeInterval(-Double(events / 10) * 60 - 86_400)).prefix(10)
        var week: [Double] = []
        var range: [Double] = []
        var pings: [Double] = []
        for i in 0..<repeats {
            let request = i % 2 == 0 ? "REPORT week" : "REPORT range \(first) today"
            let started = Workloads.now()
            reporter.send(Array((request + "\n").utf8))
            _ = reporter.flush()
            let pingStarted = Workloads.now()
            guard pinger.request("PING")?.hasPrefix("OK PING") == true else { throw BenchError("PING failed beside a report") }
            pings.append((Workloads.now() - pingStarted) * 1000)
            guard reporter.waitForLine(containing: "OK REPORT", timeout: 30) else { throw BenchError("\(request) failed") }
            let ms = (Workloads.now() - started) * 1000
            if i % 2 == 0 { week.append(ms) } else { range.append(ms) }
        }
        reporter.close()
        pinger.close()
        defer { server.stop() }
        // Offline (beside the running server: it only reads): the whole command, loading
        // the folder (its snapshot, then the journal after it).
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("leadlined").path
        let offline = Process()
        offline.executableURL = URL(fileURLWithPath: executable)
        offline.arguments = ["report", "--data", prepared.folder, "--config", prepared.folder + "/bench.json", "--week", "today"]
        offline.standardOutput = FileHandle.nullDevice
        offline.standardError = FileHandle.nullDevice
        let started = Workloads.now()
        try offline.run()
        offline.waitUntilExit()
        guard offline.terminationStatus == 0 else { throw BenchError("leadlined report exited \(offline.terminationStatus)") }
        return ["week.p50": CostWorkloads.percentile(week, 50), "range.p50": CostWorkloads.percentile(range, 50),
                "ping.p99": CostWorkloads.percentile(pings, 99), "offline": Workloads.now() - started]
    }

    /// A Jobber-style file of `rows` leads imported over the protocol into a fresh
    /// server: seconds from sending `IMPORT` to its `OK`.
    static func importFile(pin: Bool, rows: Int) throws -> [String: Double] {
        let server = try ServerUnderTest(pin: pin)
        defer { server.stop() }
        let name = ServerUnderTest.people[0]
        let connection = try BenchConnection.open(port: server.plainPort, tls: false)
        defer { connection.close() }
        try connection.login(name, server.tokens[name]!)
        _ = connection.request("WATCH none")
        var lines = ["IMPORT leads",
                     "Display Name,Mobile Phone #s,E-mails,Service Street 1,Service City,Service State,Service Zip code,Lead Source,Created Date,Tags"]
        for i in 0..<rows {
            lines.append("Customer \(i),\"(555) \(String(format: "%03d", i % 1000))-\(String(format: "%04d", i)), 555-0199\",c\(i)@example.com,"
                + "\(i) Elm St,Springfield,IL,627\(String(format: "%02d", i % 100)),Google,11/\(1 + i % 28)/2026,\"hvac, repeat\"")
        }
        lines.append(".")
        let started = Workloads.now()
        guard let reply = connection.request(lines.joined(separator: "\n"), timeout: 120), reply.hasPrefix("OK IMPORT count=\(rows)") else {
            throw BenchError("the import of \(rows) rows was not accepted")
        }
        return ["seconds": Workloads.now() - started]
    }
}

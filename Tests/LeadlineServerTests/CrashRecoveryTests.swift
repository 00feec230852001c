import Dispatch
import Foundation
import LeadlineJournal
import LeadlineServer
import LeadlineTestSupport
import Synchronization
import Testing

/// `kill -9` of the real server, round after round, under many writing clients that
/// retry what was in flight with the same tag: nothing acknowledged is lost, nothing is
/// applied twice, and `SINCE 0` is contiguous after every restart. Half the leads are
/// closed as they go, so closed leads are being written out of memory (beside the
/// snapshots) when kills land, and are read back for `LIST all` after each.
///
/// `LEADLINE_KILL_ROUNDS` and `LEADLINE_KILL_WRITERS` make it longer (the soak script
/// `Tests/Soak/kill-nine.sh` runs 100 rounds); `swift test` runs 10 rounds of 20.
@Suite(.serialized) struct CrashRecoveryTests {
    /// What one writer knows: every change acknowledged to it, and the one it sent last
    /// whose answer it has not seen (to retry with the same tag after the restart).
    final class Writer: @unchecked Sendable {
        let index: Int
        var counter = 0
        var acknowledged: [(tag: String, lead: Int)] = []
        var inFlight: (tag: String, phone: String)?
        /// Leads it closed (acknowledged), and the closing in flight: closed leads leave
        /// memory at each snapshot, so kills land while they are being written out too.
        var closed: [Int] = []
        var closing: (tag: String, lead: Int)?
        var retriesAnsweredAsBefore = 0
        init(index: Int) { self.index = index }
    }

    @Test func killNineRoundsLoseNothingAndApplyNothingTwice() throws {
        let environment = ProcessInfo.processInfo.environment
        let rounds = environment["LEADLINE_KILL_ROUNDS"].flatMap(Int.init) ?? 6
        let writersCount = environment["LEADLINE_KILL_WRITERS"].flatMap(Int.init) ?? 20
        let (dir, tokens) = try ProcessTests.seededFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Snapshots every few dozen events: the kills land while they are being written too.
        let config = dir + ".json"
        try Data(#"{ "limits": { "snapshotEveryEvents": 37 } }"#.utf8).write(to: URL(fileURLWithPath: config))
        defer { try? FileManager.default.removeItem(atPath: config) }
        let writers = (0..<writersCount).map(Writer.init)
        var totalAcknowledged = 0

        for round in 1...rounds {
            let server = try ServerProcess(arguments: ["--port", "0", "--data", dir, "--config", config])
            let acknowledgedThisRound = Atomic<Int>(0)
            let group = DispatchGroup()
            for writer in writers {
                // A thread each: blocking work on Dispatch's global queue runs only
                // as many at a time as there are cores.
                group.enter()
                Thread {
                    defer { group.leave() }
                    let name = writer.index % 2 == 0 ? "ana" : "ben"
                    guard let c = try? LineClient(port: server.port) else { return }
                    _ = c.readLine()
                    guard c.reply("LOGIN \(name) \(tokens[name]!)").hasPrefix("OK LOGIN"), c.reply("WATCH none").hasPrefix("OK WATCH mode=none last=")
                    else { return }
                    while true {
                        if let (tag, lead) = writer.closing {
                            guard let reply = c.request("\(tag) STATUS \(lead) disqualified reason=soak", timeout: 3).last,
                                  reply.hasPrefix("\(tag) OK STATUS") else { return }
                            writer.closed.append(lead)
                            writer.closing = nil
                            acknowledgedThisRound.add(1, ordering: .relaxed)
                        }
                        let tag: String
                        let phone: String
                        var isRetry = false
                        if let pending = writer.inFlight {
                            (tag, phone) = pending
                            isRetry = true
                        } else {
                            writer.counter += 1
                            tag = "@w\(writer.index)-\(writer.counter)"
                            phone = "555-\(writer.index)-\(writer.counter)"
                            writer.inFlight = (tag, phone)
                        }
                        guard let reply = c.request("\(tag) NEW phone=\(phone) owner=\(name)", timeout: 3).last,
                              reply.hasPrefix("\(tag) OK NEW"), let lead = field("lead", in: reply).flatMap(Int.init)
                        else { return }  // the server is gone: retry after the restart
                        if isRetry { writer.retriesAnsweredAsBefore += 1 }
                        writer.acknowledged.append((tag, lead))
                        writer.inFlight = nil
                        if writer.counter % 2 == 0 { writer.closing = ("\(tag)c", lead) }
                        acknowledgedThisRound.add(1, ordering: .relaxed)
                    }
                }.start()
            }
            _ = eventually(timeout: 20) { acknowledgedThisRound.load(ordering: .relaxed) >= 100 + (round * 37) % 150 }
            server.kill9()
            group.wait()
            totalAcknowledged += acknowledgedThisRound.load(ordering: .relaxed)

            // Verify on the restarted server.
            let check = try ServerProcess(arguments: ["--port", "0", "--data", dir, "--config", config])
            let c = try LineClient(port: check.port)
            _ = c.readLine()
            _ = c.reply("LOGIN ana \(tokens["ana"]!)")
            let rows = c.request("LIST all", timeout: 20).filter { $0.hasPrefix("LEAD ") }
            var phones: [String: [Int]] = [:]
            var disqualified = Set<Int>()
            for row in rows {
                if row.contains(" status=disqualified "), let id = Int(row.split(separator: " ")[1]) { disqualified.insert(id) }
                guard let id = Int(row.split(separator: " ")[1]), let phone = field("phone", in: row) else { continue }
                phones[phone, default: []].append(id)
            }
            let twice = phones.filter { $0.value.count > 1 }
            #expect(twice.isEmpty, "round \(round): applied twice: \(twice.prefix(5))")
            let leads = Set(phones.values.flatMap { $0 })
            for writer in writers {
                let lost = writer.acknowledged.filter { !leads.contains($0.lead) }
                #expect(lost.isEmpty, "round \(round): acknowledged but lost: \(lost.prefix(5).map(\.tag))")
                let reopened = writer.closed.filter { !disqualified.contains($0) }
                #expect(reopened.isEmpty, "round \(round): closed, acknowledged, but not closed now: \(reopened.prefix(5))")
            }
            _ = c.reply("WATCH all")
            // Tagged, so its rows stand apart from live events (alerts fall due meanwhile).
            var since = c.request("@s SINCE 0", timeout: 20)
            var first: UInt64 = 3  // events 1 and 2 are the two people, private
            if let refused = since.last, refused.hasPrefix("@s ERR INVALID arg=seq oldest="),
               let oldest = field("oldest", in: refused).flatMap(UInt64.init) {
                // A long soak outgrows the SINCE window: check what it keeps.
                first = oldest
                since = c.request("@s SINCE \(oldest - 1)", timeout: 20)
            }
            let seqs = since.filter { $0.hasPrefix("@s EVENT ") }.compactMap { UInt64($0.split(separator: " ")[2]) }
            // Private events (the sweep's marker) leave gaps; every other number is there.
            let gaps = zip(seqs, seqs.dropFirst()).filter { $1 != $0 + 1 }
            let privateOnly = gaps.allSatisfy { $1 == $0 + 2 }
            #expect(privateOnly && (seqs.first ?? 0) >= first && (seqs.first ?? 0) <= first + 1,
                    "round \(round): SINCE from \(first) starts at \(seqs.first ?? 0), gaps \(gaps.prefix(5)): \(since.suffix(1))")
            #expect(since.last?.hasPrefix("@s OK SINCE count=\(seqs.count) last=") == true)
            check.kill9()
        }
        let acknowledged = writers.map(\.acknowledged.count).reduce(0, +)
        let retried = writers.map(\.retriesAnsweredAsBefore).reduce(0, +)
        print("kill -9 soak: \(rounds) rounds, \(writersCount) writers, \(acknowledged) acknowledged changes checked "
              + "(\(totalAcknowledged) in the rounds), \(retried) in-flight requests retried with their tag after a kill")
        #expect(acknowledged > rounds * 50)
        #expect(JournalSnapshot.files(dataDirectory: dir).count >= 1, "snapshots were written along the way")
        // The journal itself is sound (numbers in order, none twice) and so are the snapshots.
        let check = try DataFolderDoctor.check(dataDirectory: dir)
        #expect(check.sound, "\(check.text)")
    }
}

import Foundation
import LeadlineCore
import LeadlineServer
import LeadlineTestSupport
import Testing

/// Leads in and out over the protocol, as a VA with no shell on the server does it, and
/// from the data folder, as the owner does.
@Suite struct ExchangeTests {
    /// Sends `IMPORT leads` and the file's lines, dot-stuffed and ended by the dot.
    static func importFile(_ lines: [String], as client: LineClient, options: String = "") -> [String] {
        let prompt = client.request("IMPORT leads" + options, timeout: 1)
        _ = prompt
        for line in lines { client.send(line.hasPrefix(".") ? "." + line : line) }
        client.send(".")
        return client.readThroughCompletion(timeout: 20)
    }

    /// The CSV rows of an `EXPORT`.
    static func export(_ request: String, as client: LineClient) -> [String] {
        client.request(request, timeout: 20).compactMap { line in line.hasPrefix("CSV :") ? String(line.dropFirst(5)) : nil }
    }

    /// 10,000 rows with a bad last one: refused whole, with that row named; nothing
    /// applied. The good file: one change, one IMPORTED event to watchers, every lead there.
    @Test func allOrNothingAtTenThousandRows() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        let omar = try server.client("omar")
        _ = omar.reply("WATCH board")
        var rows = ["Customer,Mobile Phone,City,lead_source"]
        for i in 0..<10_000 { rows.append("Customer \(i),555-\(String(format: "%04d", i)),Austin,referral") }
        var bad = rows
        bad[bad.count - 1] = ",,Austin,referral"
        let refused = Self.importFile(bad, as: ana)
        #expect(refused.filter { $0.hasPrefix("BADROW ") }.map { $0.prefix(30) } == ["BADROW line=10001 arg=phone :a"], "\(refused.suffix(2))")
        #expect(refused.last?.hasPrefix("ERR INVALID rows=1") == true)
        #expect(ana.reply("LIST all").hasPrefix("OK LIST filter=all count=0"), "nothing from the file was applied")
        // A row with two problems: both named, one bad row counted.
        let twice = Self.importFile(["name,phone,owner", "Pat,call me,zed"], as: ana)
        #expect(twice.filter { $0.hasPrefix("BADROW ") }.map { $0.prefix(24) } == ["BADROW line=2 arg=phone ", "BADROW line=2 arg=owner "], "\(twice)")
        #expect(twice.last?.hasPrefix("ERR INVALID rows=1 :2 problems in 1 bad row; nothing was imported") == true, "\(twice.last ?? "")")

        // A file with no rows has no row to name: one answer about the file.
        #expect(Self.importFile(["name,phone"], as: ana)
                == ["ERR INVALID arg=file :the file has no leads in it (a header and no rows); nothing was imported"])
        #expect(Self.importFile([], as: ana) == ["ERR INVALID arg=file :the file is empty: it needs a header row; nothing was imported"])
        // A file whose one line is refused reads as empty too: the line is what is named.
        let overlong = Self.importFile([String(repeating: "n", count: 5_000)], as: ana)
        #expect(overlong.count == 2 && overlong[0].hasPrefix("BADROW line=1 ") && overlong[0].contains("longer than")
                && overlong[1].hasPrefix("ERR INVALID rows=1 :1 bad row; nothing was imported"), "\(overlong)")

        let accepted = Self.importFile(rows, as: ana)
        let ok = try #require(accepted.last)
        #expect(ok.hasPrefix("OK IMPORT count=10000 first=1 last=10000 system=housecall-pro"), "\(ok)")
        let pushed = omar.readThroughEvent(containing: "IMPORTED")
        #expect(pushed.filter { $0.contains(" CREATED ") }.isEmpty, "watchers get the summary, not 10,000 lines")
        #expect(pushed.last?.contains("IMPORTED count=10000 first=1 last=10000 system=housecall-pro") == true)
        #expect(Self.export("EXPORT leads all", as: omar).count == 10_001)
        #expect(ana.reply("PING") == "OK PING :")
    }

    /// Export, import into an empty server, export again: the same rows apart from
    /// where each came from (id, origin, system).
    @Test func aRoundTripKeepsEveryRow() throws {
        let first = try TestServer()
        let dora = try first.client("dora")
        _ = dora.reply("WATCH none")
        #expect(dora.reply("NEW phone=555-0100 name=\"Roe, Jane\" service=\"no heat\" address=\"12 Elm St\" owner=ana").hasPrefix("OK NEW"))
        #expect(dora.reply("NEW kind=estimate phone=555-0101 value=8900 owner=sam").hasPrefix("OK NEW"))
        #expect(dora.reply("NEW phone=555-0102 name=Pat").hasPrefix("OK NEW"))
        #expect(dora.reply("STATUS 3 disqualified reason=\"out of area\"").hasPrefix("OK STATUS"))
        #expect(dora.reply("NEW phone=555-0103 owner=ana").hasPrefix("OK NEW"))
        #expect(dora.reply("STATUS 4 booked appt=\"tomorrow 9am\" tech=tess").hasPrefix("OK STATUS"))
        let omar = try first.client("omar")
        let exported = Self.export("EXPORT leads all", as: omar)
        #expect(exported.count == 5)
        #expect(exported[0].contains(",appointment_at,technician,") && exported[4].contains(",2026-11-24T09:00:00-06:00,tess,"),
                "\(exported)")

        let second = try TestServer()
        let ana = try second.client("ana")
        _ = ana.reply("WATCH none")
        #expect(Self.importFile(exported, as: ana).last?.hasPrefix("OK IMPORT count=4") == true)
        let again = Self.export("EXPORT leads all", as: try second.client("omar"))
        func content(_ rows: [String]) throws -> [[String]] {
            let originColumns: Set<String> = ["id", "origin", "system"]
            let parsed = try rows.map { try CSVLine.fields($0) }
            let keep = parsed[0].indices.filter { !originColumns.contains(parsed[0][$0]) }
            return parsed.map { row in keep.map { row[$0] } }
        }
        #expect(try content(again) == content(exported), "\(again)\n\(exported)")
    }

    /// Only supervisors export (every customer's details); a csr is told so.
    @Test func exportsAreForSupervisors() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        #expect(ana.reply("EXPORT leads").hasPrefix("ERR DENIED need=dispatcher,ops,owner"))
        #expect(ana.reply("EXPORT widgets").hasPrefix("ERR INVALID arg=what"))
        // A malformed IMPORT is still followed by a file: taken up to its dot, never as
        // requests, then refused.
        let prompt = ana.request("IMPORT customers", timeout: 1)
        #expect(prompt.first?.hasPrefix("IMPORT :IMPORT takes leads") == true && prompt.first?.contains("nothing will be imported") == true,
                "told at once: \(prompt)")
        for line in ["name,phone", "NEW phone=555-0100", "QUIT", "."] { ana.send(line) }
        let refused = ana.readThroughCompletion(timeout: 20)
        #expect(refused.count == 1 && refused[0].hasPrefix("ERR INVALID arg=what :IMPORT takes leads")
                && refused[0].hasSuffix("; nothing was imported"), "\(refused)")
        #expect(ana.reply("PING") == "OK PING :", "QUIT was a line of the file")
        #expect(ana.reply("LIST all").hasPrefix("OK LIST filter=all count=0"), "and so was NEW")
    }

    /// A file's lines are never read as requests, whoever sends them: a technician's
    /// upload is taken up to the dot and then refused.
    @Test func anUploadIsNeverReadAsRequests() throws {
        let server = try TestServer()
        let tess = try server.client("tess")
        _ = tess.reply("WATCH none")
        let prompt = tess.request("IMPORT leads", timeout: 1)
        #expect(prompt.first?.hasPrefix("IMPORT :IMPORT is for office roles; you are tech: nothing will be imported") == true,
                "told at once: \(prompt)")
        for line in ["name,phone", "QUIT,555-0100", "USER REMOVE olive"] { tess.send(line) }
        tess.send(".")
        let reply = tess.readThroughCompletion(timeout: 20)
        #expect(reply.count == 1 && reply[0].hasPrefix("ERR DENIED need=")
                && reply[0].hasSuffix(":IMPORT is for office roles; you are tech; nothing was imported"), "\(reply)")
        #expect(!reply.contains { $0.hasPrefix("BADROW") })
        #expect(tess.reply("PING") == "OK PING :", "still connected: QUIT was a row")
    }

    /// The owner's report offline: the scorecard of a stopped server's folder (or a
    /// backup's copy), as text, CSV and a self-contained HTML page.
    @Test func theReportFromADataFolder() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        #expect(ana.reply("NEW phone=555-0100").hasPrefix("OK NEW"))
        #expect(ana.reply("CLAIM 1").hasPrefix("OK CLAIM"))
        server.advance(by: 600)
        #expect(ana.reply("ATTEMPT 1 call no-answer next=+1h").hasPrefix("OK ATTEMPT"))
        let online = ana.request("REPORT day").filter { $0.hasPrefix("SCORE ") }
        server.stop()
        var config = ServerConfiguration()
        config.dataDirectory = server.directory
        config.policy.timeZone = TestServer.zone
        let now = server.clock.now
        let text = try DataFolderExchange.report(ReportRequest(span: .day), format: .text, configuration: config, now: now)
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("SCORE ") }.map(String.init) == online)
        #expect(text.contains("SCORE figure=first-response-median value=10.0 of=1 unit=minutes"))
        let csv = try DataFolderExchange.report(ReportRequest(span: .day), format: .csv, configuration: config, now: now)
        #expect(csv.hasPrefix("period,from,to,figure,value,person,reason,of,unit\r\n"))
        let html = try DataFolderExchange.report(ReportRequest(span: .week), format: .html, configuration: config, now: now)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg") && !html.contains("<script") && !html.contains("http"))
    }

    /// Uploads at once share the server's budget for files (`maxUploadBytes`): the one
    /// that would pass it is read to its dot and refused with `ERR RATE`, nothing
    /// applied; the bytes come back when a file is answered or its sender goes, and
    /// the same file then goes through.
    @Test func uploadsAtOnceShareABudget() throws {
        let server = try TestServer { $0.limits.maxUploadBytes = 3000 }
        func rows(_ prefix: String) -> [String] {
            ["name,phone"] + (0..<100).map { "\(prefix) \($0),555-\(String(1000 + $0))" }
        }
        func held() -> Int { server.server.statistics()?.uploadBytesHeld ?? -1 }
        let first = try server.client("omar")
        first.send("IMPORT leads")
        #expect(first.readLine()?.hasPrefix("IMPORT :send the file now") == true)
        let firstFile = rows("First")
        for line in firstFile { first.send(line) }
        let firstBytes = firstFile.reduce(0) { $0 + $1.utf8.count + 1 }
        #expect(eventually { held() == firstBytes })

        // A second file that does not fit beside it.
        let second = try server.client("ana")
        let refused = Self.importFile(rows("Second"), as: second)
        #expect(refused.last?.hasPrefix("ERR RATE max-bytes=3000 :the server is taking in other imports") == true, "\(refused)")
        #expect(held() == firstBytes)
        #expect(server.server.withDurableBoard { $0.leads.count } == 0)

        // The first is answered; its bytes come back, and the second now goes through.
        first.send(".")
        #expect(first.readThroughCompletion(timeout: 20).last?.hasPrefix("OK IMPORT count=100") == true)
        #expect(eventually { held() == 0 })
        #expect(Self.importFile(rows("Second"), as: second).last?.hasPrefix("OK IMPORT count=100") == true)

        // A sender that goes away mid-file gives its bytes back too.
        let gone = try server.client("ana")
        gone.send("IMPORT leads")
        _ = gone.readLine()
        for line in rows("Gone") { gone.send(line) }
        #expect(eventually { held() > 0 })
        gone.closeNow()
        #expect(eventually { held() == 0 })
        #expect(held() == 0)
    }
}

/// One CSV line's fields (no line breaks inside: our exports have none).
enum CSVLine {
    struct Bad: Error {}
    static func fields(_ line: String) throws -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(c)
            }
        }
        guard !quoted else { throw Bad() }
        return fields + [field]
    }
}

extension LineClient {
    /// Reads lines until one contains `text`.
    func readThroughEvent(containing text: String, timeout: TimeInterval = 20) -> [String] {
        var lines: [String] = []
        while let line = readLine(timeout: timeout) {
            lines.append(line)
            if line.contains(text) { break }
        }
        return lines
    }
}

import Foundation
import LeadlineCore
import LeadlineExchange
import LeadlineJournal
import LeadlineWire

/// `leadlined report`, `leadlined export` and `leadlined import`: the owner's desk
/// straight from a data folder (or a copy of a backup). Reports and exports only read
/// (they work beside a running server); an import takes the folder's lock, like the
/// server, and is refused while it runs (use `leadline import` through it instead).
public enum DataFolderExchange {
    /// How a report is written.
    public enum ReportFormat: String, Sendable, CaseIterable {
        /// `SCORE` lines, as the protocol sends them.
        case text
        case csv
        /// One self-contained page (inline SVG, no scripts).
        case html
    }

    /// The report of `request`, as of `now`, in `format`.
    public static func report(_ request: ReportRequest, format: ReportFormat, configuration: ServerConfiguration,
                              now: Date = Date()) throws(ServerError) -> String {
        let board = try load(configuration, now: now).board
        let business = configuration.policy.business
        let period: ReportPeriod
        do throws(CommandError) {
            period = try request.period(today: business.localDate(now), in: business)
        } catch {
            throw ServerError.configuration(error.message)
        }
        let people: Set<String>?
        do throws(CommandError) {
            people = try board.reportPeople(asked: request.person)
        } catch {
            throw ServerError.configuration("\(error.message) (in \(configuration.dataDirectory))")
        }
        let lines = board.scorecard(period, now: now, people: people)
        switch format {
        case .text:
            let encoder = WireEncoder(zone: configuration.policy.timeZone)
            var out = lines.map { String(decoding: encoder.data(tag: nil, "SCORE", $0.fields), as: UTF8.self) }.joined()
            out += String(decoding: encoder.ok(tag: nil, verb: "REPORT", fields: [
                Field("period", period.span.rawValue), Field("from", period.first.description),
                Field("to", period.last.description), Field("count", lines.count),
            ]), as: UTF8.self)
            return out
        case .csv:
            return ReportCSV.text(lines, period: period)
        case .html:
            let days = period.days(in: business).count <= 31
                ? period.days(in: business).map { ($0, board.scorecard(.day($0), now: now, people: people)) } : []
            let shop = (configuration.dataDirectory as NSString).lastPathComponent
            return ReportPage.html(shop: shop, period: period, lines: lines, days: days,
                                   generated: Timestamp.local(now, in: configuration.policy.timeZone))
        }
    }

    /// Writes the CSV of `request` through `write`, a chunk at a time.
    public static func export(_ request: ExportRequest, configuration: ServerConfiguration, now: Date = Date(),
                              write: (String) -> Void) throws(ServerError) {
        let zone = configuration.policy.timeZone
        let business = configuration.policy.business
        switch request {
        case .leads(let scope, let from, let to):
            let board = try load(configuration, now: now).board
            write(CSV.line(LeadColumn.header) + "\r\n")
            var chunk = ""
            for id in board.leads.keys.sorted() where scope == .all || !board.leads.isStored(id) {
                guard let lead = board.lead(id) else { throw ServerError.configuration(board.missing(id).message) }
                guard scope == .all || lead.isOpen,
                      ExportRequest.contains(lead.createdAt, from: from, to: to, in: business) else { continue }
                chunk += CSV.line(LeadColumn.row(lead, zone: zone)) + "\r\n"
                if chunk.utf8.count > 1 << 16 {
                    write(chunk)
                    chunk = ""
                }
            }
            write(chunk)
        case .events(let from, let to):
            // The history straight from the journal, one pass, nothing kept.
            var board = Board(policy: configuration.policy)
            let folder = DataDirectory(path: configuration.dataDirectory)
            write(CSV.line(EventCSV.header) + "\r\n")
            var chunk = ""
            do {
                _ = try JournalReader.replay(path: folder.journalPath, into: &board, now: now, readOnly: true) { event, _ in
                    guard !event.isPrivate, ExportRequest.contains(event.at, from: from, to: to, in: business) else { return }
                    chunk += CSV.line(EventCSV.row(event, zone: zone)) + "\r\n"
                    if chunk.utf8.count > 1 << 16 {
                        write(chunk)
                        chunk = ""
                    }
                }
            } catch {
                throw ServerError.journal(error)
            }
            write(chunk)
        case .report(let report):
            write(try self.report(report, format: .csv, configuration: configuration, now: now))
        }
    }

    /// Imports the leads of the CSV file at `path` into the stopped server's folder, as
    /// `IMPORT` does: all or nothing, one durable write. Returns the summary, or throws
    /// with every bad row.
    public static func importLeads(path: String, strict: Bool, system: String?, configuration: ServerConfiguration,
                                   now: Date = Date()) throws(ServerError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerError.configuration("cannot read \(path)")
        }
        let folder = DataDirectory(path: configuration.dataDirectory)
        let usedBefore = folder.evidenceOfUse()
        let lock = try DataFolderAdmin.takeLock(folder, for: "leadlined import",
                                                instead: "import through the running server: leadline import leads \(path)")
        defer { withExtendedLifetime(lock) {} }
        let loaded: LoadedShop
        do {
            loaded = try ShopLoader.load(folder, policy: configuration.policy, now: now, readOnly: false, usedBefore: usedBefore) { _ in }
            lock.recordJournal(epoch: loaded.report.header.epoch)
        } catch {
            throw ServerError.journal(error)
        }
        let board = loaded.board
        // The file is the office's: it is imported in the name of the shop's owner.
        guard let importer = board.people.values.filter({ $0.role == .owner }).min(by: { $0.name < $1.name }) else {
            throw ServerError.configuration("\(folder.path) has no owner yet: start the server once, or add one with leadlined user add")
        }
        let records: [CSV.Record]
        do throws(CSV.ParseError) {
            records = try CSV.parse(Array(data))
        } catch {
            throw ServerError.configuration("\(path): \(error)")
        }
        let (at, simulated) = DataFolderAdmin.offlineTime(of: board, now: now)
        let decision: Decision
        switch LeadImportFile.read(records, strict: strict, policy: configuration.policy, now: at).flatMap({ file in
            board.decideImport(file.rows, unreadable: file.problems, from: system ?? file.system, by: importer, at: at)
        }) {
        case .success(let d): decision = d
        case .failure(let everything):
            if let error = everything.aboutTheWholeFile {
                throw ServerError.configuration("\(path): \(error.message); nothing was imported")
            }
            let refusal = everything.ofRows
            let rows = refusal.problems.map { "\(path) line \($0.line): \($0.error.message)" }
            throw ServerError.configuration((rows + ["\(refusal.counted); nothing was imported"]).joined(separator: "\n"))
        }
        try DataFolderAdmin.append(board.stamp(decision.changes, by: importer.name, at: at, simulated: simulated), to: folder)
        return "imported " + String(decoding: WireEncoder.fields(decision.reply, zone: configuration.policy.timeZone), as: UTF8.self)
    }

    private static func load(_ configuration: ServerConfiguration, now: Date) throws(ServerError) -> LoadedShop {
        let folder = DataDirectory(path: configuration.dataDirectory)
        guard FileManager.default.fileExists(atPath: folder.journalPath) else {
            throw ServerError.configuration("\(folder.path) holds no journal: nothing to report")
        }
        do {
            return try ShopLoader.load(folder, policy: configuration.policy, now: now, readOnly: true) { _ in }
        } catch {
            throw ServerError.journal(error)
        }
    }
}

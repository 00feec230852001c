import Dispatch
import Foundation
import LeadlineCore
import LeadlineExchange
import LeadlineWire

/// `EXPORT` and `IMPORT`: leads, the history and reports out as CSV rows, and a CRM's
/// leads file in, all or nothing.
extension Hub {
    // MARK: - EXPORT

    /// `EXPORT`: `CSV :<line>` rows, the header first, then `OK EXPORT rows=<n>`,
    /// written a chunk at a time from this moment's board (or the journal).
    func export(_ request: ExportRequest, tag: String?, to c: Connection) {
        guard let person = c.session.person else { return }
        guard person.role.isSupervisor else {
            c.send(encoder.error(tag: tag, CommandError.denied(
                need: Role.supervisors, "exports hold every customer's details: they are for a \(Role.supervisors.spokenList)")))
            return
        }
        switch request {
        case .leads(let scope, let from, let to):
            exportLeads(scope, from: from, to: to, tag: tag, to: c)
        case .events(let from, let to):
            exportEvents(from: from, to: to, tag: tag, to: c)
        case .report(let report):
            exportReport(report, tag: tag, to: c)
        }
    }

    /// Leads in id order, chosen as they are written, a chunk at a time: nothing is
    /// gathered first, whatever the number of leads.
    private func exportLeads(_ scope: ExportRequest.LeadScope, from: LocalDate?, to: LocalDate?, tag: String?, to c: Connection) {
        let board = shop.durable
        let business = config.policy.business
        let zone = config.policy.timeZone
        // Open leads only: those out of memory are closed, and not read back to be passed over.
        let ids = scope == .all ? board.leads.keys : board.leads.keys.filter { !board.leads.isStored($0) }
        var next = 0
        var rows = 0
        var out = encoder.data(tag: tag, "CSV", text: CSV.line(LeadColumn.header))
        stream(to: c) { [encoder] in
            let end = min(ids.count, next + Self.rowsPerChunk)
            while next < end {
                guard let lead = board.lead(ids[next]) else {
                    // A closed lead whose record cannot be read back: the file ends
                    // short, and says so, rather than passing it over.
                    return (out + encoder.error(tag: tag, board.missing(ids[next])), true)
                }
                if scope == .all || lead.isOpen, ExportRequest.contains(lead.createdAt, from: from, to: to, in: business) {
                    out += encoder.data(tag: tag, "CSV", text: CSV.line(LeadColumn.row(lead, zone: zone)))
                    rows += 1
                }
                next += 1
            }
            var bytes = out
            out = []
            guard next == ids.count else { return (bytes, false) }
            bytes += encoder.ok(tag: tag, verb: "EXPORT", fields: [Field("rows", rows)])
            return (bytes, true)
        }
    }

    /// The history, read back from the journal a chunk at a time up to the last event now.
    private func exportEvents(from: LocalDate?, to: LocalDate?, tag: String?, to c: Connection) {
        let last = shop.durable.lastSeq
        let business = config.policy.business
        let zone = config.policy.timeZone
        var next: UInt64 = 0
        var rows = 0
        var out = encoder.data(tag: tag, "CSV", text: CSV.line(EventCSV.header))
        stream(to: c) { [self] in
            let upTo = min(last, next + UInt64(Self.eventsPerChunk))
            switch shop.events(after: next, through: upTo) {
            case .success(let events):
                for event in events where !event.isPrivate {
                    guard ExportRequest.contains(event.at, from: from, to: to, in: business) else { continue }
                    out += encoder.data(tag: tag, "CSV", text: CSV.line(EventCSV.row(event, zone: zone)))
                    rows += 1
                }
            case .failure(let error):
                return (out + encoder.error(tag: tag, CommandError(
                    .unavailable, "the journal cannot be read after event \(next) (\(error)); try again, or run leadlined check")), true)
            }
            next = upTo
            var bytes = out
            out = []
            guard next >= last else { return (bytes, false) }
            bytes += encoder.ok(tag: tag, verb: "EXPORT", fields: [Field("rows", rows)])
            return (bytes, true)
        }
    }

    // MARK: - IMPORT

    /// `IMPORT leads`: the lines that follow, up to a lone `.`, are the file. Whoever
    /// asks, the lines are taken (so none is read as a request); the answer comes after
    /// the dot.
    func beginImport(strict: Bool, system: String?, tag: String?, from c: Connection) {
        let upload = LeadUpload(tag: tag, strict: strict, system: system)
        if let role = c.session.person?.role, !role.isOffice {
            return refuseImport(CommandError.denied(need: Role.office, "IMPORT is for office roles; you are \(role.rawValue)"),
                                tag: tag, from: c)
        }
        c.session.upload = upload
        c.send(encoder.data(tag: tag, "IMPORT", text:
            "send the file now, a line at a time, then a line holding only a dot (a line of the file that starts with a dot gets one more in front)"))
    }

    /// An `IMPORT` refused at its request line (a role that may not import, or the line
    /// malformed). Said at once; the lines up to the dot are still the file's (a client
    /// may have sent them already), set aside unread, never taken as requests; the dot
    /// is answered with the refusal.
    /// What every refused import's answer ends with.
    static let nothingImported = "; nothing was imported"

    func refuseImport(_ refusal: CommandError, tag: String?, from c: Connection) {
        var upload = LeadUpload(tag: tag, strict: false, system: nil)
        upload.refusal = refusal
        c.session.upload = upload
        c.send(encoder.data(tag: tag, "IMPORT", text:
            "\(refusal.message): nothing will be imported; the lines up to a line holding only a dot are set aside unread"))
    }

    /// A line of an upload in progress.
    func receiveUpload(_ frame: Frame, from c: Connection) {
        guard var upload = c.session.upload else { return }
        // Taken out while it grows: a copy left in the session shared its lines, so
        // every line appended copied all before it (a 50,000-row file took 21 s, and
        // held the queue meanwhile). Put back below.
        c.session.upload = nil
        let file = LeadUpload.Limits()
        switch frame {
        case .line("."):
            c.session.upload = nil
            finishImport(upload, from: c)
            return
        case .line(let text):
            let line = text.hasPrefix(".") ? String(text.dropFirst()) : text
            let size = line.utf8.count + 1
            upload.bytes += size
            if upload.refused {
                break  // refused already: read and dropped
            } else if upload.lines.count >= file.maxLines || upload.bytes > file.maxBytes {
                upload.overflow = true
                releaseUpload(&upload)
            } else if uploadBytesHeld + size > limits.maxUploadBytes {
                upload.crowded = true
                releaseUpload(&upload)
            } else {
                upload.lines.append(line)
                upload.held += size
                uploadBytesHeld += size
            }
        case .tooLong:
            guard !upload.refused else { break }  // nothing more of a refused file is kept
            upload.problems.append(ImportProblem(line: upload.lines.count + 1, error: CommandError(
                .tooLong, fields: [Field("max", limits.maxLine)], "the line is longer than \(limits.maxLine) bytes")))
            upload.lines.append("")
        case .badSyntax(let why, _):
            guard !upload.refused else { break }
            upload.problems.append(ImportProblem(line: upload.lines.count + 1, error: CommandError(.badSyntax, why)))
            upload.lines.append("")
        }
        c.session.upload = upload
    }

    /// Lets go of an upload's lines and their share of ``Limits/maxUploadBytes``: once it
    /// is refused (too big, or too many at once), or answered, or its connection gone.
    func releaseUpload(_ upload: inout LeadUpload) {
        uploadBytesHeld -= upload.held
        upload.held = 0
        upload.lines = []
    }

    private func finishImport(_ received: LeadUpload, from c: Connection) {
        var upload = received
        guard let person = c.session.person else { return releaseUpload(&upload) }
        let tag = upload.tag
        if let tag, let stored = shop.storedReply(person: person.name, tag: tag) {
            // A retry of an import that was applied: answered as before, not applied twice.
            releaseUpload(&upload)
            reply(Array((tag + " " + stored + "\n").utf8), to: c)
            return
        }
        if let refusal = upload.refusal {
            releaseUpload(&upload)
            reply(encoder.error(tag: tag, refusal.adding(Self.nothingImported)), to: c)
            return
        }
        if upload.overflow {
            let file = LeadUpload.Limits()
            reply(encoder.error(tag: tag, CommandError(.tooLong, fields: [Field("max-rows", file.maxLines - 1)],
                "an import holds at most \(file.maxLines - 1) rows and \(file.maxBytes / 1_048_576) MiB; split the file; nothing was imported")), to: c)
            return
        }
        if upload.crowded {
            let most = limits.maxUploadBytes
            let shown = most >= 1 << 20 ? "\(most >> 20) MiB" : "\(most >> 10) KiB"
            reply(encoder.error(tag: tag, CommandError(.rate, fields: [Field("max-bytes", most)],
                "the server is taking in other imports (at most \(shown) at once); nothing was imported; send the file again shortly")), to: c)
            return
        }
        // Read and checked off the hub's queue, on this moment's board; committed here,
        // if nothing was decided meanwhile (else checked again, here).
        let board = shop.speculative
        let policy = config.policy
        let now = shop.stampTime()
        c.session.awaitingReply = true
        DispatchQueue.global(qos: .userInitiated).async { [self, upload] in
            let outcome = Self.decideImport(upload, on: board, by: person, policy: policy, now: now)
            queue.async { [self] in
                var decided = upload
                releaseUpload(&decided)
                guard c.isOpen else { return }
                c.session.awaitingReply = false
                // Others' leads since only move the numbers; a change of people or of who is
                // away (an owner, a backup rule) means deciding again, here (rare).
                let current = shop.speculative
                var result = outcome.map { (current.renumberingImport($0.0), $0.1) }
                if current.people != board.people || current.presence != board.presence {
                    result = Self.decideImport(upload, on: current, by: person, policy: policy, now: now)
                }
                switch result {
                case .failure(let everything):
                    if let error = everything.aboutTheWholeFile {
                        // The file as a whole (a header and no rows): no row to name.
                        reply(encoder.error(tag: tag, error.adding(Self.nothingImported)), to: c)
                        break
                    }
                    let refusal = everything.ofRows
                    var out: [UInt8] = []
                    for problem in refusal.problems {
                        var fields = [Field("line", problem.line)]
                        fields += problem.error.fields
                        out += encoder.data(tag: tag, "BADROW", fields, text: problem.error.message)
                    }
                    let bad = refusal.badRows
                    out += encoder.error(tag: tag, CommandError(.invalid, fields: [Field("rows", bad)],
                        "\(refusal.counted); nothing was imported: fix \(bad == 1 ? "it" : "them") and send the whole file again"))
                    reply(out, to: c)
                case .success(let (decision, unknown)):
                    let note = unknown.isEmpty ? nil : "unknown columns kept in each lead's note: \(unknown.joined(separator: ", "))"
                    commit(decision, at: now, by: person, tag: tag, verb: "IMPORT", from: c, message: note)
                }
                resume(c)
            }
        }
    }

    /// The file read and checked against `board`: the decision and the unknown columns, or every bad row.
    private static func decideImport(_ upload: LeadUpload, on board: Board, by person: Person, policy: Policy,
                                     now: Date) -> Result<(Decision, [String]), ImportRefusal> {
        let records: [CSV.Record]
        do throws(CSV.ParseError) {
            records = try CSV.parse(upload.lines.joined(separator: "\n"))
        } catch {
            return .failure(ImportRefusal(upload.problems + [ImportProblem(line: error.line, error: .invalid(argument: "file", error.message))]))
        }
        switch LeadImportFile.read(records, strict: upload.strict, policy: policy, now: now) {
        case .failure(let refusal):
            return .failure(ImportRefusal(upload.problems + refusal.problems))
        case .success(let file):
            return board.decideImport(file.rows, unreadable: upload.problems + file.problems, from: upload.system ?? file.system,
                                      by: person, at: now).map { ($0, file.unknownColumns) }
        }
    }
}

/// An `IMPORT` whose lines are arriving.
struct LeadUpload {
    let tag: String?
    let strict: Bool
    let system: String?
    var lines: [String] = []
    /// Bytes of the file sent so far, and of them the bytes held in `lines` (counted
    /// in the hub's ``Hub/uploadBytesHeld``).
    var bytes = 0
    var held = 0
    /// Lines that could not be taken (too long, not UTF-8), by line of the file.
    var problems: [ImportProblem] = []
    /// More than the limits: the rest is read and dropped, and the import refused.
    var overflow = false
    /// Other uploads held the server's whole ``Limits/maxUploadBytes``: the rest is read
    /// and dropped, and the import refused with `ERR RATE`.
    var crowded = false
    /// Refused at its request line (asked by someone whose role may not import, or
    /// the line itself malformed: `IMPORT lead`): the file is still read to its dot,
    /// never as requests, dropped, and answered with this.
    var refusal: CommandError?
    /// Refused before its end: what follows is read and dropped.
    var refused: Bool { overflow || crowded || refusal != nil }

    struct Limits {
        /// A header and 100,000 rows.
        let maxLines = 100_001
        let maxBytes = 32 * 1_048_576
    }
}

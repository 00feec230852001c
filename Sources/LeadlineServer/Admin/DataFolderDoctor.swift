import Foundation
import LeadlineCore
import LeadlineJournal

/// `leadlined check` and `leadlined repair`: what an operator runs when start-up says
/// the journal is damaged, or to verify a backup.
///
/// `check` only reads (it works while the server runs) and says, line by line, what
/// is wrong; `repair` takes the folder's lock, sets the damaged lines aside into a
/// quarantine file and keeps the journal as it was beside it (see ``JournalRepair``).
public enum DataFolderDoctor {
    /// The text `check` prints, and whether the folder is sound.
    public static func check(dataDirectory: String, now: Date = Date()) throws(ServerError) -> (text: String, sound: Bool) {
        let folder = DataDirectory(path: dataDirectory)
        let evidence = folder.evidenceOfUse()
        guard FileManager.default.fileExists(atPath: folder.journalPath) else {
            if evidence.files.isEmpty { return ("\(folder.journalPath): there is no journal here yet (a new data folder)", true) }
            return (JournalError.missingInUsedFolder(path: folder.journalPath, evidence: evidence.description).description, false)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: folder.journalPath)[.size] as? Int) ?? 0
        if size == 0, evidence.lockFile || !evidence.files.isEmpty {
            return (JournalError.emptyInUsedFolder(path: folder.journalPath, evidence: evidence.description).description, false)
        }
        let report: SalvageReport
        do {
            report = try JournalSalvage.run(path: folder.journalPath, now: now)
        } catch {
            throw ServerError.journal(error)
        }
        var lines = [heading(folder.journalPath, report)]
        if let unsupported = report.unsupported { return ((lines + [unsupported.description]).joined(separator: "\n"), false) }
        lines += findings(report)
        if !report.tail.isEmpty {
            if (try? JournalCodec.verifyChecksum(report.tail[...])) == true {
                lines.append("the last line lacks only its line break: it is a sound event, and start-up completes it")
            } else {
                lines.append("the last line is incomplete (\(report.tail.count) bytes): a write cut short by a crash, or one in progress; "
                    + "it was never acknowledged, and start-up cuts it off (keeping it beside the journal)")
            }
        }
        if report.unchecked > 0 {
            lines.append("\(report.unchecked) line\(report.unchecked == 1 ? "" : "s") carry no checksum (journal format 1, or written "
                + "by another tool): they read, but a changed byte in them cannot be caught")
        }
        let badSnapshots = checkSnapshots(folder, into: &lines)
        let problems = report.findings.count + badSnapshots
        if problems == 0 {
            lines.append("sound: \(report.lines) lines, \(report.events) events, the last is event \(report.lastSeq)")
        } else if report.findings.isEmpty {
            // Only snapshots: the journal needs no repair, and they are a cache.
            lines.append("the journal is sound (\(report.lines) lines, \(report.events) events, the last is event \(report.lastSeq)); "
                + "\(badSnapshots) snapshot\(badSnapshots == 1 ? " is" : "s are") not usable. Nothing is lost: start-up passes "
                + "\(badSnapshots == 1 ? "it" : "them") over and writes a fresh one. To tidy up, stop the server and delete "
                + "\(JournalSnapshot.folder(of: dataDirectory)).")
        } else {
            lines.append("\(problems) problem\(problems == 1 ? "" : "s") in \(report.lines) lines (\(report.events) events stand). "
                + "With the server stopped, `leadlined repair --data \(dataDirectory)` sets the damaged lines aside "
                + "and keeps a copy of the journal as it is.")
        }
        return (lines.joined(separator: "\n"), problems == 0)
    }

    /// One line per snapshot: sound (which event, how much of the journal), or what is
    /// wrong with it. Returns how many are not usable.
    private static func checkSnapshots(_ folder: DataDirectory, into lines: inout [String]) -> Int {
        var bad = 0
        for file in JournalSnapshot.files(dataDirectory: folder.path) {
            do throws(JournalError) {
                let snapshot = try JournalSnapshot.load(file.path, journalPath: folder.journalPath,
                                                        dataDirectory: folder.path, policy: Policy()).contents
                guard snapshot.board.lastSeq == file.seq else {
                    throw JournalError.io("\(file.path) was not used: it holds event \(snapshot.board.lastSeq), not \(file.seq) as its name says")
                }
                let stored = try checkStoredLeads(snapshot, folder, path: file.path)
                lines.append("\(file.path): sound, the state as of event \(file.seq) (the first \(snapshot.journalLength) bytes "
                    + "of the journal, \(snapshot.board.leads.count) leads, the first \(snapshot.offsets.count) entries of \(JournalOffsetsFile.name), "
                    + "\(stored) closed leads in \(ClosedLeadsFile.name))")
            } catch {
                // Gone since the folder was listed: a server still running thinned it
                // after writing a newer one. Not a problem, and nothing to report.
                guard FileManager.default.fileExists(atPath: file.path) else { continue }
                bad += 1
                lines.append("\(error.description.replacingOccurrences(of: " was not used:", with: ":")); start-up passes this snapshot over "
                    + "(for an older one or the whole journal)")
            }
        }
        return bad
    }

    /// Every record of the closed-leads file the snapshot relies on reads and matches its
    /// checksum, and each lead the snapshot keeps there is the one it names. Returns how
    /// many it keeps there.
    private static func checkStoredLeads(_ snapshot: SnapshotContents, _ folder: DataDirectory, path: String) throws(JournalError) -> Int {
        do throws(JournalError) {
            try ClosedLeadsFile.check(snapshot.closed, dataDirectory: folder.path, decoding: true, keptIn: snapshot.board.leads)
        } catch {
            throw JournalError.io("\(path) was not used: \(error)")
        }
        var stored = 0
        for id in snapshot.board.leads.keys where snapshot.board.leads.isStored(id) {
            guard snapshot.board.lead(id)?.id == id else {
                throw JournalError.io("\(path) was not used: lead \(id) is not where it says in \(ClosedLeadsFile.path(dataDirectory: folder.path))")
            }
            stored += 1
        }
        return stored
    }

    /// Repairs the journal under the folder's lock; the text `repair` prints.
    /// - Parameter force: set aside every line even when none would stand (otherwise
    ///   refused: that is not a damaged Leadline journal but something else).
    public static func repair(dataDirectory: String, force: Bool = false, now: Date = Date()) throws(ServerError) -> String {
        let folder = DataDirectory(path: dataDirectory)
        let size = (try? FileManager.default.attributesOfItem(atPath: folder.journalPath)[.size] as? Int) ?? -1
        guard size > 0 else {
            throw ServerError.configuration("\(folder.journalPath): there is \(size == 0 ? "an empty journal" : "no journal") to repair; "
                + "nothing in it can be recovered here. Restore the journal from a backup.")
        }
        let lock = try DataFolderAdmin.takeLock(folder, for: "leadlined repair", instead: "stop the server first")
        defer { withExtendedLifetime(lock) {} }
        if !force {
            let dry: SalvageReport
            do {
                dry = try JournalSalvage.run(path: folder.journalPath, now: now)
            } catch {
                throw ServerError.journal(error)
            }
            if dry.events == 0, dry.findings.count > 1 {
                throw ServerError.configuration(
                    "\(folder.journalPath): not one of its \(dry.lines) lines reads as a Leadline event, so a repair would keep "
                    + "nothing (\(dry.findings.first?.problem ?? "")). Is this the right file? `leadlined check` lists the problems; "
                    + "restore the journal from a backup, or run `leadlined repair --force` to set every line aside anyway.")
            }
        }
        let result: RepairResult
        do {
            result = try JournalRepair.run(folder: folder, now: now)
        } catch {
            throw ServerError.journal(error)
        }
        let report = result.report
        guard let original = result.original, let quarantine = result.quarantine else {
            return heading(folder.journalPath, report) + "\nnothing to repair: every line reads and fits"
        }
        var lines = [heading(folder.journalPath, report)]
        let setAside = report.findings.filter { $0.line != nil }.count + (report.tail.isEmpty ? 0 : 1)
        lines.append("set aside \(setAside) line\(setAside == 1 ? "" : "s") into \(quarantine):")
        lines += findings(report).map { "  " + $0 }
        if !report.tail.isEmpty { lines.append("  the incomplete last line (\(report.tail.count) bytes, never acknowledged)") }
        lines.append("VOID events stand in for what was set aside or missing, so event numbers stay whole")
        lines.append("the journal as it was is kept at \(original)")
        lines.append("the journal now replays: \(report.events) events, the last is event \(report.lastSeq).")
        let setAsidePeople = report.findings.compactMap(\.content).filter { $0.hasPrefix("PERSON ") }
        if !setAsidePeople.isEmpty {
            lines.append("warning: changes to people were set aside (\(setAsidePeople.count)); check who can log in: leadlined user list --data \(dataDirectory)")
        }
        if !report.people.values.contains(where: { $0.role == .owner }) {
            lines.append("warning: nobody has the owner role now; before starting, add one: leadlined user add NAME --role owner --data \(dataDirectory)")
        } else {
            lines.append("Start the server.")
        }
        return lines.joined(separator: "\n")
    }

    private static func heading(_ path: String, _ report: SalvageReport) -> String {
        guard let header = report.header else { return "\(path):" }
        return "\(path): format version \(header.version), epoch \(header.epoch), started \(Timestamp.utc(header.created))"
    }

    private static func findings(_ report: SalvageReport) -> [String] {
        report.findings.flatMap { finding in
            [finding.summary] + (finding.content.map { ["    it held: " + $0] } ?? [])
        }
    }
}

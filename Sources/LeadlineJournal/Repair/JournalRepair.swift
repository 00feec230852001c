import Foundation
import Glibc
import LeadlineCore

/// What `leadlined repair` did.
public struct RepairResult: Sendable, Equatable {
    public let report: SalvageReport
    /// Where the journal as it was before the repair is kept (nil when nothing changed).
    public let original: String?
    /// Where the set-aside lines went (nil when nothing changed).
    public let quarantine: String?
}

/// `leadlined repair`: sets aside every line that stops the journal from replaying,
/// so the shop is back up in a minute, losing nothing silently.
///
/// The journal as it was is kept beside it (`journal.jsonl.before-repair-<time>`); each
/// set-aside line goes to `journal.quarantine.jsonl` with its line number, the
/// problem, and what it held; `VOID` events keep the sequence numbers whole (see
/// ``JournalSalvage``). The new journal is written beside the old one and renamed into
/// place, so a crash mid-repair leaves the old one. The caller holds the folder's lock.
public enum JournalRepair {
    public static func run(folder: DataDirectory, now: Date) throws(JournalError) -> RepairResult {
        let path = folder.journalPath
        let dry = try JournalSalvage.run(path: path, now: now)
        if let unsupported = dry.unsupported { throw unsupported }
        guard !dry.isClean else { return RepairResult(report: dry, original: nil, quarantine: nil) }

        let stamp = Timestamp.utc(now).replacingOccurrences(of: ":", with: "")
        let temporary = path + ".new"
        let output = try OutputFile(path: temporary)
        var writeError: JournalError?
        let report = try JournalSalvage.run(path: path, now: now) { piece in
            guard writeError == nil else { return }
            do throws(JournalError) {
                switch piece {
                case .line(let bytes): try output.write(bytes)
                case .void(let event): try output.write(JournalCodec.encode(event))
                }
            } catch {
                writeError = error
            }
        }
        if let writeError {
            output.abandon()
            throw writeError
        }
        try output.finish()

        let quarantine = folder.path + "/journal.quarantine.jsonl"
        try appendQuarantine(report, at: quarantine, repaired: now)
        let original = path + ".before-repair-" + stamp
        guard link(path, original) == 0 else {
            unlink(temporary)
            throw JournalError.io("cannot keep a copy of \(path) as \(original): \(errnoText())")
        }
        guard rename(temporary, path) == 0 else {
            throw JournalError.io("cannot put the repaired journal in place: \(errnoText()); it is at \(temporary)")
        }
        DataDirectory.syncDirectory(of: path)
        return RepairResult(report: report, original: original, quarantine: quarantine)
    }

    /// One JSON line per set-aside line: when, which line, why, what it held, and its bytes.
    private static func appendQuarantine(_ report: SalvageReport, at path: String, repaired: Date) throws(JournalError) {
        var out: [UInt8] = []
        var entries = report.findings.filter { $0.line != nil }.map { ($0.line!, $0.offset!, $0.problem, $0.content, $0.original) }
        if !report.tail.isEmpty {
            entries.append((report.lines + 1, -1, "an incomplete last line: a write cut short by a crash, never acknowledged",
                            JournalSalvage.describe(report.tail[...]), report.tail))
        }
        for (line, offset, problem, content, original) in entries {
            FlatJSON.appendKey("repaired", to: &out, first: true)
            FlatJSON.appendString(Timestamp.utc(repaired), to: &out)
            FlatJSON.appendKey("line", to: &out, first: false)
            out.append(contentsOf: String(line).utf8)
            if offset >= 0 {
                FlatJSON.appendKey("offset", to: &out, first: false)
                out.append(contentsOf: String(offset).utf8)
            }
            FlatJSON.appendKey("problem", to: &out, first: false)
            FlatJSON.appendString(problem, to: &out)
            if let content {
                FlatJSON.appendKey("held", to: &out, first: false)
                FlatJSON.appendString(content, to: &out)
            }
            FlatJSON.appendKey("original", to: &out, first: false)
            FlatJSON.appendString(String(decoding: original, as: UTF8.self), to: &out)
            if String(validating: original, as: UTF8.self) == nil {
                FlatJSON.appendKey("original_hex", to: &out, first: false)
                FlatJSON.appendString(original.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined(), to: &out)
            }
            out.append(0x7D)
            out.append(0x0A)
        }
        guard !out.isEmpty else { return }
        let file = try OutputFile(path: path, append: true)
        try file.write(out)
        try file.finish()
        DataDirectory.syncDirectory(of: path)
    }
}

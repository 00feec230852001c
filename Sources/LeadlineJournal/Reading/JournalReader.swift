import Foundation
import Glibc
import LeadlineCore

/// Where a replay begins when a snapshot already holds everything before: the byte
/// and line the snapshot ends at, and the journal's header (read with the snapshot).
public struct ReplayStart: Sendable {
    public let offset: Int
    public let lines: Int
    public let header: JournalHeader

    public init(offset: Int, lines: Int, header: JournalHeader) {
        self.offset = offset
        self.lines = lines
        self.header = header
    }
}

/// What start-up found in the journal.
public struct ReplayReport: Sendable, Equatable {
    public let header: JournalHeader
    /// Events replayed.
    public let events: Int
    /// Bytes of an incomplete last line that were cut off (a torn write), if any.
    public let cutBytes: Int
    /// Whether the journal was created just now.
    public let created: Bool
    /// Where a cut-off incomplete last line was kept.
    public var cutKeptAt: String?
    /// Whether the last line lacked only its line break and was completed.
    public var completedLastLine = false

    public init(header: JournalHeader, events: Int, cutBytes: Int, created: Bool, cutKeptAt: String? = nil,
                completedLastLine: Bool = false) {
        self.header = header
        self.events = events
        self.cutBytes = cutBytes
        self.created = created
        self.cutKeptAt = cutKeptAt
        self.completedLastLine = completedLastLine
    }
}

/// Rebuilds state from the journal on start-up.
///
/// Every complete line must read (its checksum included) and apply in order; a
/// damaged one stops start-up with its line number and leaves the file untouched. An
/// incomplete last line is the trace of a write cut short by a crash: nothing in it
/// was ever acknowledged, so it is cut off (and reported) before the server appends
/// again. A missing journal is created (atomically, so a crash never leaves an empty
/// one); an empty one is taken for a new shop only in a folder never used before.
public enum JournalReader {
    ///
    /// - Parameters:
    ///   - readOnly: read without creating the journal or cutting a torn tail
    ///     (for tools that read while a server may be writing).
    ///   - usedBefore: what in the data folder shows it was used before (see
    ///     ``DataDirectory/evidenceOfUse()``); an empty journal there is refused, and
    ///     so is a missing one beside files only a running shop writes.
    public static func replay(
        path: String, into board: inout Board, now: Date, readOnly: Bool = false, usedBefore: FolderEvidence = FolderEvidence(),
        after start: ReplayStart? = nil, onEvent: (_ event: Event, _ offset: Int) -> Void = { _, _ in }
    ) throws(JournalError) -> ReplayReport {
        var reader = JournalLineReader(path: path)
        if let start { reader.adopt(start.header) }
        var events = 0
        let scanned = try JournalLineScanner.scan(path: path, from: start?.offset ?? 0, lines: start?.lines ?? 0) { (line) throws(JournalError) in
            guard let event = try reader.read(line) else { return }
            do throws(RecordError) {
                try board.apply(event)
            } catch {
                throw reader.damaged(line, error.description)
            }
            onEvent(event, line.offset)
            events += 1
        }
        guard let end = scanned else {
            if start != nil { throw JournalError.io("\(path) is gone") }
            if readOnly { throw JournalError.io("cannot open \(path): no such file") }
            // The lock alone may be left by a first start that failed before its journal
            // existed; anything more means a journal was here and is gone.
            guard usedBefore.files.isEmpty else { throw JournalError.missingInUsedFolder(path: path, evidence: usedBefore.description) }
            return try create(path: path, now: now)
        }
        if readOnly {
            guard let header = reader.header else { throw JournalError.io("\(path) holds no journal yet") }
            return ReplayReport(header: header, events: events, cutBytes: 0, created: false)
        }
        guard let header = reader.header else {
            // Empty, or only a torn header. Our own writes never leave that behind (a
            // journal is created whole, by rename), so in a folder used before it
            // means the journal was lost: refuse rather than start a new shop on it.
            guard usedBefore.isEmpty else { throw JournalError.emptyInUsedFolder(path: path, evidence: usedBefore.description) }
            return try create(path: path, now: now)
        }
        if end.padding > 0 {
            // Room the writer made ahead (a stop that was not clean): not content.
            try truncate(path: path, to: end.completeLength + end.tail.count)
        }
        if !end.tail.isEmpty {
            // A last line whole but for its line break (an editor that drops it) is a
            // sound event: it is completed. Anything else is a write cut short, never
            // acknowledged: it is cut off, and kept beside the journal.
            if let event = try? reader.read(RawLine(number: end.lines + 1, offset: end.completeLength, bytes: end.tail[...])),
               (try? JournalCodec.verifyChecksum(end.tail[...])) == true, (try? board.apply(event)) != nil {
                try append([0x0A], to: path)
                onEvent(event, end.completeLength)
                return ReplayReport(header: header, events: events + 1, cutBytes: 0, created: false, completedLastLine: true)
            }
            let kept = path + ".cut-" + Timestamp.utc(now).replacingOccurrences(of: ":", with: "")
            try DataDirectory.writeAtomically(end.tail, to: kept)
            try truncate(path: path, to: end.completeLength)
            return ReplayReport(header: header, events: events, cutBytes: end.tail.count, created: false, cutKeptAt: kept)
        }
        return ReplayReport(header: header, events: events, cutBytes: 0, created: false)
    }

    /// Appends bytes and syncs.
    private static func append(_ bytes: [UInt8], to path: String) throws(JournalError) {
        let file = try OutputFile(path: path, append: true)
        try file.write(bytes)
        try file.finish()
    }

    /// Writes a new journal holding only its header: to a temporary file, synced, then
    /// renamed into place and the folder synced, so the journal appears whole or not at all.
    private static func create(path: String, now: Date) throws(JournalError) -> ReplayReport {
        let header = JournalHeader.fresh(at: now)
        try DataDirectory.writeAtomically(JournalCodec.encodeHeader(header), to: path)
        return ReplayReport(header: header, events: 0, cutBytes: 0, created: true)
    }

    private static func truncate(path: String, to length: Int) throws(JournalError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path) to cut its tail: \(errnoText())") }
        defer { close(fd) }
        guard ftruncate(fd, off_t(length)) == 0, fsync(fd) == 0 else {
            throw JournalError.io("cannot cut the tail of \(path): \(errnoText())")
        }
    }
}

import CLinux
import Foundation
import LeadlineCore
import LeadlineJournal

/// The shop's state as a data folder holds it: the newest good snapshot, then the
/// journal after it (or the whole journal, when no snapshot stands or the journal does
/// not continue it). The server starts from it; the offline tools (`leadlined report`,
/// `export`) read a folder, or a copy of a backup, the same way, without writing.
struct LoadedShop {
    var board: Board
    var index: JournalIndex
    /// How much of the offsets file the snapshot started from relies on (nothing after
    /// a whole replay: the next snapshot then writes the file from the start).
    var offsets: OffsetsMark
    /// How much of the closed-leads file it relies on (nothing after a whole replay:
    /// the next snapshot starts the file afresh).
    var closed: ClosedLeadsMark
    var report: ReplayReport
    var lastEvent: Event?
    var fromSnapshot: Bool
}

enum ShopLoader {
    /// - Parameters:
    ///   - readOnly: read only (a tool beside a running server): no journal is
    ///     created and a torn tail is left as it is.
    static func load(_ folder: DataDirectory, policy: Policy, now: Date, readOnly: Bool,
                     usedBefore: FolderEvidence = FolderEvidence(),
                     log: (String) -> Void) throws(JournalError) -> LoadedShop {
        var board = Board(policy: policy)
        var index = JournalIndex()
        var offsets = OffsetsMark.empty
        var closed = ClosedLeadsMark.empty
        var start: ReplayStart?
        if FileManager.default.fileExists(atPath: folder.journalPath) {
            for file in JournalSnapshot.files(dataDirectory: folder.path) {
                do throws(JournalError) {
                    let loaded = try JournalSnapshot.load(file.path, journalPath: folder.journalPath,
                                                          dataDirectory: folder.path, policy: policy)
                    let snapshot = loaded.contents
                    board = snapshot.board
                    index = loaded.index
                    offsets = snapshot.offsets
                    closed = snapshot.closed
                    start = ReplayStart(offset: snapshot.journalLength, lines: snapshot.lines, header: snapshot.header)
                    log("loaded the snapshot of event \(snapshot.board.lastSeq) from \(file.path)")
                    break
                } catch {
                    log("warning: \(error); falling back to an older snapshot or the whole journal")
                }
            }
        }
        var lastEvent: Event?
        func replay() throws(JournalError) -> ReplayReport {
            try JournalReader.replay(path: folder.journalPath, into: &board, now: now, readOnly: readOnly,
                                     usedBefore: usedBefore, after: start) { event, offset in
                lastEvent = event
                index.record(seq: event.seq, through: event.voidedThrough, offset: Int64(offset), length: 0)
            }
        }
        let report: ReplayReport
        do {
            report = try replay()
        } catch where start != nil {
            // The journal after the snapshot does not follow from it: the journal wins.
            log("warning: the journal does not continue the snapshot (\(error)); replaying the whole journal")
            (board, index, offsets, closed, start) = (Board(policy: policy), JournalIndex(), .empty, .empty, nil)
            report = try replay()
        }
        if FileManager.default.fileExists(atPath: folder.journalPath) {
            index.setEnd(Int64(try JournalPadding.contentLength(path: folder.journalPath)))
        }
        // Closed leads go out of memory at the next snapshot, and are read back from here.
        if board.leads.store == nil { board.attachStore(ClosedLeadsReader(dataDirectory: folder.path)) }
        // Replay indexed each lead's alerts as of its last event; look from now.
        board.reindexAlerts(asOf: now)
        // Reading (a snapshot's bytes, the journal in chunks) left large freed blocks
        // that glibc keeps; give them back.
        malloc_trim(0)
        return LoadedShop(board: board, index: index, offsets: offsets, closed: closed, report: report, lastEvent: lastEvent,
                          fromSnapshot: start != nil)
    }
}

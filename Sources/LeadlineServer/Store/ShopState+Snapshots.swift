import CLinux
import Dispatch
import Foundation
import LeadlineCore
import LeadlineJournal

/// Snapshots: the durable state, written in the background every so many events, so a
/// restart reads it and replays only the journal after it.
extension ShopState {
    /// Counts durable events; starts a snapshot when enough have passed since the last.
    func countTowardSnapshot(_ events: Int) {
        snapshots.eventsSince += events
        guard snapshots.every > 0, snapshots.eventsSince >= snapshots.every, !snapshots.writing else { return }
        writeSnapshot { _ in }
    }

    /// Writes a snapshot of the durable state now (encoded and written off the hub's
    /// queue); `done` runs on the hub's queue with the file written, or why not.
    func writeSnapshot(done: @escaping @Sendable (Result<String, JournalError>) -> Void) {
        guard !snapshots.writing else {
            done(.failure(.io("a snapshot is being written")))
            return
        }
        snapshots.writing = true
        snapshots.eventsSince = 0
        // Values: the encoder works on this moment's state while the hub goes on.
        let board = durable
        // Exactly where the durable board's last event ends in the journal. (Not the
        // journal's synced length: a group commit's later events are synced but not yet
        // applied while its earlier completions run, and one of those may start this.)
        guard let length = index.span(of: board.lastSeq)?.upperBound ?? (board.lastSeq == 0 ? index.end : nil) else {
            snapshots.writing = false
            done(.failure(.io("event \(board.lastSeq) is not in the journal's index")))
            return
        }
        // Only the offsets added since the last snapshot go to the offsets file: the
        // copy, like the file's write, costs what happened since, not all of history.
        let known = snapshots.offsets
        let knownClosed = snapshots.closed
        guard let newOffsets = index.entries(from: known.count, through: board.lastSeq) else {
            snapshots.writing = false
            let error = JournalError.io("the journal's index cannot be read back from \(JournalOffsetsFile.name) (it was changed under the server)")
            log("warning: no snapshot was written: \(error); the journal holds everything")
            done(.failure(error))
            return
        }
        let header = snapshots.header
        let dataDirectory = snapshots.dataDirectory
        let owner = snapshots.owner
        let started = Date()
        SnapshotSchedule.inBackground { [self] in
            let result = Result { () throws(JournalError) in
                try JournalSnapshot.write(board: board, newOffsets: newOffsets, known: known, knownClosed: knownClosed,
                                          header: header, journalLength: Int(length), dataDirectory: dataDirectory)
            }
            // A big board's snapshot is tens of megabytes; give the pages back now rather
            // than keep them resident until the next one (glibc keeps freed large blocks).
            malloc_trim(0)
            owner.async { [self] in
                snapshots.writing = false
                switch result {
                case .success(let written):
                    snapshots.offsets = written.offsets
                    snapshots.closed = written.closed
                    settleIndex(onto: written.offsets.count, dataDirectory: dataDirectory)
                    // The closed leads it wrote out leave both boards' memory (those
                    // not changed since: a reopened one stays).
                    let gone = letGo(of: written.stored, store: durable.leads.store ?? ClosedLeadsReader(dataDirectory: dataDirectory))
                    log("wrote the snapshot of event \(board.lastSeq) (\(written.bytes / 1024) KiB, "
                        + "\(newOffsets.count) offsets and \(written.stored.count) closed leads, \(gone) of them now out of memory, "
                        + "in \(Int(Date().timeIntervalSince(started) * 1000)) ms) to \(written.path)")
                case .failure(let error):
                    // The offsets file may no longer hold what the mark says (it was
                    // changed under the server): the next snapshot writes it afresh.
                    snapshots.offsets = .empty
                    log("warning: the snapshot of event \(board.lastSeq) was not written (\(error)); the journal holds everything")
                }
                done(result.map(\.path))
            }
        }
    }
}

/// Where and how often snapshots are written, and whether one is under way. Owned by
/// the hub's queue, like the rest of the shop's state.
struct SnapshotSchedule {
    let every: Int
    let header: JournalHeader
    let dataDirectory: String
    let owner: DispatchQueue
    /// How much of the offsets file the newest snapshot relies on: the next one adds
    /// what follows.
    var offsets: OffsetsMark
    /// How much of the closed-leads file the newest snapshot relies on. Unlike the
    /// offsets file's, never started afresh while the server runs: the boards hold
    /// offsets into it.
    var closed: ClosedLeadsMark
    var eventsSince = 0
    var writing = false

    /// Runs `work` (encoding and writing a snapshot) on a thread of its own at the
    /// lowest priority (nice 19): on a server with one CPU, or pinned to one, a big
    /// board's snapshot then takes the CPU only when requests leave it idle, instead of
    /// half of it while it runs (a P4 load stalled about 11 ms per snapshot). A thread
    /// of its own, since a pooled one could not be given its priority back.
    static func inBackground(_ work: @escaping @Sendable () -> Void) {
        let thread = Thread {
            _ = leadline_lower_thread_priority(19)
            work()
        }
        thread.name = "leadline.snapshot"
        thread.start()
    }
}

import Dispatch
import Foundation
import LeadlineCore
import LeadlineJournal
import LeadlineWire

/// The shop's state behind one interface: the two boards, the journal with group
/// commit with the index that finds each event's line again, and the clock. The request handler asks
/// it to decide and commit; it knows nothing of connections, and tells whoever
/// listens (the hub's fan-out) once events are durable.
///
/// Two boards: `speculative` holds every decided change and is what new commands are
/// checked against (so two claims of one lead in the same group commit still conflict);
/// `durable` holds only what the journal has synced, and is what reads, `SINCE` and
/// the broadcast see. A failed write reverts `speculative` to `durable`.
///
/// Confined to the hub's queue, like the connections (hence `@unchecked Sendable`: it
/// is only ever touched there); only the journal's sync and a snapshot's encoding run
/// elsewhere, on values, and hand their results back here.
final class ShopState: @unchecked Sendable {
    let epoch: String
    private(set) var speculative: Board
    private(set) var durable: Board
    let journal: JournalWriter
    /// Where each durable event's line is in the journal, and the reader that fetches
    /// it: history lives on disk, not in memory.
    private(set) var index: JournalIndex
    let history: JournalHistory
    /// When the next snapshot is due, and whether one is being written.
    var snapshots: SnapshotSchedule
    let clock: ServerClock
    let policy: Policy
    let log: @Sendable (String) -> Void
    /// Durable events, in order, with who each concerned, once every change of their
    /// group commit is answered.
    var published: ([Event], [Audience]) -> Void = { _, _ in }
    /// Events of the batch being completed, published when its last change is answered.
    private var unpublished: (events: [Event], audiences: [Audience]) = ([], [])
    /// The number of the last event published: a connection that starts watching now
    /// receives every event after it (`OK WATCH ... last=`), so a client that has shown
    /// nothing yet still knows where to resume from.
    var lastPublishedSeq: UInt64 { unpublished.events.first.map { $0.seq - 1 } ?? durable.lastSeq }
    /// Whether durable events' audiences note who holds their lead (owner, backup,
    /// visit technician): only `WATCH mine` reads that, so the hub turns it on while a
    /// connection watches `mine`. Without it, `WATCH mine` reads the lead's holders
    /// when the event goes out.
    var recordsHolders = false
    /// Notices steps of the real clock (see ``ClockWatch``).
    var clockWatch = ClockWatch()
    /// On the real clock, when the next alert may fall due (nil: look now).
    var nextAlertCheck: Date?
    /// Counts changes to the accounts on the speculative board (a person saved or
    /// removed, or a failed write putting them back): a session whose account was
    /// found unchanged at this count needs no look at it until the count moves.
    private(set) var accountsGeneration = 0

    init(board: Board, epoch: String, journal state: JournalState, queue: DispatchQueue,
         clock: ServerClock, log: @escaping @Sendable (String) -> Void) {
        self.epoch = epoch
        speculative = board
        durable = board
        journal = JournalWriter(storage: state.storage, owner: queue, length: state.index.end)
        index = state.index
        history = state.history
        snapshots = SnapshotSchedule(every: state.snapshotEvery, header: state.header, dataDirectory: state.dataDirectory,
                                     owner: queue, offsets: state.offsets, closed: state.closed)
        self.clock = clock
        policy = board.policy
        self.log = log
        journal.batchFinished = { [unowned self] in publishBatch() }
        journal.slowSync = { seconds in
            log("a journal write and sync took \(String(format: "%.1f", seconds)) s: every change in it waited (a slow or busy disk)")
        }
    }

    /// The index entries a snapshot wrote to the offsets file are read from there from
    /// now on (``JournalIndex/settle(onto:)``): memory holds those since the snapshot.
    func settleIndex(onto entries: Int, dataDirectory: String) {
        do throws(JournalError) {
            index.settle(onto: try OffsetsOnDisk(dataDirectory: dataDirectory, count: entries))
        } catch {
            log("warning: the journal's index stays in memory: \(error)")
        }
    }

    /// Closed leads a snapshot wrote to the closed-leads file leave both boards' memory
    /// (see ``Board/letGo(of:store:)``); returns how many left the durable one.
    func letGo(of written: [ClosedLeadWritten], store: any ClosedLeadStore) -> Int {
        speculative.letGo(of: written, store: store)
        return durable.letGo(of: written, store: store)
    }

    // MARK: - Time

    /// The time to stamp on new events: the injected clock, to the millisecond. Time in
    /// rules is the clock's; order is the sequence number, so a clock that steps back
    /// gives earlier stamps on later events, and nothing is held to a wrong time.
    func stampTime() -> Date {
        Timestamp.truncatedToMillis(clock.now)
    }

    /// Numbers decided changes as the next events on the speculative board, stamped `at`
    /// by the server's clock (and marked as a drill's when that clock is simulated).
    func stamp(_ changes: [Change], by person: String?, at now: Date) -> [Event] {
        let simulated = clock.isSimulated
        return onSpeculative { $0.stamp(changes, by: person, at: now, simulated: simulated) }
    }

    /// The clock stepped back: alerts are indexed afresh from its reading.
    func reindexAlerts(asOf now: Date) {
        speculative.reindexAlerts(asOf: now)
        durable.reindexAlerts(asOf: now)
    }

    // MARK: - Deciding

    /// Decides `command` against everything decided so far (durable or not).
    func decide(_ command: Command, by person: Person?, at now: Date) -> Result<Decision, CommandError> {
        // A closed lead out of memory comes back into both boards first (the same box:
        // held once), so applying the change reads nothing from the store.
        for id in command.leads where speculative.leads.isStored(id) || durable.leads.isStored(id) {
            guard speculative.bringBack(id), durable.bringBack(id) else {
                log("warning: lead \(id)'s record in the closed-leads file cannot be read; run leadlined check")
                return .failure(CommandError(.unavailable, fields: [Field("lead", id)],
                                             "lead \(id) is closed and its record cannot be read back now; nothing was changed"))
            }
            durable.shareLead(id, with: speculative.leads)
        }
        return onSpeculative { $0.decide(command, by: person, at: now) }
    }

    /// Works on the speculative board where it is held: calling a method on the
    /// property itself copied the whole `Board` value (every index in it) each time.
    func onSpeculative<R>(_ body: (inout Board) -> R) -> R { body(&speculative) }

    /// The same for the durable board (reads only: changes reach it when synced).
    /// Why lead `id` is not on the durable board (see ``Board/missing(_:)``).
    func missingLead(_ id: LeadID) -> CommandError { onDurable { $0.missing(id) } }

    private func onDurable<R>(_ body: (inout Board) -> R) -> R { body(&durable) }

    /// The reply a tagged request already got, if this is its retry.
    func storedReply(person: String, tag: String) -> String? {
        onSpeculative { $0.ledger.reply(person: person, tag: tag) }
    }

    /// A person's account as decided so far (a removal or new token counts at once).
    func account(_ name: String) -> Person? {
        onSpeculative { $0.people[name] }
    }

    // MARK: - Committing

    /// Applies `events` speculatively and queues them for the journal. Once they are
    /// synced: applies them durably, runs `answer` (the requester's `OK` goes first),
    /// then publishes them. If the journal fails: reverts, and `answer` gets the error.
    func commit(_ events: [Event], answer: @escaping (Result<Void, JournalError>) -> Void) {
        Self.applyDecided(events, to: &speculative)
        if events.contains(where: { $0.change.changesAccounts }) { accountsGeneration &+= 1 }
        // Each line is encoded straight into the journal's batch, where it starts at
        // the journal's length now plus what this change wrote before it.
        let offset = journal.length
        journal.append(writing: { batch in
            let first = batch.count
            for event in events {
                let start = batch.count
                JournalCodec.encode(event, into: &batch)
                // Numbers of a failed write are reused, and their entries overwritten.
                index.record(seq: event.seq, offset: offset + Int64(start - first), length: batch.count - start)
            }
        }) { [self] result in
            switch result {
            case .success:
                nextAlertCheck = nil
                // The audiences go straight into the batch's list to publish (the
                // events follow once the change is answered).
                let base = unpublished.audiences.count
                for event in events {
                    guard let id = event.lead else {
                        Self.applyDecided(event, to: &durable)
                        unpublished.audiences.append(Audience())
                        continue
                    }
                    if event.change.leavesLeadAsItWas {
                        // A note leaves its lead as it was, on both boards: who held it
                        // before is who holds it now.
                        Self.applyDecided(event, to: &durable)
                        unpublished.audiences.append(recordsHolders
                            ? Audience(unchangedHolders: durable.leads.withLead(id, Audience.holders(of:)) ?? [])
                            : Audience())
                        continue
                    }
                    // (Leads read where the table holds them, not from the board: a
                    // `Board` value read off this object is a copy of every index in it.)
                    let before = durable.leads.withLead(id, Audience.Before.init)
                    Self.applyDecided(event, to: &durable)
                    // Where the two boards agree on the lead again, hold it once.
                    durable.shareLead(id, with: speculative.leads)
                    unpublished.audiences.append(durable.leads.withLead(id) { Audience(before: before, after: $0) }
                                                 ?? Audience(before: before, after: nil))
                }
                if recordsHolders {
                    for i in events.indices {
                        guard let id = events[i].lead else { continue }
                        // A note that ends its request already holds who holds its lead now.
                        if i == events.count - 1, events[i].change.leavesLeadAsItWas { continue }
                        unpublished.audiences[base + i].holders = durable.leads.withLead(id, Audience.holders(of:)) ?? []
                    }
                }
                answer(.success(()))
                unpublished.events += events
                countTowardSnapshot(events.count)
            case .failure(let error):
                speculative = durable
                accountsGeneration &+= 1
                log("journal write failed, change refused: \(error)")
                answer(.failure(error))
            }
        }
    }

    /// Publishes the events a synced batch made durable, all together once every
    /// change in it is answered: a group commit of a hundred notes goes out to each
    /// watcher as one run, in one write.
    private func publishBatch() {
        guard !unpublished.events.isEmpty else { return }
        let (events, audiences) = unpublished
        unpublished = ([], [])
        // Room for a batch like this one (at most 1,024 events: an import's is not kept).
        unpublished.events.reserveCapacity(min(events.count, 1_024))
        unpublished.audiences.reserveCapacity(min(audiences.count, 1_024))
        published(events, audiences)
    }

    /// Calls `body` with the durable board's lead `id` where the board holds it, and
    /// returns what it returns (nil when there is no such lead): a `Board` read off
    /// this object is a copy of it.
    func withDurableLead<R>(_ id: LeadID, _ body: (UnsafePointer<Lead>) -> R) -> R? {
        durable.leads.withLead(id, body)
    }

    /// The numbers of lead `id`'s durable events, oldest first.
    func durableHistory(of id: LeadID) -> [UInt64] {
        onDurable { $0.history(of: id) }
    }

    /// Durable events by number, read back from the journal (a lead's history).
    func historyEvents(_ seqs: [UInt64]) -> Result<[Event], JournalError> {
        Result { () throws(JournalError) in try history.events(seqs, index: index) }
    }

    /// The durable events numbered `seq + 1` through `last`, read back from the journal.
    func events(after seq: UInt64, through last: UInt64) -> Result<[Event], JournalError> {
        guard seq < last else { return .success([]) }
        guard let span = index.span(from: seq + 1, through: last) else {
            return .failure(.io("events \(seq + 1) to \(last) are not in the journal's index"))
        }
        return Result { () throws(JournalError) in try history.events(in: span) }
    }

    /// Runs `done` once everything committed before it is durable (or has failed).
    /// The events of changes before it in its batch are published first, so a reply
    /// that waits this way still follows them (`OK CLOCK` follows the alerts it raised).
    func afterPendingWrites(_ done: @escaping (Result<Void, JournalError>) -> Void) {
        journal.append([]) { [self] result in
            publishBatch()
            done(result)
        }
    }

    /// Runs `done` once nothing is queued or being written.
    func whenIdle(_ done: @escaping () -> Void) {
        journal.whenIdle(done)
    }

    /// Applies events decided against this same state; they cannot fail to apply
    /// unless the program is wrong, and then continuing would corrupt the board.
    static func applyDecided(_ events: [Event], to board: inout Board) {
        for event in events { applyDecided(event, to: &board) }
    }

    static func applyDecided(_ event: Event, to board: inout Board) {
        do {
            try board.apply(event)
        } catch {
            preconditionFailure("a decided event does not apply: \(error)")
        }
    }
}

/// The journal as the shop takes it over at start-up: where to write, where each
/// event already written is, and how to read them back.
struct JournalState {
    let storage: JournalStorage
    let index: JournalIndex
    /// How much of the offsets file the newest snapshot relies on.
    let offsets: OffsetsMark
    /// How much of the closed-leads file the newest snapshot relies on.
    let closed: ClosedLeadsMark
    let history: JournalHistory
    let header: JournalHeader
    let dataDirectory: String
    /// A snapshot every so many events (0: never).
    let snapshotEvery: Int
}

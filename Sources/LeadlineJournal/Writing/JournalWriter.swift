import Dispatch

/// Appends events to the journal with group commit: every append made while a sync
/// is under way joins the next batch, so many requests share one `fdatasync`.
///
/// Called from, and completing on, its owner queue (the server's hub); the writes
/// and syncs run on a queue of their own, never on the socket queue. Completions run
/// in append order. If a batch fails, every append queued behind it fails too: those
/// were decided against state that included the failed batch.
public final class JournalWriter: @unchecked Sendable {
    public typealias Completion = (Result<Void, JournalError>) -> Void

    private let storage: JournalStorage
    private let owner: DispatchQueue
    private let syncQueue = DispatchQueue(label: "leadline.journal.sync")
    // Owned by `owner`:
    private var pendingBytes: [UInt8] = []
    private var pendingCompletions: [Completion] = []
    private var inFlight = false
    private var inFlightCompletions: [Completion] = []
    private var inFlightBytes = 0
    private var idleWaiters: [() -> Void] = []
    /// Where the next append will start in the journal: its length once everything
    /// queued is written (back to the durable length when a batch fails).
    public private(set) var length: Int64
    /// The journal's length as far as it is synced.
    private var durableLength: Int64
    /// Batches written so far, and appends they carried (for the benchmark's numbers).
    public private(set) var batches = 0
    public private(set) var appends = 0
    /// Told (on the owner queue) of a batch whose write and sync took longer than
    /// ``slowSyncSeconds``: every change in it, and every one queued behind it, waited.
    public var slowSync: ((Double) -> Void)?
    public static let slowSyncSeconds = 0.5
    /// How a synced batch's completions reach the owner queue: `owner.async` unless
    /// set (the server hands them to its poll thread, which runs them on the owner
    /// queue in the same turn as the sockets it serves, instead of waking another
    /// thread for them). Set before the first append.
    public var deliver: (@Sendable (@escaping @Sendable () -> Void) -> Void)?
    /// Runs on the owner queue after the completions of each synced batch, so that
    /// what they leave to do once per batch (the server publishes the batch's events
    /// together) is done before anything else.
    public var batchFinished: (() -> Void)?
    /// Whether appends made now are held for ``writeHeld()`` instead of starting a
    /// batch at once (the server holds them while its poll thread serves a turn, so
    /// that every change the turn decides goes to disk as one batch). Nil: never.
    public var holding: (() -> Bool)?
    /// A sync at most this long counts as quick: after one, the next held batch is
    /// written and synced right on the owner's thread, as a single-threaded server
    /// would (no thread to wake and none to wake back: on a busy machine each of those
    /// wake-ups can wait for another process's time slice). After a slower one, batches
    /// go to the sync queue, so that reads are not held up by a slow disk, until a sync
    /// there is quick again.
    public static let quickSyncSeconds = 0.002
    /// Whether the last sync was quick (see ``quickSyncSeconds``).
    public private(set) var disksQuick = true
    /// Batches written and synced on the owner's thread (for tests and the benchmark).
    public private(set) var syncedHere = 0
    /// While ``writeHeld()`` runs, nothing more is held: an append its completions make
    /// starts a batch of its own.
    private var writingHeld = false
    private var holds: Bool { !writingHeld && holding?() == true }

    /// - Parameter length: the journal's length now, where the first append will go.
    public init(storage: JournalStorage, owner: DispatchQueue, length: Int64 = 0) {
        self.storage = storage
        self.owner = owner
        self.length = length
        durableLength = length
    }

    /// Queues `bytes` (possibly empty: a barrier that completes in order) for the journal.
    /// Must be called on the owner queue.
    public func append(_ bytes: [UInt8], completion: @escaping Completion) {
        append(writing: { $0 += bytes }, completion: completion)
    }

    /// Queues what `write` appends to the batch (it writes straight into it, no array
    /// of its own); it must only append. Must be called on the owner queue.
    public func append(writing write: (inout [UInt8]) -> Void, completion: @escaping Completion) {
        dispatchPrecondition(condition: .onQueue(owner))
        let before = pendingBytes.count
        write(&pendingBytes)
        length += Int64(pendingBytes.count - before)
        pendingCompletions.append(completion)
        if !inFlight, !holds { startBatch() }
    }

    /// Whether appends are held, waiting for ``writeHeld()`` (none is being written).
    public var hasHeld: Bool { !inFlight && !pendingCompletions.isEmpty }

    /// Writes what was held (see ``holding``) as one batch: on this thread when syncs
    /// have been quick, completing before it returns; otherwise on the sync queue.
    public func writeHeld() {
        dispatchPrecondition(condition: .onQueue(owner))
        guard !inFlight, !pendingCompletions.isEmpty else { return }
        writingHeld = true
        defer { writingHeld = false }
        startBatch(here: disksQuick)
    }

    /// Whether nothing is queued or being written.
    public var isIdle: Bool { !inFlight && pendingCompletions.isEmpty }

    /// Closes the storage (a clean stop) when nothing is queued or being written; a
    /// write still in flight keeps it open (start-up tidies what it leaves).
    public func closeIfIdle() {
        dispatchPrecondition(condition: .onQueue(owner))
        if isIdle { storage.close() }
    }

    /// Runs `block` on the owner queue once every queued append has completed.
    public func whenIdle(_ block: @escaping () -> Void) {
        dispatchPrecondition(condition: .onQueue(owner))
        if isIdle { block() } else { idleWaiters.append(block) }
    }

    private func startBatch(here: Bool = false) {
        inFlight = true
        let bytes = pendingBytes
        inFlightBytes = bytes.count
        inFlightCompletions = pendingCompletions
        // The next batch is likely the size of this one: room for it at once, rather
        // than a dozen doublings (each a copy, and glibc consolidating its free lists);
        // at most 64 KiB, so that one import's batch is not kept in reserve.
        pendingBytes = []
        pendingBytes.reserveCapacity(min(bytes.count, 64 << 10))
        pendingCompletions = []
        pendingCompletions.reserveCapacity(min(inFlightCompletions.count, 1_024))
        batches += 1
        appends += inFlightCompletions.count
        let storage = self.storage
        guard !here else {
            syncedHere += 1
            let (result, seconds) = Self.write(bytes, to: storage)
            synced(result, seconds: seconds)
            return
        }
        let deliver = self.deliver ?? { [owner] in owner.async(execute: $0) }
        syncQueue.async {
            let (result, seconds) = Self.write(bytes, to: storage)
            deliver { self.synced(result, seconds: seconds) }
        }
    }

    /// Appends `bytes` durably; the result, and how long it took.
    private static func write(_ bytes: [UInt8], to storage: JournalStorage) -> (Result<Void, JournalError>, Double) {
        let started = DispatchTime.now().uptimeNanoseconds
        let result: Result<Void, JournalError>
        do throws(JournalError) {
            try storage.appendDurably(bytes)
            result = .success(())
        } catch {
            result = .failure(error)
        }
        return (result, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    /// A batch is written (on the owner queue): notes how quick the disk was, then
    /// completes it.
    private func synced(_ result: Result<Void, JournalError>, seconds: Double) {
        disksQuick = seconds <= Self.quickSyncSeconds
        if seconds > Self.slowSyncSeconds { slowSync?(seconds) }
        finish(result)
    }

    private func finish(_ result: Result<Void, JournalError>) {
        let completions = inFlightCompletions
        inFlightCompletions = []
        inFlight = false
        var failed = completions
        if case .failure = result {
            failed += pendingCompletions
            length = durableLength
            pendingBytes = []
            pendingCompletions = []
            for completion in failed { completion(result) }
        } else {
            durableLength += Int64(inFlightBytes)
            for completion in completions { completion(result) }
            batchFinished?()
        }
        if !pendingCompletions.isEmpty, !inFlight {
            // Held appends wait for their turn's end (``writeHeld()``).
            if !holds { startBatch() }
        } else if isIdle {
            let waiters = idleWaiters
            idleWaiters = []
            for waiter in waiters { waiter() }
        }
    }
}

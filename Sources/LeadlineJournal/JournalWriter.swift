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
        dispatchPrecondition(condition: .onQueue(owner))
        pendingBytes.append(contentsOf: bytes)
        length += Int64(bytes.count)
        pendingCompletions.append(completion)
        if !inFlight { startBatch() }
    }

    /// Whether nothing is queued or being written.
    public var isIdle: Bool { !inFlight && pendingCompletions.isEmpty }

    /// Runs `block` on the owner queue once every queued append has completed.
    public func whenIdle(_ block: @escaping () -> Void) {
        dispatchPrecondition(condition: .onQueue(owner))
        if isIdle { block() } else { idleWaiters.append(block) }
    }

    private func startBatch() {
        inFlight = true
        let bytes = pendingBytes
        inFlightBytes = bytes.count
        inFlightCompletions = pendingCompletions
        pendingBytes = []
        pendingCompletions = []
        batches += 1
        appends += inFlightCompletions.count
        let storage = self.storage
        let started = DispatchTime.now().uptimeNanoseconds
        let deliver = self.deliver ?? { [owner] in owner.async(execute: $0) }
        syncQueue.async {
            let result: Result<Void, JournalError>
            do {
                try storage.appendDurably(bytes)
                result = .success(())
            } catch let error as JournalError {
                result = .failure(error)
            } catch {
                result = .failure(.io("\(error)"))
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            deliver {
                if seconds > Self.slowSyncSeconds { self.slowSync?(seconds) }
                self.finish(result)
            }
        }
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
            startBatch()
        } else if isIdle {
            let waiters = idleWaiters
            idleWaiters = []
            for waiter in waiters { waiter() }
        }
    }
}

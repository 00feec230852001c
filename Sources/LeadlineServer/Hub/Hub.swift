import Dispatch
import Foundation
import LeadlineCore
import LeadlineJournal
import LeadlineTransport
import LeadlineWire

/// The heart of the server: the connection table, the request handler, fan-out and
/// flushing, over the shop's state (``ShopState``), all on one serial queue.
///
/// Everything here runs on ``queue``; only token hashing (on `authQueue`) and the
/// journal's sync (on the writer's queue) run elsewhere, and they hand back results.
final class Hub: @unchecked Sendable {
    let queue = DispatchQueue(label: "leadline.hub")
    let authQueue = DispatchQueue(label: "leadline.auth")
    let config: ServerConfiguration
    /// The configuration's limits, held apart: read on every request and delivery, and
    /// a plain value (reading `config.limits` copied the whole configuration, strings,
    /// calendar and all, on each delivery).
    let limits: Limits
    let encoder: WireEncoder
    /// The boards, the journal and the clock, behind one interface.
    let shop: ShopState
    var connections: [Int: Connection] = [:]
    /// Connections that have not logged in, with their bounded share (see ``PendingLogins``).
    var pending: PendingLogins
    /// Logins waiting for their token check, by address standing (see ``LoginQueue``).
    var logins: LoginQueue<LoginCheck>
    /// Connections logged in (open or draining).
    var loggedIn = 0
    /// Connections watching `mine`, and `all` (see ``setWatch(_:of:)``): the modes that
    /// take events beyond the board's and the alerts.
    private var watchingMine = 0
    private var watchingAll = 0
    /// Whether some connection may take an event that is neither on the board nor an
    /// alert (a note): without one, publishing passes such events by.
    var someoneWatchesEverything: Bool { watchingMine > 0 || watchingAll > 0 }
    /// Bytes of `IMPORT` files held for every connection sending one (see ``Limits/maxUploadBytes``).
    var uploadBytesHeld = 0
    /// Whether a token check is running on `authQueue` (one at a time).
    var checkingLogin = false
    /// The plaintext listener, and the TLS one if configured.
    var listeners: [Listener] = []
    /// The epoll set every socket is in, whose turns the hub takes (``serve(on:)``).
    var poller: EventPoller?
    private(set) var stopping = false
    /// Whether shutdown has finished; and who waits for it.
    var stopped = false
    var shutdownWaiters: [@Sendable () -> Void] = []
    /// One read buffer shared by every connection (they all read on this queue).
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
    private var nextConnectionID = 1
    private var toFlush: [Connection] = []
    /// Long replies under way, in turn order (see `Hub+LongReplies.swift`).
    var longReplies = TurnQueue<LongReplyTurn>()
    var longReplyTurnScheduled = false
    private var flushPending = false
    var timer: DispatchSourceTimer?
    /// The `HISTORY` lines (untagged) of the events `SHOW` last read: a lead being
    /// worked is shown again and again, and an event's line never changes.
    var shownHistory = RecentlyRead<[UInt8]>(capacity: 8_192)

    init(config: ServerConfiguration, board: Board, header: JournalHeader, journal: JournalState) {
        self.config = config
        limits = config.limits
        encoder = WireEncoder(zone: config.policy.timeZone)
        shop = ShopState(board: board, epoch: header.epoch, journal: journal, queue: queue,
                         clock: config.clock, log: config.log)
        pending = PendingLogins(total: limits.maxUnauthenticated, perAddress: limits.maxUnauthenticatedPerAddress)
        logins = LoginQueue(baseDelay: limits.loginFailureDelay)
        shop.published = { [unowned self] events, audiences in published(events, audiences: audiences) }
    }

    deinit { readBuffer.deallocate() }

    func log(_ line: String) { config.log(line) }

    // MARK: - Connections

    func accept(_ transport: Transport) {
        let id = nextConnectionID
        nextConnectionID += 1
        let connection = Connection(id: id, transport: transport, hub: self, maxLine: limits.maxLine,
                                    now: monotonicSeconds())
        let peer = transport.peer
        connections[id] = connection
        if stopping || connections.count > limits.maxConnections + limits.maxUnauthenticated {
            connection.sayGoodbye("BUSY", stopping ? "the server is shutting down" : "too many connections; try again shortly")
            return
        }
        if let evicted = pending.admit(id, from: peer.limitKey), let old = connections[evicted] {
            old.sayGoodbye("BUSY", "too many connections are waiting to log in; this one waited longest without logging in")
        }
        connection.send(encoder.hello(name: config.name, version: LeadlineVersion.current, epoch: shop.epoch,
                                      maxLine: limits.maxLine))
    }

    func connectionClosed(_ connection: Connection) {
        connections[connection.id] = nil
        setWatch(.none, of: connection)
        if var upload = connection.session.upload {
            releaseUpload(&upload)
            connection.session.upload = nil
        }
        if connection.session.person != nil {
            loggedIn -= 1
        } else {
            pending.remove(connection.id, from: connection.peer.limitKey)
            logins.remove(from: connection.peer.limitKey) { $0.connection === connection }
        }
    }

    /// Sets what a connection watches, keeping count of `WATCH mine` and `WATCH all`
    /// connections: only while some watch `mine` does the shop note who holds each lead
    /// its events touch, and only while some watch either are notes published.
    func setWatch(_ mode: WatchMode, of c: Connection) {
        if c.session.watch == .mine { watchingMine -= 1 }
        if c.session.watch == .all { watchingAll -= 1 }
        if mode == .mine { watchingMine += 1 }
        if mode == .all { watchingAll += 1 }
        c.session.watch = mode
        shop.recordsHolders = watchingMine > 0
    }

    /// Puts a connection on this turn's flush list; one flush per connection per turn.
    /// In a turn of the poll thread the list is written out when the turn ends
    /// (``flushScheduled()``, from the poller's `turnEnded`); otherwise in a turn of
    /// its own.
    func scheduleFlush(_ connection: Connection) {
        toFlush.append(connection)
        guard !flushPending else { return }
        flushPending = true
        guard poller?.servingTurn != true else { return }
        queue.async { [self] in flushScheduled() }
    }

    /// Takes `poller`'s turns: changes decided in a turn of its poll thread go to the
    /// journal as one batch at the turn's end (synced right there while the disk is
    /// quick), then the turn's replies are written; a batch synced on the sync thread
    /// completes in a turn of the poll thread too.
    func serve(on poller: EventPoller) {
        self.poller = poller
        poller.watchFailed = { [config] why in config.log(why) }
        shop.journal.holding = { [unowned poller] in poller.servingTurn }
        shop.journal.deliver = { [weak poller] work in poller?.post(work) }
        poller.turnEnded = { [unowned self] in endTurn() }
    }

    /// The end of a poll thread's turn. Writing replies out can resume a connection's
    /// reading, and its next requests are decided (changes held, replies queued) at
    /// once: go round until nothing is held and nothing waits to be written.
    private func endTurn() {
        var looks = Self.lateArrivalLooks
        repeat {
            if shop.journal.hasHeld { takeLateArrivals(looks: &looks) }
            shop.journal.writeHeld()
            flushScheduled()
        } while shop.journal.hasHeld || flushPending
    }

    /// Before a group commit: the requests that arrived while this turn's were decided
    /// join it. Without this, a client answered early in the last turn whose next
    /// request arrived a moment after the turn looked waited for this commit's sync and
    /// the whole next one (50 clients of durable notes, two looks: p90 1.27 → 0.93 ms,
    /// p99 1.73 → 1.29 ms, 12 % more changes a second). The looks are a budget for the
    /// whole turn, not for each commit in it, so that however the turn goes on (answers
    /// flushed, buffered lines decided, another commit) a client that keeps sending
    /// cannot keep the turn, and the queue, to itself.
    private func takeLateArrivals(looks: inout Int) {
        guard let poller else { return }
        while looks > 0 {
            looks -= 1
            if poller.serveReady() == 0 { return }
        }
    }

    /// How many times a turn looks for late arrivals (``takeLateArrivals(looks:)``).
    static let lateArrivalLooks = 4

    /// Writes out every connection on the flush list.
    private func flushScheduled() {
        guard flushPending else { return }
        flushPending = false
        let batch = toFlush
        toFlush = []
        for c in batch where c.flushQueued { c.flush() }
    }

    /// The request a connection waited on is answered: let it carry on with the next
    /// line, after this turn (so a group commit's completions all run first).
    func resume(_ connection: Connection) {
        connection.session.awaitingReply = false
        nextTurn { connection.processInput() }
    }

    /// Monotonic seconds for timeouts and rate limits: during a turn of the poll
    /// thread, the time the turn began (reading the clock for every request's rate
    /// limit, read and write was 2 % of a change's time); otherwise the clock itself.
    /// A turn is short, its sync included while the disk is quick (a slow disk's syncs
    /// go to the sync thread), so timers read at most that much early.
    func monotonicNow() -> TimeInterval {
        if let poller, poller.servingTurn { return poller.turnStarted }
        return monotonicSeconds()
    }

    /// Runs `work` on a later turn of the queue: the poll thread's next turn when the
    /// hub has one (no thread is woken for it), otherwise a turn of the queue's own.
    func nextTurn(_ work: @escaping @Sendable () -> Void) {
        if let poller { poller.nextTurn(work) } else { queue.async(execute: work) }
    }

    /// Marks the server as stopping: no new requests are read.
    func beginStopping() {
        stopping = true
    }
}

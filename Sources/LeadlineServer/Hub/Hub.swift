import Dispatch
import Foundation
import LeadlineCore
import LeadlineJournal
import LeadlineTransport
import LeadlineWire

/// The heart of the server: it owns the board, the journal writer and every
/// connection, and runs all of them on one serial queue.
///
/// Two boards: `speculative` holds every decided change and is what new commands are
/// checked against (so two claims of one lead in the same group commit still conflict);
/// `durable` holds only what the journal has synced, and is what reads, `SINCE` and
/// the broadcast see. A failed write reverts `speculative` to `durable`.
/// Everything here runs on ``queue``; only token hashing (on `authQueue`) and the
/// journal's sync (on the writer's queue) run elsewhere, and they hand back results.
final class Hub: @unchecked Sendable {
    let queue = DispatchQueue(label: "leadline.hub")
    let authQueue = DispatchQueue(label: "leadline.auth")
    let config: ServerConfiguration
    let encoder: WireEncoder
    let epoch: String
    var speculative: Board
    var durable: Board
    let journal: JournalWriter
    var recent: RecentEvents
    var connections: [Int: Connection] = [:]
    /// Connections that have not logged in, with their bounded share (see ``PendingLogins``).
    var pending: PendingLogins
    /// Logins waiting for their token check, by address standing (see ``LoginQueue``).
    var logins: LoginQueue<LoginCheck>
    /// Connections logged in (open or draining).
    var loggedIn = 0
    /// Whether a token check is running on `authQueue` (one at a time).
    var checkingLogin = false
    var listener: Listener?
    private(set) var stopping = false
    /// Whether shutdown has finished; and who waits for it.
    var stopped = false
    var shutdownWaiters: [@Sendable () -> Void] = []
    /// One read buffer shared by every connection (they all read on this queue).
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
    private var nextConnectionID = 1
    private var toFlush: [Connection] = []
    private var flushPending = false
    /// Notices steps of the real clock (see ``ClockWatch``).
    var clockWatch = ClockWatch()
    var timer: DispatchSourceTimer?
    /// On the real clock, when the next alert may fall due (nil: look now).
    var nextAlertCheck: Date?

    init(config: ServerConfiguration, board: Board, header: JournalHeader, storage: JournalStorage, recent: RecentEvents) {
        self.config = config
        encoder = WireEncoder(zone: config.policy.timeZone)
        epoch = header.epoch
        speculative = board
        durable = board
        journal = JournalWriter(storage: storage, owner: queue)
        self.recent = recent
        pending = PendingLogins(total: config.limits.maxUnauthenticated, perAddress: config.limits.maxUnauthenticatedPerAddress)
        logins = LoginQueue(baseDelay: config.limits.loginFailureDelay)
    }

    deinit { readBuffer.deallocate() }

    func log(_ line: String) { config.log(line) }

    /// The time to stamp on new events: the injected clock, to the millisecond. Time in
    /// rules is the clock's; order is the sequence number, so a clock that steps back
    /// gives earlier stamps on later events, and nothing is held to a wrong time.
    func stampTime() -> Date {
        Timestamp.truncatedToMillis(config.clock.now)
    }

    /// Numbers decided changes as the next events on the speculative board, stamped `at`
    /// by the server's clock (and marked as a drill's when that clock is simulated).
    func stamp(_ changes: [Change], by person: String?, at now: Date) -> [Event] {
        speculative.stamp(changes, by: person, at: now, simulated: config.clock.isSimulated)
    }

    // MARK: - Connections

    func accept(_ transport: Transport) {
        let id = nextConnectionID
        nextConnectionID += 1
        let connection = Connection(id: id, transport: transport, hub: self, maxLine: config.limits.maxLine,
                                    now: monotonicSeconds())
        let peer = transport.peer
        connections[id] = connection
        let limits = config.limits
        if stopping || connections.count > limits.maxConnections + limits.maxUnauthenticated {
            connection.sayGoodbye("BUSY", stopping ? "the server is shutting down" : "too many connections; try again shortly")
            return
        }
        if let evicted = pending.admit(id, from: peer.limitKey), let old = connections[evicted] {
            old.sayGoodbye("BUSY", "too many connections are waiting to log in; this one waited longest without logging in")
        }
        connection.send(encoder.hello(name: config.name, version: LeadlineVersion.current, epoch: epoch,
                                      maxLine: config.limits.maxLine))
    }

    func connectionClosed(_ connection: Connection) {
        connections[connection.id] = nil
        if connection.session.person != nil {
            loggedIn -= 1
        } else {
            pending.remove(connection.id, from: connection.peer.limitKey)
            logins.remove(from: connection.peer.limitKey) { $0.connection === connection }
        }
    }

    /// Puts a connection on this turn's flush list; one flush per connection per turn.
    func scheduleFlush(_ connection: Connection) {
        toFlush.append(connection)
        guard !flushPending else { return }
        flushPending = true
        queue.async { [self] in
            flushPending = false
            let batch = toFlush
            toFlush = []
            for c in batch where c.flushQueued { c.flush() }
        }
    }

    /// The request a connection waited on is answered: let it carry on with the next
    /// line, after this turn (so a group commit's completions all run first).
    func resume(_ connection: Connection) {
        connection.session.awaitingReply = false
        queue.async { connection.processInput() }
    }

    /// Marks the server as stopping: no new requests are read.
    func beginStopping() {
        stopping = true
    }
}

import Dispatch
import Foundation
import LeadlineCore
import LeadlineJournal
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
    var listener: Listener?
    private(set) var stopping = false
    /// One read buffer shared by every connection (they all read on this queue).
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
    private var nextConnectionID = 1
    private var toFlush: [Connection] = []
    private var flushPending = false
    private var lastStamp: Date
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
        lastStamp = recent.last?.at ?? header.created
    }

    deinit { readBuffer.deallocate() }

    func log(_ line: String) { config.log(line) }

    /// The time to stamp on new events: the injected clock, to the millisecond, never
    /// earlier than the last event (so journal times never run backwards).
    func stampTime() -> Date {
        let now = Timestamp.truncatedToMillis(config.clock.now)
        lastStamp = max(lastStamp, now)
        return lastStamp
    }

    // MARK: - Connections

    func accept(fd: Int32, peer: String) {
        let id = nextConnectionID
        nextConnectionID += 1
        let connection = Connection(id: id, fd: fd, peer: peer, hub: self, maxLine: config.limits.maxLine,
                                    now: monotonicSeconds())
        let full = connections.count >= config.limits.maxConnections
        connections[id] = connection
        if stopping || full {
            connection.sayGoodbye("BUSY", stopping ? "the server is shutting down" : "too many connections; try again shortly")
            return
        }
        connection.send(encoder.hello(name: config.name, version: LeadlineVersion.current, epoch: epoch,
                                      maxLine: config.limits.maxLine))
    }

    func connectionClosed(_ connection: Connection) {
        connections[connection.id] = nil
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

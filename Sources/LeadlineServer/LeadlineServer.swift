import Dispatch
import Foundation
import Synchronization
import Glibc
import LeadlineCore
import LeadlineJournal
import LeadlineTransport
import LeadlineWire

/// A Leadline server: open the data folder, replay the journal, listen, serve, stop.
///
/// ```swift
/// let server = LeadlineServer(configuration: ServerConfiguration())
/// try server.start()          // listening on server.port
/// server.stop()               // BYE to everyone, pending syncs finished
/// ```
/// Thread-safe to start and stop from any thread; everything else happens on the
/// hub's queue.
public final class LeadlineServer: @unchecked Sendable {
    public let configuration: ServerConfiguration
    /// The port the server listens on (the bound one, when configured as 0).
    public private(set) var port: UInt16 = 0
    /// The TLS listener's port, if there is one.
    public private(set) var tlsPort: UInt16?
    /// The SHA-256 fingerprint of the certificate the TLS listener shows now.
    public private(set) var tlsFingerprint: String?
    /// Whether this start made a self-signed certificate (its fingerprint is news).
    public private(set) var tlsCertificateCreated = false
    /// What start-up found in the journal.
    public private(set) var replay: ReplayReport?
    /// The token of the `owner` account made at this start because nobody existed yet.
    public private(set) var bootstrapToken: String?
    private var hub: Hub?

    /// The hub while the server runs: nil before `start` and once `stop` has finished.
    var runningHub: Hub? {
        stateLock.lock()
        defer { stateLock.unlock() }
        return hub
    }
    private var lock: DirectoryLock?
    private let stateLock = NSLock()

    public init(configuration: ServerConfiguration) {
        self.configuration = configuration
    }

    /// The name of the account made on a first start.
    public static let bootstrapName = "owner"

    /// Opens and locks the data folder, replays the journal (cutting a torn tail),
    /// creates the first owner account if nobody exists, and starts listening.
    public func start() throws(ServerError) {
        signal(SIGPIPE, SIG_IGN)
        let config = configuration
        let folder = DataDirectory(path: config.dataDirectory)
        let lock: DirectoryLock
        var board = Board(policy: config.policy)
        var lastEvent: Event?
        var index = JournalIndex()
        var offsets = OffsetsMark.empty
        var closed = ClosedLeadsMark.empty
        var fromSnapshot = false
        let report: ReplayReport
        let storage: JournalStorage
        do {
            try folder.create()
            let usedBefore = folder.evidenceOfUse()
            lock = try folder.lock(as: "leadlined serving on \(config.host):\(config.port)")
            let loaded = try ShopLoader.load(folder, policy: config.policy, now: config.clock.now, readOnly: false,
                                             usedBefore: usedBefore, log: config.log)
            (board, index, offsets, closed, report, lastEvent) = (loaded.board, loaded.index, loaded.offsets, loaded.closed,
                                                                  loaded.report, loaded.lastEvent)
            fromSnapshot = loaded.fromSnapshot
            lock.recordJournal(epoch: report.header.epoch)
            storage = try config.journalStorage(folder.journalPath)
        } catch {
            throw ServerError.journal(error)
        }
        if report.cutBytes > 0 {
            config.log("warning: cut \(report.cutBytes) bytes of an incomplete last line from \(folder.journalPath) (a write interrupted by a crash; it was never acknowledged); "
                + "they are kept in \(report.cutKeptAt ?? "?")")
        }
        if report.completedLastLine {
            config.log("warning: the last line of \(folder.journalPath) lacked its line break; it is a sound event, and was completed")
        }
        config.log(report.created
            ? "started a new journal at \(folder.journalPath) (epoch \(report.header.epoch))"
            : "replayed \(report.events) events from \(folder.journalPath)\(fromSnapshot ? " after the snapshot" : "") (epoch \(report.header.epoch))")
        /// Journals changes made at start-up, before anyone connects.
        func record(_ changes: [Change]) throws(ServerError) {
            let events = board.stamp(changes, by: nil, at: Timestamp.truncatedToMillis(config.clock.now),
                                     simulated: config.clock.isSimulated)
            var bytes: [UInt8] = []
            for event in events {
                let line = JournalCodec.encode(event)
                index.record(seq: event.seq, offset: index.end + Int64(bytes.count), length: line.count)
                bytes += line
            }
            do {
                try storage.appendDurably(bytes)
            } catch {
                throw ServerError.journal(error)
            }
            ShopState.applyDecided(events, to: &board)
        }
        let freshFolder = board.people.isEmpty
        let misplaced = config.policy.misplacedNames(among: board.people)
        if !misplaced.isEmpty {
            let list = misplaced.map { "policy.\($0.field) names \($0.name), a technician" }.joined(separator: "; ")
            throw ServerError.configuration("the policy names people who cannot hold callbacks: \(list). Name office roles instead")
        }
        let unknownNames = config.policy.unknownNames(among: board.people)
        if !unknownNames.isEmpty {
            let list = unknownNames.map { "policy.\($0.field) names \($0.name)" }.joined(separator: "; ")
            guard freshFolder else {
                throw ServerError.configuration("the policy names people this data folder does not have: \(list). "
                    + "Fix the names, or add the people first (leadlined user add NAME --role ROLE --data \(config.dataDirectory))")
            }
            config.log("warning: the policy names people who do not exist yet: \(list); leads fall through to the next backup rule until they are added")
        }
        resumeDrill(&board, lastEvent: lastEvent, config: config)
        try checkClockMode(board, config: config)
        // (After the clock's mode is settled: a refused drill start is not warned about first.)
        // (A drill's clock is checked against the folder's lead events above: people
        // added offline by the real clock before it are no sign of a clock gone wrong.)
        if !config.clock.isSimulated, let last = lastEvent, config.clock.now < last.at.addingTimeInterval(-2) {
            config.log("warning: the clock reads \(Timestamp.utc(config.clock.now)), earlier than the last event in the journal "
                + "(\(Timestamp.utc(last.at)), event \(last.seq)); new events follow the clock, and their order the event numbers")
        }
        if board.people.isEmpty {
            let token = TokenHasher.newToken()
            let add = Command.addPerson(name: Self.bootstrapName, role: .owner, tokenHash: TokenHasher.hash(token))
            guard case .success(let decision) = board.decide(add, by: nil, at: config.clock.now) else {
                throw ServerError.configuration("cannot create the first owner account")
            }
            try record(decision.changes)
            bootstrapToken = token
        }
        let history: JournalHistory
        do {
            history = try JournalHistory(path: folder.journalPath)
        } catch {
            throw ServerError.journal(error)
        }
        let hub = Hub(config: config, board: board, header: report.header,
                      journal: JournalState(storage: storage, index: index, offsets: offsets, closed: closed, history: history,
                                            header: report.header,
                                            dataDirectory: config.dataDirectory, snapshotEvery: config.limits.snapshotEveryEvents))
        // Alerts that fell due while the server was down are raised, durably, before
        // anyone connects: a client then finds them all in SINCE, none twice.
        let caughtUp = DispatchSemaphore(value: 0)
        hub.queue.async {
            hub.shop.raiseDueAlerts()
            if !unknownNames.isEmpty {
                let shop = hub.shop
                shop.commit(shop.stamp([shop.speculative.unknownPolicyNamesAlert(unknownNames)], by: nil, at: shop.stampTime())) { _ in }
            }
            hub.shop.whenIdle { caughtUp.signal() }
        }
        caughtUp.wait()
        var certificate: ServerCertificate?
        if let tls = config.tls {
            certificate = try ServerCertificate.load(tls, dataDirectory: config.dataDirectory, create: true)
        }
        let opened: Result<[Listener], ServerError> = hub.queue.sync {
            Result { () throws(ServerError) -> [Listener] in
                let onAccept: @Sendable (Transport) -> Void = { [unowned hub] transport in hub.accept(transport) }
                let poller: EventPoller
                do throws(SocketError) {
                    poller = try EventPoller(queue: hub.queue, spin: config.limits.pollSpin)
                } catch {
                    throw ServerError.listen(error.description)
                }
                var listeners = [try Listener(host: config.host, port: config.port, tls: nil, poller: poller, config: config,
                                              onAccept: onAccept)]
                if let tls = config.tls, let certificate {
                    do throws(ServerError) {
                        listeners.append(try Listener(host: tls.host, port: tls.port, tls: certificate.context, poller: poller,
                                                      config: config, onAccept: onAccept))
                    } catch {
                        listeners[0].cancel()
                        throw error
                    }
                }
                hub.listeners = listeners
                hub.serve(on: poller)
                hub.startTimer()
                // The events replayed after the last snapshot count toward the next: after a
                // long replay one is written at once, in the background, so the next start
                // does not replay them again.
                hub.shop.countTowardSnapshot(report.events)
                return listeners
            }
        }
        let listeners = try opened.get()
        stateLock.lock()
        self.hub = hub
        self.lock = lock
        self.replay = report
        self.port = listeners[0].port
        self.tlsPort = listeners.count > 1 ? listeners[1].port : nil
        self.tlsFingerprint = certificate?.fingerprint
        self.tlsCertificateCreated = certificate?.created ?? false
        stateLock.unlock()
        config.log("listening on \(Endpoint(host: config.host, port: listeners[0].port)), data in \(config.dataDirectory)")
        // Only a start that serves says which config the shop runs on: a refused one
        // (a drill on real work, a bad policy) leaves the record as it was.
        folder.recordServedConfig(config.configPath)
        if !Peer(address: config.host, port: 0).isLoopback {
            config.log("warning: the plaintext listener on \(config.host) is reachable from the network: tokens and customers' "
                + "details cross it in the clear. Keep plaintext on --host 127.0.0.1 and give everyone else TLS (--tls-listen)")
        }
        if let certificate, listeners.count > 1 {
            config.log("listening for TLS on \(Endpoint(host: listeners[1].host, port: listeners[1].port)) with "
                + (certificate.created ? "a new self-signed certificate in " : "the certificate in ") + certificate.source
                + ", SHA-256 fingerprint \(certificate.fingerprint)")
        }
    }

    /// The fingerprint of the certificate a TLS listener with `settings` shows (for
    /// `leadlined tls fingerprint`; a self-signed one must have been made already).
    public static func certificateFingerprint(_ settings: TLSSettings, dataDirectory: String) -> Result<String, ServerError> {
        Result { () throws(ServerError) -> String in
            try ServerCertificate.fingerprint(settings, dataDirectory: dataDirectory)
        }
    }

    /// Reads the TLS certificate and key again (SIGHUP: a renewed certificate). New
    /// connections get the new pair; open ones keep theirs. A pair that does not load
    /// is refused with the reason, and the old one keeps serving.
    /// - Returns: the new certificate's fingerprint.
    @discardableResult
    public func reloadCertificate() -> Result<String, ServerError> {
        let hub = runningHub
        let config = configuration
        guard let hub, let tls = config.tls else {
            return .failure(.configuration("this server has no TLS listener (--tls-listen) to reload"))
        }
        let result = Result { () throws(ServerError) -> ServerCertificate in
            try ServerCertificate.load(tls, dataDirectory: config.dataDirectory, create: false)
        }
        switch result {
        case .success(let certificate):
            hub.queue.sync {
                for listener in hub.listeners where listener.tls != nil { listener.tls = certificate.context }
            }
            stateLock.lock()
            tlsFingerprint = certificate.fingerprint
            stateLock.unlock()
            config.log("reloaded the TLS certificate from \(certificate.source), SHA-256 fingerprint \(certificate.fingerprint); "
                + "open connections keep the one they started with")
            return .success(certificate.fingerprint)
        case .failure(let error):
            config.log("the TLS certificate was not reloaded, the one loaded before keeps serving: \(error)")
            return .failure(error)
        }
    }

    /// `--clock sim` without `--start` on a drill's folder: the clock goes back to where
    /// the drill stopped (the latest of its lead events, its last event if a simulated
    /// clock stamped it, and — unless the folder is a copy of real work, whose sweeps the
    /// real clock may have run — its last sweep and review), and the alerts are indexed
    /// from there. `CLOCK ADVANCE` itself is not journaled, so a drill advanced past its
    /// last event resumes at that event: nothing due in between is skipped.
    private func resumeDrill(_ board: inout Board, lastEvent: Event?, config: ServerConfiguration) {
        // (A drill with no lead yet, its owner made on its first start, is known by that.)
        let simulatedLast = lastEvent.flatMap { $0.simulated ? $0.at : nil }
        guard config.resumeDrill, case .simulated(let clock) = config.clock,
              let drill = board.drillStoppedAt ?? simulatedLast else { return }
        let stopped = max(drill, simulatedLast ?? drill)
        clock.set(stopped)
        board.reindexAlerts(asOf: stopped)
        config.log("the drill resumes where it stopped: \(Timestamp.local(stopped, in: config.policy.timeZone)) (give --start to start elsewhere)")
    }

    /// A drill (a simulated clock) never runs on real work, and a shop never runs on a
    /// drill's leads: each journaled event says which clock stamped it. A simulated
    /// start on a folder that holds lead events stamped by the real clock is refused
    /// (unless it is a copy made for the drill, `--drill-copy`), and so is one earlier
    /// than the folder's last lead event; a real start on a drill's folder is refused.
    private func checkClockMode(_ board: Board, config: ServerConfiguration) throws(ServerError) {
        let zone = config.policy.timeZone
        let dir = config.dataDirectory
        if config.clock.isSimulated {
            if let last = board.lastRealWork, !config.drillCopy {
                throw ServerError.configuration(
                    "\(dir) holds real work (lead events stamped by the real clock, the last at \(Timestamp.local(last, in: zone))); "
                    + "a drill on a simulated clock would mix with it. Run the drill on a copy: "
                    + "cp -r \(dir) /tmp/leadline-drill && leadlined --data /tmp/leadline-drill --clock sim --drill-copy --start ...")
            }
            if let last = [board.lastRealWork, board.lastDrillWork].compactMap({ $0 }).max(), config.clock.now < last {
                throw ServerError.configuration(
                    "the simulated clock would start at \(Timestamp.local(config.clock.now, in: zone)), before the last lead event in \(dir) "
                    + "(\(Timestamp.local(last, in: zone))); time does not run backwards: --start at that time or later")
            }
        } else if let drill = board.lastDrillWork {
            throw ServerError.configuration(
                "\(dir) holds a drill's leads (stamped by a simulated clock, the last at \(Timestamp.local(drill, in: zone))); "
                + "a shop starts on a fresh data folder. To go on with the drill, start with --clock sim.")
        }
    }

    /// Stops gracefully and waits: no new connections or requests, pending syncs
    /// finished and answered, `BYE` to everyone, the data folder unlocked.
    /// Writes a snapshot of the durable state now and waits for it: the path written,
    /// or why not. (The server also writes one by itself every
    /// ``Limits/snapshotEveryEvents`` events.)
    @discardableResult
    public func writeSnapshot() -> Result<String, JournalError> {
        let hub = runningHub
        guard let hub else { return .failure(.io("the server is not running")) }
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<String, JournalError>>(.failure(.io("no snapshot")))
        hub.queue.async {
            hub.shop.writeSnapshot { result in
                outcome.withLock { $0 = result }
                done.signal()
            }
        }
        done.wait()
        return outcome.withLock { $0 }
    }

    public func stop() {
        let done = DispatchSemaphore(value: 0)
        stop { done.signal() }
        done.wait()
    }

    /// Stops gracefully; `completion` runs (on another queue) once stopped.
    public func stop(completion: @escaping @Sendable () -> Void) {
        let hub = runningHub
        guard let hub else {
            completion()
            return
        }
        hub.queue.async {
            hub.shutdown { [self] in
                stateLock.lock()
                let first = self.hub === hub
                if first {
                    self.hub = nil
                    self.lock = nil
                }
                stateLock.unlock()
                if first { configuration.log("stopped") }
                completion()
            }
        }
    }

    /// Connects to this server through memory instead of a socket: the server serves
    /// the connection exactly as one accepted from its listener (greeting, login,
    /// limits, fan-out), and the caller holds the other end. For tests and tools that
    /// need neither ports nor the network. Nil when the server is not running.
    /// - Parameter peer: the address the server sees (for per-address limits and logs).
    public func connectInMemory(as peer: Peer = Peer(address: "127.0.0.1", port: 0)) -> MemoryStream? {
        let hub = runningHub
        guard let hub else { return nil }
        let pipe = MemoryPipe()
        pipe.server.deliver(on: hub.queue)
        let end = pipe.server
        hub.queue.async { hub.accept(Transport(stream: end, events: end, peer: peer, isSecure: false)) }
        return pipe.client
    }

    /// Runs `body` on the hub queue with the durable board (for tests and tools).
    public func withDurableBoard<T: Sendable>(_ body: @Sendable (Board) -> T) -> T? {
        let hub = runningHub
        return hub?.queue.sync { body(hub!.shop.durable) }
    }

    /// Moves a simulated clock to `target` (as `CLOCK ADVANCE` does) and waits until
    /// every alert raised on the way is durable and broadcast.
    public func advanceClock(to target: Date) {
        let hub = runningHub
        guard let hub else { return }
        let done = DispatchSemaphore(value: 0)
        hub.queue.async {
            hub.shop.advanceSimulatedClock(to: Timestamp.truncatedToMillis(target)) { _ in done.signal() }
        }
        done.wait()
    }

    /// Counters of a running server, for tests and tools.
    public struct Statistics: Sendable {
        /// Connections open (logged in or not).
        public let connections: Int
        /// Connections that have not logged in.
        public let waitingToLogIn: Int
        /// Logins waiting for their token check.
        public let loginChecksQueued: Int
        /// Journal batches written (each one `fdatasync`), and the appends they carried.
        public let batches: Int
        public let appends: Int
        /// Bytes of `IMPORT` files held while they arrive or are checked.
        public let uploadBytesHeld: Int
    }

    /// A running server's counters.
    public func statistics() -> Statistics? {
        let hub = runningHub
        return hub?.queue.sync {
            Statistics(connections: hub!.connections.count, waitingToLogIn: hub!.pending.count,
                       loginChecksQueued: hub!.logins.count, batches: hub!.shop.journal.batches, appends: hub!.shop.journal.appends,
                       uploadBytesHeld: hub!.uploadBytesHeld)
        }
    }
}

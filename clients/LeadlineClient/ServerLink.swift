import Dispatch
import Foundation
import Glibc
import LeadlineTransport
import LeadlineWire

/// The client's connection to the server, which never loses an event.
///
/// It tags every request and matches replies by tag; answers the server's keepalives;
/// notices a dead line (nothing heard for two keepalive periods) and reconnects with
/// backoff; logs in again, restores `WATCH`, and resumes with `SINCE` from the last
/// event it delivered — holding back live events until that replay is done, so
/// nothing is missed and nothing is shown twice; and re-sends the requests that were
/// in flight with their original tags, so a state change is not applied twice.
///
/// Everything runs on ``queue``; callbacks are called there too, so a session built
/// on the same queue needs no locks.
public final class ServerLink: @unchecked Sendable {
    public struct Options: Sendable {
        public var address: ServerAddress
        public var user: String
        public var token: String
        /// `WATCH` mode after each login; nil keeps the server's default (`board`).
        public var watch: String?
        /// Seconds of silence after which the server should send `PING` (0: off).
        public var keepalive: Int = 15
        /// Give up after this many failed connections in a row (nil: never).
        public var maxAttempts: Int?
        /// Give up when the line has been down this many seconds (nil: never): a script's
        /// one request should not wait for ever on a server that is gone.
        public var giveUpAfter: Double?
        /// For a `tls://` address: whose certificates to accept.
        public var tls = TLSOptions()

        public init(address: ServerAddress, user: String, token: String) {
            self.address = address
            self.user = user
            self.token = token
        }
    }

    /// Which certificates a TLS link accepts: one signed for the host by an authority
    /// the system trusts (or one in `caFile`), or the one with the `pinned` fingerprint.
    public struct TLSOptions: Sendable, Equatable {
        public var caFile: String?
        public var pinned: String?
        public init(caFile: String? = nil, pinned: String? = nil) {
            self.caFile = caFile
            self.pinned = pinned
        }
    }

    /// A request's answer: its data rows and its final `OK`/`ERR`, with their text
    /// as sent (minus the tag), for display.
    public struct Reply: Sendable {
        public let rows: [ServerLine]
        public let final: ServerLine
        public let texts: [String]
        public var isOK: Bool { if case .ok = final { true } else { false } }
    }

    public enum Status: Sendable {
        case connecting(ServerAddress)
        /// Logged in; `resumed` is how many missed events SINCE replayed.
        case connected(epoch: String, resumed: Int?)
        case lost(String, retryIn: TimeInterval)
        /// Events were missed that the server no longer keeps (or its journal restarted):
        /// a view built from events should reload.
        case gap(String)
        case failed(String)
    }

    public let queue: DispatchQueue
    public let options: Options
    public var onEvent: (ServerLine) -> Void = { _ in }
    public var onStatus: (Status) -> Void = { _ in }

    private enum Phase { case idle, connecting, greeting, handshake, ready, stopped }
    private struct Request {
        let tag: String
        let line: String
        /// Lines sent right after the request (an `IMPORT`'s file, ended by its dot).
        var payload: [String] = []
        var rows: [ServerLine] = []
        var texts: [String] = []
        let completion: (Result<Reply, LinkError>) -> Void
    }

    private var phase = Phase.idle
    private var connection: LinkConnection?
    private var source: DispatchSourceRead?
    /// The TLS settings every connection of a `tls://` link starts from (made once).
    private var tlsContext: TLSContext?
    private var framer = LineFramer(maxLine: 1 << 24)
    /// The last event delivered: where `SINCE` resumes.
    public private(set) var lastSeq: UInt64 = 0
    private var epoch: String?
    private var counter = 0
    /// Tags are unique per session (`@k3j9x2ab-17`): the server remembers a person's
    /// tagged changes to answer retries, so two sessions must never reuse a tag.
    private let session: String = {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<10).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] })
    }()
    private var requests: [Request] = []
    private var control: [String: (ServerLine) -> Void] = [:]
    private var sinceTag: String?
    private var resumed = 0
    private var failures = 0
    /// When the current run of failed connections began.
    private var downSince: Date?
    private var lastHeard = Date()
    /// Whether a silent greeting was answered with a PING (see ``startTimer()``).
    private var nudged = false
    private var generation = 0
    private var timer: DispatchSourceTimer?

    public init(options: Options, queue: DispatchQueue = DispatchQueue(label: "leadline.client")) {
        self.options = options
        self.queue = queue
    }

    // MARK: - Public

    public func start() {
        queue.async { self.connect() }
    }

    public func stop() {
        queue.async {
            self.phase = .stopped
            self.teardown()
            self.timer?.cancel()
        }
    }

    /// Sends `line` (tagged by the link); `completion` gets its reply, after any number
    /// of reconnections, or the reason the link gave up. Call on ``queue``.
    ///   - payload: lines that follow the request line (an `IMPORT`'s file); sent again
    ///     with it after a reconnection.
    public func send(_ line: String, payload: [String] = [], completion: @escaping (Result<Reply, LinkError>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        // One protocol line: a line break would send what follows it as a request of its own.
        guard Self.isOneLine(line), payload.allSatisfy(Self.isOneLine) else {
            completion(.failure(LinkError("a request is one line, and this one holds a line break; nothing was sent")))
            return
        }
        counter += 1
        let request = Request(tag: "@\(session)-\(counter)", line: line, payload: payload, completion: completion)
        requests.append(request)
        if phase == .ready { write(request) }
    }

    /// Whether `text` fits on one protocol line: no LF or CR in it.
    public static func isOneLine(_ text: String) -> Bool {
        !text.contains { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
    }

    /// The words that end a session at the prompt (the server answers `QUIT` with `BYE`).
    public static let sessionEnders: Set<String> = ["QUIT", "EXIT", "BYE"]

    /// Goodbyes that trying again cannot mend: a login refused, the wrong port for
    /// plaintext or for TLS, a PROXY header from an address the server does not trust.
    /// The link stops with the server's own words (which say what to do) instead of
    /// retrying until it gives up with "cannot reach".
    static let finalGoodbyes: Set<String> = ["AUTH", "TLS", "PROXY"]

    /// The verb whose request is followed by a file's lines and a lone dot: sent as
    /// one request with its ``send(_:payload:completion:)`` payload, never line by line
    /// (each line would be tagged and wait for an answer of its own).
    public static let uploadVerb = "IMPORT"

    /// A request line's verb, in capitals, as the server reads it (blanks are spaces
    /// and tabs); nil for a blank line.
    public static func verb(of line: String) -> String? {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map { $0.uppercased() }
    }

    /// Whether the link is logged in and caught up.
    public var isReady: Bool { phase == .ready }

    // MARK: - Connecting

    private func connect() {
        guard phase != .stopped else { return }
        phase = .connecting
        generation += 1
        let current = generation
        onStatus(.connecting(options.address))
        let address = options.address
        var context: TLSContext?
        if address.secure {
            do {
                context = try tlsContext ?? TLSContext.client(caFile: options.tls.caFile)
                tlsContext = context
            } catch {
                fail("TLS: \(error)")
                return
            }
        }
        DispatchQueue.global().async { [context] in
            let result = Result { () throws(LinkError) in try LinkConnection.open(address, tls: context, timeout: 5) }
            self.queue.async {
                guard current == self.generation, self.phase == .connecting else {
                    if case .success(let connection) = result { self.discard(connection) }
                    return
                }
                switch result {
                case .success(let connection):
                    if let verification = connection.verification,
                       let refusal = ServerTrust.refusal(verification, pinned: self.options.tls.pinned, address: address) {
                        self.discard(connection)
                        self.fail(refusal)
                    } else {
                        self.attach(connection)
                    }
                case .failure(let error):
                    self.lost(error.description)
                }
            }
        }
    }

    /// Closes a connection the link will not use.
    private func discard(_ connection: LinkConnection) {
        connection.close()
        connection.socket.close()
    }

    private func attach(_ connection: LinkConnection) {
        self.connection = connection
        framer = LineFramer(maxLine: 1 << 24)
        phase = .greeting
        nudged = false
        lastHeard = Date()
        let socket = connection.socket
        let source = DispatchSource.makeReadSource(fileDescriptor: socket.fd, queue: queue)
        let current = generation
        source.setEventHandler { [weak self] in
            guard let self, current == self.generation else { return }
            self.readable()
        }
        source.setCancelHandler { socket.close() }
        source.activate()
        self.source = source
        startTimer()
        // TLS may already hold the greeting, read during the handshake.
        if connection.stream.hasBufferedInput { readable() }
    }

    private func teardown() {
        connection?.close()
        source?.cancel()
        source = nil
        connection = nil
        control = [:]
        sinceTag = nil
    }

    private func lost(_ reason: String) {
        guard phase != .stopped else { return }
        teardown()
        phase = .idle
        failures += 1
        let down = downSince ?? Date()
        downSince = down
        var delay = min(10, 0.25 * pow(2, Double(failures - 1))) * Double.random(in: 0.8...1.2)
        // The time `giveUpAfter` leaves: the last try is made when it ends (a try due
        // after it would have given up up to ten seconds early).
        let remaining = options.giveUpAfter.map { $0 - Date().timeIntervalSince(down) }
        if let remaining { delay = min(delay, max(0, remaining)) }
        if remaining.map({ $0 <= 0 }) == true || options.maxAttempts.map({ failures >= $0 }) == true {
            fail("\(reason) (gave up after \(failures) attempt\(failures == 1 ? "" : "s"))")
            return
        }
        onStatus(.lost(reason, retryIn: delay))
        let current = generation
        queue.asyncAfter(deadline: .now() + delay) {
            guard current == self.generation, self.phase == .idle else { return }
            self.connect()
        }
    }

    private func fail(_ reason: String) {
        phase = .stopped
        teardown()
        timer?.cancel()
        let waiting = requests
        requests = []
        // The failure is told first: a session that ends on it (every one does) ends with
        // its reason and status 3, not as if its requests had simply run out.
        onStatus(.failed(reason))
        for request in waiting { request.completion(.failure(LinkError(reason))) }
    }

    /// The dead-line watch: with keepalives on, two silent periods mean the line is gone.
    private func startTimer() {
        guard timer == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            let silence = Date().timeIntervalSince(self.lastHeard)
            switch self.phase {
            case .greeting, .handshake:
                if silence > 10 {
                    self.lost("the server did not answer")
                } else if self.phase == .greeting, silence > 1, !self.nudged, self.connection?.verification == nil {
                    // A Leadline port greets at once; one that stays silent may be the TLS
                    // port, which waits for a handshake. An untagged PING (allowed before
                    // login; its answer is passed over) makes it say so: BYE TLS, with
                    // the address to use.
                    self.nudged = true
                    self.write("PING")
                }
            case .ready:
                let k = self.options.keepalive
                if k > 0, silence > Double(2 * k + 5) { self.lost("no word from the server for \(Int(silence)) s") }
            default:
                break
            }
        }
        timer.activate()
        self.timer = timer
    }

    // MARK: - Reading

    private func readable() {
        guard let stream = connection?.stream else { return }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        reading: while true {
            switch chunk.withUnsafeMutableBytes({ stream.read(into: $0) }) {
            case .done(let n):
                framer.append(chunk[0..<n])
                if n < chunk.count && !stream.hasBufferedInput { break reading }
            case .wouldBlock, .wantsRead:
                break reading
            case .end:
                drainLines()
                lost("the server closed the connection")
                return
            case .failed(let why):
                lost("the connection failed: \(why)")
                return
            }
        }
        drainLines()
    }

    private func drainLines() {
        let current = generation
        while current == generation, phase != .stopped, let frame = framer.next() {
            if case .line(let text) = frame { handle(text) }
        }
    }

    private func handle(_ text: String) {
        lastHeard = Date()
        let line = ServerLine.parse(text)
        switch line {
        case .ping(let n):
            write("PONG \(n)")
        case .bye(let code, let reason):
            if code == "AUTH" {
                fail("the server ended the session: \(reason ?? "authentication")")
            } else if let code, Self.finalGoodbyes.contains(code) {
                fail("the server said: \(reason ?? code)")
            } else {
                lost("the server said goodbye (\(code ?? "BYE")): \(reason ?? "")")
            }
        case .hello(_, let fields, _) where phase == .greeting:
            let fresh = fields["epoch"]
            if let known = epoch, let fresh, known != fresh, lastSeq > 0 {
                lastSeq = 0
                onStatus(.gap("the server's journal was started afresh (epoch \(fresh)); earlier events no longer apply"))
            }
            epoch = fresh
            handshake()
        case .event(nil, let seq, _, _, _):
            // Live events before the handshake ends are covered by SINCE (or precede "now").
            if phase == .ready { deliver(line, seq: seq) }
        default:
            if let tag = line.tag { route(tag, line, text: String(text.dropFirst(tag.count + 1))) }
        }
    }

    private func deliver(_ event: ServerLine, seq: UInt64) {
        guard seq > lastSeq else { return }
        lastSeq = seq
        onEvent(event)
    }

    private func route(_ tag: String, _ line: ServerLine, text: String) {
        if let handler = control[tag] {
            switch line {
            case .event(_, let seq, _, _, _) where tag == sinceTag:
                resumed += 1
                deliver(line, seq: seq)
            case .ok, .err:
                control[tag] = nil
                handler(line)
            default:
                break
            }
            return
        }
        guard let index = requests.firstIndex(where: { $0.tag == tag }) else { return }
        switch line {
        case .ok, .err:
            let request = requests.remove(at: index)
            request.completion(.success(Reply(rows: request.rows, final: line, texts: request.texts + [text])))
        default:
            requests[index].rows.append(line)
            requests[index].texts.append(text)
        }
    }

    // MARK: - The handshake: LOGIN, WATCH, KEEPALIVE, SINCE, then what was in flight

    private func handshake() {
        phase = .handshake
        resumed = 0
        var steps = 0
        @discardableResult
        func step(_ line: String, _ then: @escaping (ServerLine) -> Void) -> String {
            counter += 1
            let tag = "@\(session)-h\(counter)"
            steps += 1
            control[tag] = { [weak self] reply in
                then(reply)
                steps -= 1
                if steps == 0 { self?.ready() }
            }
            write(tag + " " + line)
            return tag
        }
        step("LOGIN \(options.user) \(options.token)") { [weak self] reply in
            if case .err(_, _, _, let message) = reply {
                self?.fail("login refused: \(message ?? "wrong name or token")")
            }
        }
        if let watch = options.watch {
            step("WATCH \(watch)") { [weak self] reply in
                // A first watch starts after `last=`: from there a later reconnect resumes,
                // even before any event is shown (an alerts-only screen may show none for hours).
                guard let self, self.lastSeq == 0, case .ok(_, _, let fields, _) = reply,
                      let last = fields["last"].flatMap(UInt64.init) else { return }
                self.lastSeq = last
            }
        }
        if options.keepalive > 0 { step("KEEPALIVE \(options.keepalive)") { _ in } }
        if lastSeq > 0 {
            sinceTag = step("SINCE \(lastSeq)") { [weak self] reply in
                guard let self else { return }
                if case .err(_, _, let fields, let message) = reply {
                    if let oldest = fields["oldest"].flatMap(UInt64.init) { self.lastSeq = oldest - 1 }
                    self.onStatus(.gap(message ?? "some events are no longer kept"))
                }
            }
        }
    }

    private func ready() {
        guard phase == .handshake else { return }
        phase = .ready
        failures = 0
        downSince = nil
        // Those waiting for the line go first, in order; a request the status handler
        // sends is written by `send` itself (writing the list after it sent it twice).
        let waiting = requests
        let replayed = sinceTag == nil ? nil : resumed
        sinceTag = nil
        for request in waiting where phase == .ready { write(request) }
        guard phase == .ready else { return }  // the line went while they were written
        onStatus(.connected(epoch: epoch ?? "", resumed: replayed))
    }

    private func write(_ request: Request) {
        guard !request.payload.isEmpty else { return write(request.tag + " " + request.line) }
        write(([request.tag + " " + request.line] + request.payload).joined(separator: "\n"))
    }

    private func write(_ line: String) {
        guard let connection else { return }
        if !connection.writeAll(Array((line + "\n").utf8)) {
            lost("cannot write to the server")
        }
    }
}

import Dispatch
import Foundation
import LeadlineTransport
import LeadlineWire

/// One client connection: its transport (plain TCP, TLS, or an in-memory pipe), the
/// line framer, the outbound buffer, and the protocol ``Session``.
///
/// Confined to the hub queue: every method runs there, so no locks. The outbound
/// buffer is flushed once per turn of the queue (many lines, one write; a pushed event
/// for a connection with nothing queued is written at once instead), and bounded:
/// past ``Limits/outboundHighWater`` the connection's requests wait, past
/// ``Limits/maxOutboundBytes`` of pushed events it is cut off as a slow consumer.
/// The connection never touches a descriptor: it reads and writes its ``ByteStream``
/// and is woken by its ``StreamEvents``.
final class Connection: @unchecked Sendable {
    let id: Int
    let peer: Peer
    let isSecure: Bool
    private let stream: ByteStream
    private let events: StreamEvents
    private unowned let hub: Hub
    /// The byte limits read on every push and request, held here: reading them through
    /// the unowned `hub` cost two atomic reference-count operations each time.
    private let maxInboundBytes: Int, outboundHighWater: Int, maxOutboundBytes: Int
    private var reading = true
    private var writing = false
    /// A write is waiting on the stream's own reads (a TLS handshake in progress).
    private var flushAfterRead = false

    var framer: LineFramer
    var session: Session
    private var outbound: [UInt8] = []
    private var sent = 0
    /// The last byte the stream took, to know whether a line is half written.
    private var lastByteSent: UInt8 = 0x0A
    /// Whether the connection is on the hub's list to flush this turn.
    var flushQueued = false
    /// While a long reply is written a chunk at a time, events pushed meanwhile wait
    /// here (nil otherwise), so the reply's lines stay together; they follow it.
    private var deferredEvents: [UInt8]?
    /// Run once everything queued has been written: a long reply's next chunk.
    var onDrained: (() -> Void)?

    enum State { case open, draining, closed }
    private(set) var state = State.open
    /// The peer closed its sending side: finish what it sent, then close.
    private var inputEnded = false
    private(set) var lingerUntil: TimeInterval?

    init(id: Int, transport: Transport, hub: Hub, maxLine: Int, now: TimeInterval) {
        self.id = id
        peer = transport.peer
        isSecure = transport.isSecure
        stream = transport.stream
        events = transport.events
        self.hub = hub
        (maxInboundBytes, outboundHighWater, maxOutboundBytes)
            = (hub.limits.maxInboundBytes, hub.limits.outboundHighWater, hub.limits.maxOutboundBytes)
        framer = LineFramer(maxLine: maxLine)
        session = Session(now: now, limits: hub.limits)
        events.activate(readable: { [unowned hub, id] in hub.connections[id]?.readable() },
                        writable: { [unowned hub, id] in hub.connections[id]?.flush() })
    }

    /// Runs `body` on this connection on a later turn, if it is still open then.
    ///
    /// Handlers find their connection by id in the hub, not through a weak reference:
    /// one weak reference gives an object a side table, and then every retain and
    /// release of it takes the slow path (a broadcast retains each watcher it visits).
    private func later(_ body: @escaping @Sendable (Connection) -> Void) {
        hub.nextTurn { [unowned hub, id] in hub.connections[id].map(body) }
    }

    var isOpen: Bool { state == .open }
    var unsentBytes: Int { outbound.count - sent }
    /// Whether ``processInput()`` has anything to do once nothing holds reading back:
    /// input it has not framed, the peer's end to act on, or reading to turn back on.
    /// (Without any, the pass finds no line and changes nothing.)
    var hasInputToResume: Bool { framer.bufferedCount > 0 || inputEnded || !reading }
    /// Whether the stream can carry protocol lines yet (a TLS handshake done).
    var isEstablished: Bool { stream.isEstablished }

    // MARK: - Reading

    private func readable() {
        guard state == .open else { return }
        let buffer = hub.readBuffer
        var atLimit = false
        reading: while true {
            switch stream.read(into: buffer) {
            case .done(let n):
                if !isSecure, session.linesReceived == 0, framer.bufferedCount == 0,
                   TLSProbe.looksLikeTLS(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) {
                    hub.tlsOnPlaintextPort(self)
                    return
                }
                framer.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                session.received(at: hub.monotonicNow())
                atLimit = framer.bufferedCount > maxInboundBytes
                if (n < buffer.count && !stream.hasBufferedInput) || atLimit {
                    break reading
                }
            case .wouldBlock, .wantsRead:
                break reading
            case .end:
                inputEnded = true
                break reading
            case .failed(let why):
                if let tls = stream as? TLSStream, tls.peerSentPlaintext {
                    refusePlaintext(below: tls)
                } else {
                    close(log: why)
                }
                return
            }
        }
        if flushAfterRead || stream.hasPendingOutput { flush() }
        processInput()
        // Records the TLS layer already holds will not make the socket readable again:
        // when reading stopped at the inbound limit with some left and is still on (the
        // lines were all handled), read on next turn. (Not after a read that would
        // block: a half record waits for its socket event.)
        if atLimit, state == .open, reading, stream.hasBufferedInput { later { $0.readable() } }
    }

    /// Hands complete lines to the hub until one needs a reply it must wait for.
    func processInput() {
        var exhausted = false
        while state == .open, !session.awaitingReply, session.writesInFlight < Session.pipelineDepth, !hub.stopping,
              unsentBytes <= outboundHighWater {
            guard let frame = framer.next() else {
                exhausted = true
                break
            }
            hub.handle(frame, from: self)
        }
        guard state == .open else { return }
        let backlog = framer.bufferedCount > maxInboundBytes
            || unsentBytes > outboundHighWater || hub.stopping
        setReading(!(backlog || inputEnded))
        // The peer sent its last line and every answer is queued: close after they go.
        if inputEnded && exhausted && session.writesInFlight == 0 { closeAfterFlush() }
    }

    private func setReading(_ on: Bool) {
        guard on != reading else { return }
        reading = on
        events.setReading(on)
        // Input the stream already holds will not make the socket readable again.
        if on && stream.hasBufferedInput { later { $0.readable() } }
    }

    private func setWriting(_ on: Bool) {
        guard on != writing else { return }
        writing = on
        events.setWriting(on)
    }

    // MARK: - Writing

    /// Queues a reply line (or lines); it goes out with this turn's flush.
    func send(_ bytes: [UInt8]) {
        guard state != .closed else { return }
        append(bytes)
    }

    /// Queues a pushed event, or cuts the connection off if it has fallen too far behind.
    /// `now`: the monotonic time, read once by the broadcast for all its watchers.
    func push(_ bytes: [UInt8], at now: TimeInterval) {
        guard state == .open else { return }
        if unsentBytes + (deferredEvents?.count ?? 0) + bytes.count > maxOutboundBytes {
            cutOffSlowConsumer()
            return
        }
        if deferredEvents != nil {
            deferredEvents!.append(contentsOf: bytes)
        } else if let written = writeThrough(bytes, at: now) {
            if written < bytes.count { append(Array(bytes[written...])) }
        } else {
            append(bytes)
        }
    }

    /// Writes a pushed event straight to a connection with nothing queued ahead of it,
    /// from the caller's bytes: how much the stream took, or nil when it must wait for
    /// the turn's flush (something is queued, or the stream did not simply take bytes).
    ///
    /// Why: a broadcast used to copy the event into each watcher's buffer and write
    /// every buffer in a second pass at the turn's end, so the first watcher waited for
    /// the whole first pass (0.4 ms at 1,000 watchers) and each was visited twice.
    /// Replies still wait for the flush, so a client's pipelined answers go in one write.
    private func writeThrough(_ bytes: [UInt8], at now: TimeInterval) -> Int? {
        guard sent == outbound.count, !flushQueued, !writing, onDrained == nil, !stream.hasPendingOutput else {
            return nil
        }
        guard case .done(let n) = bytes.withUnsafeBytes({ stream.write($0) }) else { return nil }
        if n > 0 { streamTook(last: bytes[n - 1], at: now) }
        return n
    }

    /// The stream took bytes ending in `last`: whether a line is half written, and when
    /// the connection last heard from us (its keepalive).
    private func streamTook(last: UInt8, at now: TimeInterval) {
        lastByteSent = last
        session.sent(at: now)
    }

    /// A long reply begins: hold pushed events until ``releaseEvents()``.
    func holdEvents() {
        if deferredEvents == nil { deferredEvents = [] }
    }

    /// The long reply is complete: the events held meanwhile follow it.
    func releaseEvents() {
        guard let held = deferredEvents else { return }
        deferredEvents = nil
        if !held.isEmpty && state == .open { append(held) }
    }

    private func append(_ bytes: [UInt8]) {
        if sent == outbound.count && bytes.count >= 16 << 10 {
            // All sent: a large chunk (a long reply's) is taken as it is, not copied.
            // Small replies are still copied into the buffer kept for them.
            outbound = bytes
            sent = 0
        } else {
            if sent > 0 && sent >= outbound.count / 2 {
                outbound.removeSubrange(0..<sent)
                sent = 0
            }
            outbound.append(contentsOf: bytes)
        }
        if !flushQueued {
            flushQueued = true
            hub.scheduleFlush(self)
        }
    }

    /// Writes as much as the stream takes; waits for it to be writable for the rest.
    func flush() {
        flushQueued = false
        guard state != .closed else { return }
        while sent < outbound.count {
            let result = outbound.withUnsafeBytes { stream.write(UnsafeRawBufferPointer(rebasing: $0[sent...])) }
            switch result {
            case .done(let n):
                sent += n
                streamTook(last: outbound[sent - 1], at: hub.monotonicNow())
            case .wouldBlock:
                setWriting(true)
                return
            case .wantsRead:
                flushAfterRead = true
                setWriting(false)
                return
            case .end, .failed:
                close(log: resultText(result))
                return
            }
        }
        if stream.hasPendingOutput {
            switch stream.flush() {
            case .wouldBlock, .wantsRead:
                setWriting(true)
                return
            case .failed(let why):
                close(log: why)
                return
            default:
                break
            }
        }
        flushAfterRead = false
        if outbound.capacity > 1 << 16 {
            outbound = []
        } else {
            outbound.removeAll(keepingCapacity: true)
        }
        sent = 0
        setWriting(false)
        switch state {
        case .draining:
            finishDraining()
        case .open:
            if let drained = onDrained {
                onDrained = nil
                drained()
            }
            if !reading || (!session.awaitingReply && framer.bufferedCount > 0) { processInput() }
        case .closed:
            break
        }
    }

    private func resultText(_ result: IOResult) -> String {
        if case .failed(let why) = result { return why }
        return "the connection ended"
    }

    // MARK: - Closing

    /// Sends `BYE` (after a line break if a line may be half written), then closes once
    /// everything queued has been sent or the linger time has passed. A TLS connection
    /// whose handshake never finished cannot be told anything: it is closed.
    func sayGoodbye(_ code: String?, _ reason: String) {
        guard state == .open else { return }
        guard stream.isEstablished else {
            close(log: "closed before its TLS handshake finished (\(code ?? "BYE"): \(reason))")
            return
        }
        send(hub.encoder.bye(code, reason))
        closeAfterFlush()
    }

    private func closeAfterFlush() {
        guard state == .open else { return }
        state = .draining
        setReading(false)
        lingerUntil = monotonicSeconds() + hub.limits.closeLinger
        if unsentBytes == 0 && !stream.hasPendingOutput { finishDraining() }
    }

    private func finishDraining() {
        // Shut our side so the peer sees the BYE and then end of stream, not a reset.
        stream.shutdownWrite()
        close(log: nil)
    }

    /// Someone typed at the TLS port (`nc`, or a client set up for plaintext): one
    /// plaintext line says why nothing works, then the connection closes.
    private func refusePlaintext(below tls: TLSStream) {
        let bye = hub.encoder.bye("TLS", "this port speaks TLS: connect with leadline --server tls://HOST:PORT, "
            + "or openssl s_client -quiet -connect HOST:PORT")
        _ = bye.withUnsafeBytes { tls.inner.write($0) }
        tls.inner.shutdownWrite()
        close(log: "sent plaintext to the TLS port; told so and closed")
    }

    /// The linger time passed with bytes still unsent: give up on them.
    func lingerExpired() {
        close(log: "closed with \(unsentBytes) bytes unsent")
    }

    private func cutOffSlowConsumer() {
        let limit = maxOutboundBytes
        hub.log("\(peer) \(who) fell \(unsentBytes) bytes behind; cut off as a slow consumer")
        // Drop what was not yet sent; finish any half-sent line with a line break.
        let midLine = lastByteSent != 0x0A
        outbound.removeSubrange(sent...)
        deferredEvents = nil
        if midLine { outbound.append(0x0A) }
        send(hub.encoder.bye("SLOW", "more than \(limit) bytes of events waited unread; reconnect and use SINCE to catch up"))
        closeAfterFlush()
    }

    /// Closes now: the events stop (a descriptor closes once they are gone) and the
    /// stream is released.
    func close(log message: String?) {
        guard state != .closed else { return }
        if let message { hub.log("\(peer) \(who): \(message)") }
        state = .closed
        events.cancel()
        stream.close()
        outbound = []
        deferredEvents = nil
        onDrained = nil
        hub.connectionClosed(self)
    }

    /// How logs name this connection's person.
    var who: String { session.person.map { "(\($0.name))" } ?? "(not logged in)" }
}

import Dispatch
import Foundation
import Glibc
import LeadlineWire

/// One client socket: its read and write sources, the line framer, the outbound
/// buffer, and the protocol ``Session``.
///
/// Confined to the hub queue: every method runs there, so no locks. The outbound
/// buffer is flushed once per turn of the queue (many lines, one `send`), and bounded:
/// past ``Limits/outboundHighWater`` the connection's requests wait, past
/// ``Limits/maxOutboundBytes`` of pushed events it is cut off as a slow consumer.
/// The descriptor is closed only after both sources' cancel handlers have run
/// (libdispatch keys registrations by descriptor number).
final class Connection: @unchecked Sendable {
    let id: Int
    let peer: Peer
    private let fd: Int32
    private unowned let hub: Hub
    private let readSource: DispatchSourceRead
    private let writeSource: DispatchSourceWrite
    private var readSuspended = false
    private var writeSuspended = false

    var framer: LineFramer
    var session: Session
    private var outbound: [UInt8] = []
    private var sent = 0
    /// The last byte the socket took, to know whether a line is half written.
    private var lastByteSent: UInt8 = 0x0A
    /// Whether the connection is on the hub's list to flush this turn.
    var flushQueued = false

    enum State { case open, draining, closed }
    private(set) var state = State.open
    /// The peer closed its sending side: finish what it sent, then close.
    private var inputEnded = false
    private(set) var lingerUntil: TimeInterval?

    init(id: Int, fd: Int32, peer: Peer, hub: Hub, maxLine: Int, now: TimeInterval) {
        self.id = id
        self.fd = fd
        self.peer = peer
        self.hub = hub
        framer = LineFramer(maxLine: maxLine)
        session = Session(now: now, limits: hub.config.limits)
        readSource = DispatchSource.makeReadSource(fileDescriptor: fd, queue: hub.queue)
        writeSource = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: hub.queue)
        let closer = DescriptorCloser(fd: fd, sources: 2)
        readSource.setEventHandler { [weak self] in self?.readable() }
        writeSource.setEventHandler { [weak self] in self?.flush() }
        readSource.setCancelHandler { closer.sourceCancelled() }
        writeSource.setCancelHandler { closer.sourceCancelled() }
        readSource.activate()
        writeSource.activate()
        writeSource.suspend()
        writeSuspended = true
    }

    var isOpen: Bool { state == .open }
    var unsentBytes: Int { outbound.count - sent }

    // MARK: - Reading

    private func readable() {
        guard state == .open else { return }
        let buffer = hub.readBuffer
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n > 0 {
                framer.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                session.lastInbound = monotonicSeconds()
                if n < buffer.count || framer.bufferedCount > hub.config.limits.maxInboundBytes { break }
            } else if n == 0 {
                inputEnded = true
                break
            } else {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                close(log: "read failed: \(errnoText())")
                return
            }
        }
        processInput()
    }

    /// Hands complete lines to the hub until one needs a reply it must wait for.
    func processInput() {
        var exhausted = false
        while state == .open, !session.awaitingReply, !hub.stopping, unsentBytes <= hub.config.limits.outboundHighWater {
            guard let frame = framer.next() else {
                exhausted = true
                break
            }
            hub.handle(frame, from: self)
        }
        guard state == .open else { return }
        let backlog = framer.bufferedCount > hub.config.limits.maxInboundBytes
            || unsentBytes > hub.config.limits.outboundHighWater || hub.stopping
        if backlog || inputEnded { suspendReading() } else { resumeReading() }
        // The peer sent its last line and every answer is queued: close after they go.
        if inputEnded && exhausted { closeAfterFlush() }
    }

    private func suspendReading() {
        if !readSuspended {
            readSource.suspend()
            readSuspended = true
        }
    }

    private func resumeReading() {
        if readSuspended {
            readSuspended = false
            readSource.resume()
        }
    }

    // MARK: - Writing

    /// Queues a reply line (or lines); it goes out with this turn's flush.
    func send(_ bytes: [UInt8]) {
        guard state != .closed else { return }
        append(bytes)
    }

    /// Queues a pushed event, or cuts the connection off if it has fallen too far behind.
    func push(_ bytes: [UInt8]) {
        guard state == .open else { return }
        if unsentBytes + bytes.count > hub.config.limits.maxOutboundBytes {
            cutOffSlowConsumer()
            return
        }
        append(bytes)
    }

    private func append(_ bytes: [UInt8]) {
        if sent > 0 && sent >= outbound.count / 2 {
            outbound.removeSubrange(0..<sent)
            sent = 0
        }
        outbound.append(contentsOf: bytes)
        if !flushQueued {
            flushQueued = true
            hub.scheduleFlush(self)
        }
    }

    /// Writes as much as the socket takes; arms the write source for the rest.
    func flush() {
        flushQueued = false
        guard state != .closed else { return }
        while sent < outbound.count {
            let n = outbound.withUnsafeBytes { buf in
                Glibc.send(fd, buf.baseAddress! + sent, buf.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                sent += n
                lastByteSent = outbound[sent - 1]
                session.lastOutbound = monotonicSeconds()
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                if writeSuspended {
                    writeSuspended = false
                    writeSource.resume()
                }
                return
            } else {
                close(log: "write failed: \(errnoText())")
                return
            }
        }
        if outbound.capacity > 1 << 16 {
            outbound = []
        } else {
            outbound.removeAll(keepingCapacity: true)
        }
        sent = 0
        if !writeSuspended {
            writeSource.suspend()
            writeSuspended = true
        }
        switch state {
        case .draining:
            finishDraining()
        case .open:
            if readSuspended || (!session.awaitingReply && framer.bufferedCount > 0) {
                processInput()
            }
        case .closed:
            break
        }
    }

    // MARK: - Closing

    /// Sends `BYE` (after a line break if a line may be half written), then closes once
    /// everything queued has been sent or the linger time has passed.
    func sayGoodbye(_ code: String?, _ reason: String) {
        guard state == .open else { return }
        send(hub.encoder.bye(code, reason))
        closeAfterFlush()
    }

    private func closeAfterFlush() {
        guard state == .open else { return }
        state = .draining
        suspendReading()
        lingerUntil = monotonicSeconds() + hub.config.limits.closeLinger
        if unsentBytes == 0 { finishDraining() }
    }

    private func finishDraining() {
        // Shut our side so the peer sees the BYE and then end of stream, not a reset.
        shutdown(fd, Int32(SHUT_WR))
        close(log: nil)
    }

    /// The linger time passed with bytes still unsent: give up on them.
    func lingerExpired() {
        close(log: "closed with \(unsentBytes) bytes unsent")
    }

    private func cutOffSlowConsumer() {
        let limit = hub.config.limits.maxOutboundBytes
        hub.log("\(peer) \(who) fell \(unsentBytes) bytes behind; cut off as a slow consumer")
        // Drop what was not yet sent; finish any half-sent line with a line break.
        let midLine = lastByteSent != 0x0A
        outbound.removeSubrange(sent...)
        if midLine { outbound.append(0x0A) }
        send(hub.encoder.bye("SLOW", "more than \(limit) bytes of events waited unread; reconnect and use SINCE to catch up"))
        closeAfterFlush()
    }

    /// Closes now: cancels both sources (the descriptor closes after both cancel).
    func close(log message: String?) {
        guard state != .closed else { return }
        if let message { hub.log("\(peer) \(who): \(message)") }
        state = .closed
        if readSuspended { readSuspended = false; readSource.resume() }
        if writeSuspended { writeSuspended = false; writeSource.resume() }
        readSource.cancel()
        writeSource.cancel()
        outbound = []
        hub.connectionClosed(self)
    }

    /// How logs name this connection's person.
    var who: String { session.person.map { "(\($0.name))" } ?? "(not logged in)" }
}

/// Closes a descriptor once every dispatch source on it has been cancelled.
final class DescriptorCloser: @unchecked Sendable {
    private let fd: Int32
    private var remaining: Int

    init(fd: Int32, sources: Int) {
        self.fd = fd
        remaining = sources
    }

    /// Called from each source's cancel handler (all on the hub queue).
    func sourceCancelled() {
        remaining -= 1
        if remaining == 0 { Glibc.close(fd) }
    }
}

import Dispatch
import LeadlineTransport

/// Reads a trusted proxy's PROXY header off a new connection before anyone else sees
/// it, so the connection is admitted, limited and logged by the client's real address.
///
/// It looks at the bytes without taking them (`MSG_PEEK`) and takes exactly the
/// header, so whatever follows (a TLS hello, a LOGIN line) is left for the connection.
/// A connection from the proxy's host that sends nothing for a moment (``headerGrace``:
/// someone on that machine waiting for the greeting), or that begins with anything but
/// a header, is passed on as it is. A header once begun must end within the login timeout.
final class ProxyPreamble: @unchecked Sendable {
    enum Outcome {
        /// Serve the connection as coming from this address.
        case client(Peer)
        case refused(String)
    }

    private let socket: Socket
    private let peer: Peer
    private let events: PolledEvents
    private var header: [UInt8] = []
    private var finished = false
    private let done: (Outcome) -> Void
    /// How long a proxy has to start its header: proxies send it with the connection's
    /// first bytes, so silence past this is a person on the proxy's host.
    static let headerGrace: Double = 1

    init(socket: Socket, peer: Peer, events: PolledEvents, queue: DispatchQueue, timeout: Double,
         done: @escaping (Outcome) -> Void) {
        self.socket = socket
        self.peer = peer
        self.events = events
        self.done = done
        events.activate(readable: { [weak self] in self?.readable() }, writable: {})
        queue.asyncAfter(deadline: .now() + min(timeout, Self.headerGrace)) { [weak self] in
            guard let self, !finished, header.isEmpty, !bytesWaiting else { return }
            finish(.client(peer))
        }
        queue.asyncAfter(deadline: .now() + timeout) { [weak self] in
            self?.finish(.refused("no PROXY header or request within \(SessionTimers.seconds(timeout))"))
        }
    }

    private func readable() {
        guard !finished else { return }
        withUnsafeTemporaryAllocation(byteCount: ProxyHeader.maxLength, alignment: 1) { buffer in
            let room = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(ProxyHeader.maxLength - header.count)])
            let n: Int
            switch socket.peek(into: room) {
            case .done(let count): n = count
            case .wouldBlock, .wantsRead: return
            case .end: return finish(.refused("closed before its PROXY header ended"))
            case .failed(let why): return finish(.refused(why))
            }
            let seen = header + room[0..<n]
            switch ProxyHeader.parse(seen) {
            case .incomplete:
                // Everything so far belongs to the header (no line break yet): take it.
                take(n)
                header += room[0..<n]
            case .absent:
                guard header.isEmpty else { return finish(.refused("a PROXY header broke off")) }
                finish(.client(peer))
            case .header(let length, let client):
                take(length - header.count)
                finish(.client(client ?? peer))
            case .malformed(let why):
                finish(.refused("a malformed PROXY header: \(why)"))
            }
        }
    }

    /// Whether the connection has sent bytes not yet looked at.
    private var bytesWaiting: Bool {
        var byte: UInt8 = 0
        return withUnsafeMutableBytes(of: &byte) { socket.peek(into: $0) } != .wouldBlock
    }

    /// Takes `count` bytes already seen (so they are there to take).
    private func take(_ count: Int) {
        guard count > 0 else { return }
        withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { _ = socket.read(into: $0) }
    }

    /// The listener is closing: so is this connection.
    func cancel() {
        guard !finished else { return }
        finished = true
        events.cancel()
    }

    private func finish(_ outcome: Outcome) {
        guard !finished else { return }
        finished = true
        events.setReading(false)
        done(outcome)
    }
}

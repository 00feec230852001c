import Dispatch
import LeadlineTransport

/// A listening socket, accepting on the hub queue, handing each connection its
/// transport: plain TCP, or TLS when the listener has a ``TLSContext``. A connection
/// from a trusted proxy first has its PROXY header read (``ProxyPreamble``).
///
/// Accepts until none is pending on each event. When the process runs out of
/// descriptors it pauses accepting briefly instead of spinning on a socket it cannot serve.
final class Listener: @unchecked Sendable {
    let port: UInt16
    let host: String
    /// The TLS settings new connections get (replaced on a certificate reload); nil: plain.
    var tls: TLSContext?
    private let socket: Socket
    private let events: PolledEvents
    private let poller: EventPoller
    private var queue: DispatchQueue { poller.queue }
    private let config: ServerConfiguration
    private let onAccept: @Sendable (Transport) -> Void
    /// Connections from a proxy whose header is still being read.
    private var preambles: [Int32: ProxyPreamble] = [:]
    private var paused = false
    private var cancelled = false

    init(host: String, port: UInt16, tls: TLSContext?, poller: EventPoller, config: ServerConfiguration,
         onAccept: @escaping @Sendable (Transport) -> Void) throws(ServerError) {
        let listening: (Socket, UInt16)
        do {
            listening = try Socket.listen(host: host, port: port)
        } catch {
            throw ServerError.listen(error.description)
        }
        (socket, self.port) = listening
        self.host = host
        self.tls = tls
        self.poller = poller
        self.config = config
        self.onAccept = onAccept
        events = poller.events(for: socket.fd)
        events.activate(readable: { [weak self] in self?.acceptPending() }, writable: {})
    }

    private func acceptPending() {
        while !cancelled {
            switch socket.accept(sendBuffer: config.limits.socketSendBuffer) {
            case .connection(let client, let peer):
                accepted(client, from: peer)
            case .none, .failed:
                return
            case .exhausted(let why):
                config.log("cannot accept: \(why); pausing new connections for a moment")
                pause()
                return
            }
        }
    }

    private func accepted(_ client: Socket, from peer: Peer) {
        let clientEvents = poller.events(for: client.fd)
        guard config.trustsProxy(peer) else {
            start(client, events: clientEvents, peer: peer)
            return
        }
        guard preambles.count < config.limits.maxUnauthenticated else {
            config.log("\(peer): too many proxied connections are waiting for their PROXY header; closed")
            Self.discard(clientEvents)
            return
        }
        preambles[client.fd] = ProxyPreamble(
            socket: client, peer: peer, events: clientEvents, queue: queue, timeout: config.limits.loginTimeout
        ) { [weak self] outcome in
            guard let self else { return }
            preambles[client.fd] = nil
            switch outcome {
            case .client(let real):
                start(client, events: clientEvents, peer: real)
            case .refused(let why):
                config.log("\(peer) (proxy): \(why); closed")
                clientEvents.cancel()
            }
        }
    }

    /// Hands a connection to the hub over TCP, or TLS.
    private func start(_ client: Socket, events clientEvents: PolledEvents, peer: Peer) {
        let plain = SocketStream(client)
        guard let context = tls else {
            onAccept(Transport(stream: plain, events: clientEvents, peer: peer, isSecure: false))
            return
        }
        do {
            let stream = try TLSStream(server: context, over: plain)
            onAccept(Transport(stream: stream, events: clientEvents, peer: peer, isSecure: true))
        } catch {
            config.log("\(peer): cannot start TLS: \(error)")
            Self.discard(clientEvents)
        }
    }

    /// Closes a connection no one will serve (its descriptor goes with its events).
    private static func discard(_ events: PolledEvents) {
        events.activate(readable: {}, writable: {})
        events.cancel()
    }

    private func pause() {
        guard !paused, !cancelled else { return }
        events.setReading(false)
        paused = true
        queue.asyncAfter(deadline: .now() + 0.1) { [weak self] in
            guard let self, self.paused, !self.cancelled else { return }
            self.paused = false
            self.events.setReading(true)
        }
    }

    /// Stops accepting and closes the socket (and connections still sending their header).
    func cancel() {
        guard !cancelled else { return }
        cancelled = true
        events.cancel()
        for preamble in preambles.values { preamble.cancel() }
        preambles = [:]
    }
}

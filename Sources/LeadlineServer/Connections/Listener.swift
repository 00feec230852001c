import Dispatch
import LeadlineTransport

/// A listening socket, accepting on the hub queue, handing each connection its
/// transport: plain TCP, or TLS when the listener has a ``TLSContext``.
///
/// Accepts until none is pending on each event. When the process runs out of
/// descriptors it pauses accepting briefly instead of spinning on a socket it cannot serve.
final class Listener: @unchecked Sendable {
    let port: UInt16
    let host: String
    /// The TLS settings new connections get (replaced on a certificate reload); nil: plain.
    var tls: TLSContext?
    private let socket: Socket
    private let events: FileEvents
    private var paused = false
    private var cancelled = false

    init(host: String, port: UInt16, tls: TLSContext?, queue: DispatchQueue, sendBuffer: Int?,
         onAccept: @escaping @Sendable (Transport) -> Void, log: @escaping @Sendable (String) -> Void) throws(ServerError) {
        let listening: (Socket, UInt16)
        do {
            listening = try Socket.listen(host: host, port: port)
        } catch {
            throw ServerError.listen(error.description)
        }
        (socket, self.port) = listening
        self.host = host
        self.tls = tls
        events = FileEvents(fd: socket.fd, queue: queue)
        let socket = self.socket
        events.activate(readable: { [weak self] in
            guard let self else { return }
            while true {
                switch socket.accept(sendBuffer: sendBuffer) {
                case .connection(let client, let peer):
                    let plain = SocketStream(client)
                    let clientEvents = FileEvents(fd: client.fd, queue: queue)
                    if let context = self.tls {
                        do {
                            let stream = try TLSStream(server: context, over: plain)
                            onAccept(Transport(stream: stream, events: clientEvents, peer: peer, isSecure: true))
                        } catch {
                            log("\(peer): cannot start TLS: \(error)")
                            clientEvents.activate(readable: {}, writable: {})
                            clientEvents.cancel()
                        }
                    } else {
                        onAccept(Transport(stream: plain, events: clientEvents, peer: peer, isSecure: false))
                    }
                case .none, .failed:
                    return
                case .exhausted(let why):
                    log("cannot accept: \(why); pausing new connections for a moment")
                    self.pause(queue: queue)
                    return
                }
            }
        }, writable: {})
    }

    private func pause(queue: DispatchQueue) {
        guard !paused, !cancelled else { return }
        events.setReading(false)
        paused = true
        queue.asyncAfter(deadline: .now() + 0.1) { [weak self] in
            guard let self, self.paused, !self.cancelled else { return }
            self.paused = false
            self.events.setReading(true)
        }
    }

    /// Stops accepting and closes the socket.
    func cancel() {
        guard !cancelled else { return }
        cancelled = true
        events.cancel()
    }
}

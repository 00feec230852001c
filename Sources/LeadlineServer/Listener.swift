import Dispatch
import Glibc

/// The listening socket, accepting on the hub queue.
///
/// Accepts until `EAGAIN` on each event. When the process runs out of descriptors
/// it pauses accepting briefly instead of spinning on a socket it cannot serve.
final class Listener: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let source: DispatchSourceRead
    private var suspended = false
    private var cancelled = false

    init(host: String, port: UInt16, queue: DispatchQueue, sendBuffer: Int?, onAccept: @escaping (Int32, Peer) -> Void,
         log: @escaping (String) -> Void) throws(ServerError) {
        let (fd, bound) = try Socket.listen(host: host, port: port)
        self.fd = fd
        self.port = bound
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        let closer = DescriptorCloser(fd: fd, sources: 1)
        source.setCancelHandler { closer.sourceCancelled() }
        source.setEventHandler { [weak self] in
            guard let self else { return }
            while true {
                guard let (client, peer) = Socket.accept(fd) else {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM {
                        log("cannot accept: \(errnoText()); pausing new connections for a moment")
                        self.pause(queue: queue)
                    }
                    return
                }
                Socket.configureAccepted(client, sendBuffer: sendBuffer)
                onAccept(client, peer)
            }
        }
        source.activate()
    }

    private func pause(queue: DispatchQueue) {
        guard !suspended, !cancelled else { return }
        source.suspend()
        suspended = true
        queue.asyncAfter(deadline: .now() + 0.1) { [weak self] in
            guard let self, self.suspended, !self.cancelled else { return }
            self.suspended = false
            self.source.resume()
        }
    }

    /// Stops accepting and closes the socket.
    func cancel() {
        guard !cancelled else { return }
        cancelled = true
        if suspended { suspended = false; source.resume() }
        source.cancel()
    }
}

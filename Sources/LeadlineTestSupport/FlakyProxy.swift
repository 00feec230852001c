import Foundation
import Glibc
import LeadlineTransport
import Synchronization

/// A TCP proxy between a client and the server that a test can make misbehave, as a
/// technician's phone network does: cut every connection at once, or swallow what
/// the server sends while still delivering what the client sends.
public final class FlakyProxy: @unchecked Sendable {
    public let port: UInt16
    private let target: UInt16
    private let listener: Socket
    private let sockets = Mutex<[Socket]>([])
    private let swallowing = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let fromClients = Mutex<[UInt8]>([])

    /// The lines clients have sent through the proxy so far (plaintext only), for a
    /// test to see what a client wrote, and how many times.
    public var clientLines: [String] {
        fromClients.withLock { String(decoding: $0, as: UTF8.self) }.split(separator: "\n").map(String.init)
    }

    public init(to target: UInt16) throws {
        self.target = target
        do {
            (listener, port) = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 64)
        } catch {
            throw ClientError("proxy cannot listen: \(error)")
        }
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Stop passing the server's bytes on (they are dropped), until ``cut()``.
    public func swallowServerBytes() { swallowing.store(true, ordering: .relaxed) }

    /// Drops every open connection at once, both sides, without a goodbye; new
    /// connections are accepted and forwarded normally again.
    public func cut() {
        let open = sockets.withLock { s in
            defer { s = [] }
            return s
        }
        swallowing.store(false, ordering: .relaxed)
        for socket in open { socket.shutdownBoth() }
    }

    public func stop() {
        stopped.store(true, ordering: .relaxed)
        listener.shutdownBoth()
        cut()
    }

    deinit { stop() }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            guard listener.wait(for: Int16(POLLIN), timeout: 0.2) else { continue }
            guard case .connection(let client, _) = listener.accept(),
                  let upstream = try? Socket.connect(host: "127.0.0.1", port: target, timeout: 5) else { continue }
            sockets.withLock { $0 += [client, upstream] }
            Thread.detachNewThread { [self] in pump(from: client, to: upstream, swallow: false) }
            Thread.detachNewThread { [self] in pump(from: upstream, to: client, swallow: true) }
        }
    }

    private func pump(from: Socket, to: Socket, swallow: Bool) {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        pumping: while true {
            switch buffer.withUnsafeMutableBytes({ from.read(into: $0) }) {
            case .done(let n):
                if !swallow { fromClients.withLock { $0 += buffer[0..<n] } }
                if swallow && swallowing.load(ordering: .relaxed) { continue }
                guard to.writeAll(Array(buffer[0..<n])) else { break pumping }
            case .wouldBlock, .wantsRead:
                _ = from.wait(for: Int16(POLLIN), timeout: 0.5)
            case .end, .failed:
                break pumping
            }
        }
        from.shutdownBoth()
        to.shutdownBoth()
        from.close()
    }
}

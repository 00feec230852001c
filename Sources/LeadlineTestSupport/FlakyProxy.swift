import Foundation
import Glibc
import Synchronization

/// A TCP proxy between a client and the server that a test can make misbehave, as a
/// technician's phone network does: cut every connection at once, or swallow what
/// the server sends while still delivering what the client sends.
public final class FlakyProxy: @unchecked Sendable {
    public let port: UInt16
    private let target: UInt16
    private let listener: Int32
    private let sockets = Mutex<[Int32]>([])
    private let swallowing = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)

    public init(to target: UInt16) throws {
        self.target = target
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw ClientError("proxy cannot listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
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
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    public func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        cut()
    }

    deinit { stop() }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if stopped.load(ordering: .relaxed) { return }
                continue
            }
            guard let upstream = try? LineClient(port: target) else {
                close(client)
                continue
            }
            let server = dup(upstream.fd)
            sockets.withLock { $0 += [client, server] }
            Thread.detachNewThread { [self] in pump(from: client, to: server, swallow: false) }
            Thread.detachNewThread { [self] in pump(from: server, to: client, swallow: true) }
        }
    }

    private func pump(from: Int32, to: Int32, swallow: Bool) {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(from, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { break }
            if swallow && swallowing.load(ordering: .relaxed) { continue }
            var offset = 0
            while offset < n {
                let m = buffer.withUnsafeBytes { send(to, $0.baseAddress! + offset, n - offset, Int32(MSG_NOSIGNAL)) }
                if m <= 0 { break }
                offset += m
            }
        }
        shutdown(from, Int32(SHUT_RDWR))
        shutdown(to, Int32(SHUT_RDWR))
        close(from)
    }
}

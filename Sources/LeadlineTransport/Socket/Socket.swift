import Glibc

/// Why a socket could not be opened, bound or connected, in words.
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One socket descriptor, non-blocking, with every system call's EINTR and EAGAIN
/// handled in one place: callers see ``IOResult``s, never `errno`.
///
/// A value: it does not close itself. Who closes what, and when, belongs to the stream
/// or the listener that holds it (see ``PolledEvents``: the descriptor closes with
/// its events).
public struct Socket: Sendable, Equatable {
    public let fd: Int32

    public init(fd: Int32) { self.fd = fd }

    // MARK: - Opening

    /// A bound, listening, non-blocking TCP socket, and the port it got.
    public static func listen(host: String, port: UInt16, backlog: Int32 = 1024) throws(SocketError) -> (Socket, UInt16) {
        let s = try firstThatOpens(host, port, passive: true, failure: "cannot listen on \(host):\(port)") { s, ai in
            s.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
            guard Glibc.bind(s.fd, ai.ai_addr, ai.ai_addrlen) == 0, Glibc.listen(s.fd, backlog) == 0 else { return errnoText() }
            s.setNonBlocking()
            return nil
        }
        return (s, s.localPort)
    }

    /// A connected, non-blocking TCP socket to `host:port`, or why not within `timeout`.
    /// - Parameter source: the local address to connect from (tests play several hosts).
    public static func connect(host: String, port: UInt16, timeout: Double, from source: String? = nil) throws(SocketError) -> Socket {
        let shown = host.contains(":") ? "[\(host)]" : host
        return try firstThatOpens(host, port, passive: false, failure: "cannot connect to \(shown):\(port)") { s, ai in
            if let source, !s.bindLocal(to: source, family: ai.ai_family) {
                return "cannot bind to \(source): \(errnoText())"
            }
            s.setNonBlocking()
            var rc = Glibc.connect(s.fd, ai.ai_addr, ai.ai_addrlen)
            if rc != 0 && errno == EINPROGRESS {
                if s.wait(for: Int16(POLLOUT), timeout: timeout) {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    rc = error == 0 ? 0 : -1
                    errno = error
                } else {
                    errno = ETIMEDOUT
                }
            }
            guard rc == 0 else { return errnoText() }
            s.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            return nil
        }
    }

    /// Tries each address `host` resolves to: a fresh socket for each, handed to `open`,
    /// which returns nil when it succeeded or the reason it did not (the socket is then
    /// closed and the next address tried). The last reason is thrown after `failure`.
    private static func firstThatOpens(
        _ host: String, _ port: UInt16, passive: Bool, failure: String,
        _ open: (Socket, addrinfo) -> String?
    ) throws(SocketError) -> Socket {
        let addresses = try resolve(host, port, passive: passive)
        defer { freeaddrinfo(addresses) }
        var lastError = "no address"
        var node: UnsafeMutablePointer<addrinfo>? = addresses
        while let ai = node {
            node = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { lastError = errnoText(); continue }
            let s = Socket(fd: fd)
            guard let reason = open(s, ai.pointee) else { return s }
            lastError = reason
            s.close()
        }
        throw SocketError("\(failure): \(lastError)")
    }

    private static func resolve(_ host: String, _ port: UInt16, passive: Bool) throws(SocketError) -> UnsafeMutablePointer<addrinfo> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = (passive ? AI_PASSIVE : 0) | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let list else { throw SocketError("cannot find \(host): \(String(cString: gai_strerror(rc)))") }
        return list
    }

    private func bindLocal(to address: String, family: Int32) -> Bool {
        guard family == AF_INET else { return false }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, address, &local.sin_addr) == 1 else { return false }
        return withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    // MARK: - Accepting

    /// What `accept` found.
    public enum Accepted: Sendable, Equatable {
        case connection(Socket, Peer)
        case none
        /// The process is out of descriptors or memory: stop accepting for a moment.
        case exhausted(String)
        case failed(String)
    }

    /// Accepts one pending connection, configured for serving (see ``configureAccepted(sendBuffer:)``).
    public func accept(sendBuffer: Int? = nil) -> Accepted {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(fd, $0, &length) }
            }
            if client >= 0 {
                let s = Socket(fd: client)
                s.configureAccepted(sendBuffer: sendBuffer)
                return .connection(s, Peer(address: Self.host(of: storage), port: Self.port(of: storage)))
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return .none
            case EMFILE, ENFILE, ENOBUFS, ENOMEM: return .exhausted(errnoText())
            default: return .failed(errnoText())
            }
        }
    }

    /// Non-blocking, close-on-exec, no Nagle, and TCP keepalive to find dead peers
    /// without a byte of protocol traffic.
    public func configureAccepted(sendBuffer: Int?) {
        if let sendBuffer { setOption(SOL_SOCKET, SO_SNDBUF, Int32(clamping: sendBuffer)) }
        setNonBlocking()
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        setOption(SOL_SOCKET, SO_KEEPALIVE, 1)
        setOption(Int32(IPPROTO_TCP), TCP_KEEPIDLE, 60)
        setOption(Int32(IPPROTO_TCP), TCP_KEEPINTVL, 15)
        setOption(Int32(IPPROTO_TCP), TCP_KEEPCNT, 4)
        // Unacknowledged data for this long means the peer is gone.
        setOption(Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, 120_000)
    }

    // MARK: - Moving bytes

    /// Reads what is there, up to the buffer's size.
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        receive(into: buffer, flags: 0)
    }

    /// Looks at what is there to read without taking it.
    public func peek(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        receive(into: buffer, flags: Int32(MSG_PEEK))
    }

    /// `recv` with its EINTR and EAGAIN handled, for reading and for peeking.
    private func receive(into buffer: UnsafeMutableRawBufferPointer, flags: Int32) -> IOResult {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, flags)
            if n > 0 { return .done(n) }
            if n == 0 { return .end }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed("read failed: \(errnoText())")
            }
        }
    }

    /// Writes what the socket takes now (never raising SIGPIPE).
    public func write(_ bytes: UnsafeRawBufferPointer) -> IOResult {
        guard bytes.count > 0 else { return .done(0) }
        while true {
            let n = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if n > 0 { return .done(n) }
            if n == 0 { return .wouldBlock }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed("write failed: \(errnoText())")
            }
        }
    }

    /// Writes all of `bytes`, waiting for room up to `timeout` seconds: for blocking
    /// callers (the client's requests, tests).
    public func writeAll(_ bytes: [UInt8], timeout: Double = 10) -> Bool {
        SocketStream(self).writeAll(bytes, waitingOn: self, timeout: timeout)
    }

    /// Waits until the socket is readable (`POLLIN`) or writable (`POLLOUT`), or `timeout` passes.
    public func wait(for events: Int16, timeout: Double) -> Bool {
        var p = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let rc = poll(&p, 1, Int32(max(0, (timeout * 1000).rounded(.up))))
            if rc < 0 && errno == EINTR { continue }
            return rc > 0
        }
    }

    /// Ends our sending half: the peer reads what was sent, then end of stream.
    public func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

    /// Ends both halves now (a client dropping the line).
    public func shutdownBoth() { _ = shutdown(fd, Int32(SHUT_RDWR)) }

    public func close() { _ = Glibc.close(fd) }

    // MARK: - Options and addresses

    public func setNonBlocking() {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    public func setOption(_ level: Int32, _ name: Int32, _ value: Int32) {
        var v = value
        setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The local port of a bound socket.
    public var localPort: UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Self.port(of: storage)
    }

    private static func port(of storage: sockaddr_storage) -> UInt16 {
        var s = storage
        switch Int32(s.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &s) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) } }
        case AF_INET6:
            return withUnsafePointer(to: &s) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) } }
        default:
            return 0
        }
    }

    /// The numeric host of an address (`127.0.0.1`, `2001:db8::1`).
    private static func host(of storage: sockaddr_storage) -> String {
        var s = storage
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let length = socklen_t(Int32(s.ss_family) == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafePointer(to: &s) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
            }
        }
        return rc == 0 ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    }
}

/// `strerror(errno)`, for messages.
public func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}

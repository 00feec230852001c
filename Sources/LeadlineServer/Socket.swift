import Glibc

/// Thin, stateless wrappers over the Glibc socket calls the server needs.
///
/// Everything here works on raw descriptors; ownership (who closes what, when)
/// belongs to ``Listener`` and ``Connection``.
enum Socket {
    /// A bound, listening, non-blocking TCP socket, and the port it got.
    static func listen(host: String, port: UInt16, backlog: Int32 = 1024) throws(ServerError) -> (fd: Int32, port: UInt16) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw ServerError.listen("cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let ai = node {
            node = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { lastError = errnoText(); continue }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            guard bind(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 else {
                lastError = errnoText(); close(fd); continue
            }
            guard Glibc.listen(fd, backlog) == 0 else { lastError = errnoText(); close(fd); continue }
            setNonBlocking(fd)
            return (fd, boundPort(fd))
        }
        throw ServerError.listen("cannot listen on \(host):\(port): \(lastError)")
    }

    /// The local port of a bound socket.
    static func boundPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return port(of: storage)
    }

    /// Accepts one pending connection: its descriptor and its peer.
    static func accept(_ listener: Int32) -> (fd: Int32, peer: Peer)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(listener, $0, &length) }
        }
        guard fd >= 0 else { return nil }
        return (fd, Peer(address: host(of: storage), port: port(of: storage)))
    }

    /// Non-blocking, close-on-exec, no Nagle, and TCP keepalive to find dead peers
    /// without a byte of protocol traffic.
    static func configureAccepted(_ fd: Int32, sendBuffer: Int?) {
        if let sendBuffer { setOption(fd, SOL_SOCKET, SO_SNDBUF, Int32(clamping: sendBuffer)) }
        setNonBlocking(fd)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        setOption(fd, SOL_SOCKET, SO_KEEPALIVE, 1)
        setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, 60)
        setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, 15)
        setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, 4)
        // Unacknowledged data for this long means the peer is gone.
        setOption(fd, Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, 120_000)
    }

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    private static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var v = value
        setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
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

/// The other end of a connection: its address and port.
struct Peer: Sendable, Equatable, CustomStringConvertible {
    let address: String
    let port: UInt16

    /// `127.0.0.1:51234`, `[2001:db8::1]:51234`: how logs name a connection.
    var description: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }

    /// What per-address limits count by: the address, or an IPv6 address's /64 (one
    /// household or phone usually holds a whole /64).
    var limitKey: String {
        guard address.contains(":"), !address.hasPrefix("::ffff:") else { return address }
        let groups = address.split(separator: ":", omittingEmptySubsequences: false)
        guard !address.contains("::") || groups.count >= 6 else { return address }
        return groups.prefix(4).joined(separator: ":") + "::/64"
    }
}

/// `strerror(errno)`, for messages.
func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}

import Foundation
import Glibc

/// A blocking line client for tests: connect, send lines, read lines with a timeout.
///
/// Deliberately simple and independent of the server's code paths, so tests speak
/// to the server the way `nc` does.
public final class LineClient: @unchecked Sendable {
    public let fd: Int32
    private var buffer: [UInt8] = []
    /// The peer closed the connection (a read returned 0).
    public private(set) var sawEndOfStream = false

    /// - Parameter source: the local address to connect from (any of 127.0.0.0/8 works
    ///   on loopback), so a test can be several hosts.
    public init(port: UInt16, host: String = "127.0.0.1", from source: String? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket: \(String(cString: strerror(errno)))") }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                let message = String(cString: strerror(errno))
                Glibc.close(fd)
                throw ClientError("bind to \(source): \(message)")
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ClientError("connect to \(host):\(port): \(message)")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    /// Sends `line` and a LF.
    public func send(_ line: String) {
        sendRaw(Array((line + "\n").utf8))
    }

    /// Sends bytes as they are.
    public func sendRaw(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return
            }
            offset += n
        }
    }

    /// The next line (without LF), or nil after `timeout` seconds or at end of stream.
    public func readLine(timeout: TimeInterval = 5) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let lf = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[0..<lf], as: UTF8.self)
                buffer.removeSubrange(0...lf)
                return line
            }
            if sawEndOfStream { return nil }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, fill(timeout: remaining) else { return nil }
        }
    }

    /// Reads and discards until the server closes, or `timeout`; returns the lines seen.
    @discardableResult
    public func readUntilClosed(timeout: TimeInterval = 5) -> [String] {
        var lines: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            if let line = readLine(timeout: deadline.timeIntervalSinceNow) {
                lines.append(line)
            } else if sawEndOfStream {
                break
            }
        }
        return lines
    }

    /// Sends `line` and reads through its completion (`OK`/`ERR`, tagged or not),
    /// returning every line received meanwhile, events included.
    public func request(_ line: String, timeout: TimeInterval = 5) -> [String] {
        send(line)
        return readThroughCompletion(timeout: timeout)
    }

    /// Sends a request and returns its completion line (`OK`/`ERR`), skipping events.
    public func reply(_ line: String, timeout: TimeInterval = 5) -> String {
        request(line, timeout: timeout).last ?? "(nothing)"
    }

    /// Reads lines until one is an `OK`, `ERR` or `BYE` line (possibly tagged).
    public func readThroughCompletion(timeout: TimeInterval = 5) -> [String] {
        var lines: [String] = []
        while let next = readLine(timeout: timeout) {
            lines.append(next)
            var words = next.split(separator: " ", maxSplits: 2).map(String.init)
            if words.first?.hasPrefix("@") == true { words.removeFirst() }
            if let first = words.first, first == "OK" || first == "ERR" || first == "BYE" { break }
        }
        return lines
    }

    /// Bytes sitting unread in the client's buffer right now (without waiting).
    public func drainAvailable() -> [String] {
        var lines: [String] = []
        while let line = readLine(timeout: 0.05) { lines.append(line) }
        return lines
    }

    /// Closes the socket now (as a dropped phone would).
    public func closeNow() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    private func fill(timeout: TimeInterval) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&p, 1, Int32(max(1, (timeout * 1000).rounded(.up))))
        guard ready > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        if n > 0 {
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
        if n == 0 || (errno != EINTR && errno != EAGAIN) { sawEndOfStream = true }
        return n != 0
    }
}

public struct ClientError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// The value of `key=` in a line (bare values only).
public func field(_ key: String, in line: String) -> String? {
    for word in line.split(separator: " ") where word.hasPrefix(key + "=") {
        return String(word.dropFirst(key.count + 1))
    }
    return nil
}

/// Polls `condition` until it holds or `timeout` passes.
public func eventually(timeout: TimeInterval = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

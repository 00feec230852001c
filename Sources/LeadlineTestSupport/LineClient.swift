import Foundation
import Glibc
import LeadlineTransport
import LeadlineWire

/// A blocking line client for tests: connect, send lines, read lines with a timeout.
///
/// Deliberately simple and independent of the server's code paths, so tests speak
/// to the server the way `nc` does. It reads through a ``LineSource``: a TCP socket,
/// or the test's end of an in-memory pipe.
public final class LineClient: @unchecked Sendable {
    private let source: LineSource
    private var framer = LineFramer(maxLine: 1 << 24)
    private var pending: [String] = []
    /// The peer closed the connection (a read returned end of stream).
    public private(set) var sawEndOfStream = false

    /// The socket, for tests that tune it (nil for an in-memory client).
    public var socket: Socket? { (source as? SocketSource)?.socket ?? (source as? TLSSource)?.socket }

    /// - Parameter source: the local address to connect from (any of 127.0.0.0/8 works
    ///   on loopback), so a test can be several hosts.
    public init(port: UInt16, host: String = "127.0.0.1", from source: String? = nil) throws {
        do {
            self.source = SocketSource(try Socket.connect(host: host, port: port, timeout: 5, from: source))
        } catch {
            throw ClientError(error.description)
        }
    }

    /// A TLS client: connects, completes the handshake (trusting any certificate: the
    /// test checks ``serverFingerprint`` itself), then speaks lines as over TCP.
    /// - Parameter preamble: bytes sent in the clear before the handshake (a proxy's PROXY header).
    public init(tlsPort port: UInt16, host: String = "127.0.0.1", from source: String? = nil, preamble: String? = nil) throws {
        do {
            let socket = try Socket.connect(host: host, port: port, timeout: 5, from: source)
            if let preamble { _ = socket.writeAll(Array(preamble.utf8)) }
            let tls = try TLSStream(client: try Self.trustingContext(), host: host, over: SocketStream(socket))
            do {
                try tls.completeHandshake(waitingOn: socket, timeout: 5)
            } catch {
                socket.close()
                throw error
            }
            self.source = TLSSource(socket: socket, tls: tls)
        } catch let error as SocketError {
            throw ClientError(error.description)
        } catch {
            throw ClientError("\(error)")
        }
    }

    /// The fingerprint of the certificate a TLS server showed (nil over TCP or memory).
    public var serverFingerprint: String? { (source as? TLSSource)?.tls.verification?.fingerprint }

    /// One client context for every test connection (the chain is not checked here).
    private static func trustingContext() throws(TLSError) -> TLSContext {
        try TLSContext.client(caFile: nil)
    }

    /// A client on the test's end of an in-memory pipe to a server.
    public init(memory: MemoryStream) {
        source = MemorySource(memory)
    }

    deinit { source.close() }

    /// Sends `line` and a LF.
    public func send(_ line: String) {
        sendRaw(Array((line + "\n").utf8))
    }

    /// Sends bytes as they are.
    public func sendRaw(_ bytes: [UInt8]) {
        _ = source.writeAll(bytes)
    }

    /// The next line (without LF), or nil after `timeout` seconds or at end of stream.
    public func readLine(timeout: TimeInterval = 5) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if !pending.isEmpty { return pending.removeFirst() }
            while let frame = framer.next() {
                switch frame {
                case .line(let text): pending.append(text)
                case .badSyntax, .tooLong: pending.append("")
                }
            }
            if !pending.isEmpty { continue }
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

    /// Closes the connection now (as a dropped phone would).
    public func closeNow() {
        source.drop()
    }

    /// Drops the connection with a reset (a phone losing signal mid-transfer): what
    /// was unread is thrown away and the server's next write fails.
    public func resetNow() {
        if let socket {
            var hard = linger(l_onoff: 1, l_linger: 0)
            setsockopt(socket.fd, SOL_SOCKET, SO_LINGER, &hard, socklen_t(MemoryLayout<linger>.size))
        }
        source.close()
    }

    private func fill(timeout: TimeInterval) -> Bool {
        guard source.waitReadable(timeout: timeout) else { return false }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        switch chunk.withUnsafeMutableBytes({ source.read(into: $0) }) {
        case .done(let n):
            framer.append(chunk[0..<n])
            return true
        case .wouldBlock, .wantsRead:
            return true
        case .end, .failed:
            sawEndOfStream = true
            return false
        }
    }
}

/// Where a ``LineClient`` reads and writes: a socket, or an in-memory pipe.
protocol LineSource: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult
    func writeAll(_ bytes: [UInt8]) -> Bool
    func waitReadable(timeout: TimeInterval) -> Bool
    /// Drops the line without a goodbye.
    func drop()
    func close()
}

final class SocketSource: LineSource {
    let socket: Socket
    private var closed = false
    init(_ socket: Socket) { self.socket = socket }
    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult { socket.read(into: buffer) }
    func writeAll(_ bytes: [UInt8]) -> Bool { socket.writeAll(bytes) }
    func waitReadable(timeout: TimeInterval) -> Bool { socket.wait(for: Int16(POLLIN), timeout: timeout) }
    func drop() { socket.shutdownBoth() }
    func close() {
        guard !closed else { return }
        closed = true
        socket.close()
    }
}

final class TLSSource: LineSource {
    let socket: Socket
    let tls: TLSStream
    private var closed = false
    init(socket: Socket, tls: TLSStream) {
        self.socket = socket
        self.tls = tls
    }
    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult { tls.read(into: buffer) }
    func writeAll(_ bytes: [UInt8]) -> Bool { tls.writeAll(bytes, waitingOn: socket) }
    func waitReadable(timeout: TimeInterval) -> Bool {
        tls.hasBufferedInput || socket.wait(for: Int16(POLLIN), timeout: timeout)
    }
    func drop() { socket.shutdownBoth() }
    func close() {
        guard !closed else { return }
        closed = true
        tls.close()
        socket.close()
    }
}

final class MemorySource: LineSource {
    let stream: MemoryStream
    init(_ stream: MemoryStream) { self.stream = stream }
    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult { stream.read(into: buffer) }
    func writeAll(_ bytes: [UInt8]) -> Bool { stream.writeAll(bytes) }
    func waitReadable(timeout: TimeInterval) -> Bool { stream.waitReadable(timeout: timeout) }
    func drop() { stream.close() }
    func close() { stream.close() }
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

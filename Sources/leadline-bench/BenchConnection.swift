import Foundation
import Glibc
import LeadlineTransport
import LeadlineWire

/// One load-generator connection, plaintext or TLS: set up blocking (connect,
/// handshake, greeting, login), then driven without blocking by an ``EventLoop``,
/// counting the lines it receives rather than parsing them (the generator must cost
/// less than the server it measures).
final class BenchConnection {
    let socket: Socket
    let stream: ByteStream
    private var framer = LineFramer(maxLine: 1 << 20)
    private var outbox: [UInt8] = []
    private var outStart = 0
    /// Why the last read gave no line: for the bench's error messages.
    private var lastFailure = ""

    private static let tlsContext: TLSContext = {
        do { return try TLSContext.client(caFile: nil) } catch { fail("TLS: \(error)") }
    }()

    private init(socket: Socket, stream: ByteStream) {
        self.socket = socket
        self.stream = stream
    }

    /// Connects, completes the TLS handshake if `tls`, and reads the greeting.
    static func open(port: UInt16, tls: Bool, timeout: Double = 10) throws -> BenchConnection {
        let socket = try Socket.connect(host: "127.0.0.1", port: port, timeout: timeout)
        let connection: BenchConnection
        if tls {
            let stream = try TLSStream(client: tlsContext, host: "127.0.0.1", over: SocketStream(socket))
            do {
                try stream.completeHandshake(waitingOn: socket, timeout: timeout)
            } catch {
                socket.close()
                throw error
            }
            connection = BenchConnection(socket: socket, stream: stream)
        } else {
            connection = BenchConnection(socket: socket, stream: SocketStream(socket))
        }
        let started = Date()
        let first = connection.readLine(timeout: timeout)
        guard first?.hasPrefix("HELLO ") == true else {
            connection.close()
            // Say what came instead, so a failure can be told from a slow server.
            let waited = String(format: "%.2f s", Date().timeIntervalSince(started))
            throw SocketError(first.map { "no greeting: got \"\($0.prefix(80))\" after \(waited)" }
                ?? "no greeting: \(connection.lastFailure) after \(waited)")
        }
        return connection
    }

    /// Sends `line` and waits for its `OK`/`ERR`, skipping events; blocking.
    func request(_ line: String, timeout: Double = 10) -> String? {
        guard stream.writeAll(Array((line + "\n").utf8), waitingOn: socket) else { return nil }
        while let reply = readLine(timeout: timeout) {
            if reply.hasPrefix("OK ") || reply.hasPrefix("ERR ") { return reply }
        }
        return nil
    }

    /// Waits for a line holding `text` (an event), skipping others.
    func waitForLine(containing text: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while let line = readLine(timeout: max(0.01, deadline.timeIntervalSinceNow)) {
            if line.contains(text) { return true }
            if Date() > deadline { return false }
        }
        return false
    }

    func login(_ name: String, _ token: String) throws {
        guard request("LOGIN \(name) \(token)")?.hasPrefix("OK LOGIN") == true else { throw SocketError("login as \(name) refused") }
    }

    private func readLine(timeout: Double) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if case .line(let text)? = framer.next() { return text }
            let result = withUnsafeTemporaryAllocation(byteCount: 65_536, alignment: 16) { buffer -> IOResult in
                let result = stream.read(into: buffer)
                if case .done(let n) = result { framer.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
                return result
            }
            switch result {
            case .done: continue
            case .wouldBlock, .wantsRead:
                let left = deadline.timeIntervalSinceNow
                guard left > 0, stream.hasBufferedInput || socket.wait(for: Int16(POLLIN), timeout: left) else {
                    lastFailure = "timed out"
                    return nil
                }
            case .end:
                lastFailure = "the server closed the connection"
                return nil
            case .failed(let why):
                lastFailure = why
                return nil
            }
        }
    }

    // MARK: - Driven by the event loop

    /// Queues `bytes` and writes what the socket takes now.
    func send(_ bytes: [UInt8]) {
        outbox += bytes
        _ = flush()
    }

    /// Writes queued bytes; true when none are left.
    @discardableResult
    func flush() -> Bool {
        while outStart < outbox.count || stream.hasPendingOutput {
            let result = outStart < outbox.count
                ? outbox.withUnsafeBytes { stream.write(UnsafeRawBufferPointer(rebasing: $0[outStart...])) } : stream.flush()
            guard case .done(let n) = result else { return false }
            outStart += n
        }
        outbox.removeAll(keepingCapacity: true)
        outStart = 0
        return true
    }

    /// Reads everything there is; returns how many line breaks came, or nil at the end.
    func readAvailable() -> Int? {
        var lines = 0
        while true {
            let result = withUnsafeTemporaryAllocation(byteCount: 65_536, alignment: 16) { buffer -> (IOResult, Int) in
                let result = stream.read(into: buffer)
                guard case .done(let n) = result else { return (result, 0) }
                var count = 0
                for byte in UnsafeRawBufferPointer(rebasing: buffer[0..<n]) where byte == 0x0A { count += 1 }
                return (result, count)
            }
            lines += result.1
            switch result.0 {
            case .done: continue
            case .wouldBlock, .wantsRead: return lines
            case .end, .failed: return lines > 0 ? lines : nil
            }
        }
    }

    func close() {
        stream.close()
        socket.close()
    }
}

import Glibc

/// A non-blocking, two-way stream of bytes under a connection: a TCP socket, TLS over
/// one, or one end of an in-memory pipe (tests).
///
/// The connection above it moves bytes with ``read(into:)`` and ``write(_:)`` until
/// they say ``IOResult/wouldBlock``, then waits for its ``StreamEvents`` to say the
/// stream is readable or writable again. A stream that holds bytes of its own (TLS
/// records the socket has not taken) reports them in ``hasPendingOutput`` and pushes
/// them on with ``flush()``.
public protocol ByteStream: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult
    func write(_ bytes: UnsafeRawBufferPointer) -> IOResult
    /// Whether the stream holds output the layer below has not taken yet.
    var hasPendingOutput: Bool { get }
    /// Whether the stream holds input already read from below (TLS records read from
    /// the socket, not yet decrypted): a reader must not wait for the socket to be
    /// readable before taking it.
    var hasBufferedInput: Bool { get }
    /// Pushes held output on: `.done` once none is left.
    func flush() -> IOResult
    /// Ends our sending half after what was written (TLS: a close_notify first).
    func shutdownWrite()
    /// Releases the stream (the descriptor is closed by its ``StreamEvents``).
    func close()
    /// Whether the protocol can be spoken yet (a TLS stream: once its handshake is done).
    var isEstablished: Bool { get }
}

extension ByteStream {
    public var hasPendingOutput: Bool { false }
    public var hasBufferedInput: Bool { false }
    public func flush() -> IOResult { .done(0) }
    public var isEstablished: Bool { true }
}

extension ByteStream {
    /// Writes all of `bytes`, and whatever the stream still holds, waiting on `socket`
    /// (the descriptor under the stream) for room, at most `timeout` seconds each time:
    /// for blocking callers (the client's requests, tests).
    public func writeAll(_ bytes: [UInt8], waitingOn socket: Socket, timeout: Double = 10) -> Bool {
        var offset = 0
        while offset < bytes.count || hasPendingOutput {
            let result = offset < bytes.count
                ? bytes.withUnsafeBytes { write(UnsafeRawBufferPointer(rebasing: $0[offset...])) } : flush()
            switch result {
            case .done(let n): offset += n
            case .wouldBlock, .wantsRead: guard socket.wait(for: Int16(POLLOUT), timeout: timeout) else { return false }
            case .end, .failed: return false
            }
        }
        return true
    }
}

/// A plain TCP socket as a stream.
public final class SocketStream: ByteStream, @unchecked Sendable {
    public let socket: Socket

    public init(_ socket: Socket) { self.socket = socket }

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult { socket.read(into: buffer) }
    public func write(_ bytes: UnsafeRawBufferPointer) -> IOResult { socket.write(bytes) }
    public func shutdownWrite() { socket.shutdownWrite() }
    public func close() {}
}

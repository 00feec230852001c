import COpenSSL
import Dispatch
import Glibc

/// TLS over another ``ByteStream``: ciphertext read from the stream below is fed to
/// OpenSSL through a memory buffer, and each record OpenSSL writes is handed straight
/// down (``OutputBIO``). OpenSSL never touches the socket, so the same connection code
/// serves plain and TLS streams, and the handshake is driven by the reads.
///
/// Confined to one queue (the connection's). A write OpenSSL cannot make before the
/// handshake has read the peer's answer reports ``IOResult/wantsRead``.
public final class TLSStream: ByteStream, @unchecked Sendable {
    public let inner: ByteStream
    private let ssl: OpaquePointer
    private let input: OpaquePointer   // BIO OpenSSL reads ciphertext from
    /// Ciphertext OpenSSL wrote that the stream below has not taken yet (empty,
    /// holding no memory, on an idle connection).
    private var cipher: [UInt8] = []
    private var cipherStart = 0
    /// Why the stream below refused ciphertext (closed, reset), once it has.
    private var outputFailure: String?
    private var freed = false
    /// The first byte the peer sent, to tell a person typing plaintext from TLS.
    private var firstByte: UInt8?
    /// The largest TLS record, with room for its header: what one read from below takes.
    private static let recordSize = 16 * 1024 + 512

    /// The server side: the client's hello arrives with the first read.
    public init(server context: TLSContext, over inner: ByteStream) throws(TLSError) {
        self.inner = inner
        (ssl, input) = try Self.make(context)
        SSL_set_accept_state(ssl)
        OutputBIO.attach(to: self)
    }

    /// The client side, for `host` (its name is sent, SNI, and checked against the
    /// certificate); the hello goes out with the first read or write.
    public init(client context: TLSContext, host: String, over inner: ByteStream) throws(TLSError) {
        self.inner = inner
        (ssl, input) = try Self.make(context)
        SSL_set_connect_state(ssl)
        OutputBIO.attach(to: self)
        if !Endpoint.isNumericAddress(host) { _ = leadline_set_sni(ssl, host) }
        _ = SSL_set1_host(ssl, host)
    }

    private static func make(_ context: TLSContext) throws(TLSError) -> (OpaquePointer, OpaquePointer) {
        guard let ssl = SSL_new(context.ctx), let input = BIO_new(BIO_s_mem()) else {
            throw TLSError.openSSL("cannot start TLS")
        }
        _ = leadline_bio_set_mem_eof_return(input, -1)
        SSL_set0_rbio(ssl, input)
        return (ssl, input)
    }

    deinit { release() }

    /// Sets the BIO OpenSSL writes to (``OutputBIO``).
    fileprivate func setOutput(_ bio: OpaquePointer) { SSL_set0_wbio(ssl, bio) }

    private func release() {
        guard !freed else { return }
        freed = true
        SSL_free(ssl)  // frees both BIOs too
    }

    /// Whether the handshake is done (until then, nothing of the protocol can be said).
    public var isHandshakeComplete: Bool { !freed && SSL_is_init_finished(ssl) == 1 }

    public var isEstablished: Bool { isHandshakeComplete }

    // MARK: - ByteStream

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        guard !freed else { return .end }
        while true {
            let n = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
            if n > 0 {
                _ = flushCipher()
                return .done(Int(n))
            }
            let error = SSL_get_error(ssl, n)
            switch error {
            case SSL_ERROR_WANT_READ:
                // OpenSSL needs more ciphertext: whatever it wrote meanwhile (handshake
                // messages) goes out first.
                if case .failed(let why) = flushCipher() { return .failed(why) }
                switch fill() {
                case .done: continue
                case .end: return isHandshakeComplete ? .end : .failed("the peer closed the connection during the TLS handshake")
                case let other: return other
                }
            case SSL_ERROR_ZERO_RETURN:
                return .end
            default:
                if let outputFailure { return .failed(outputFailure) }
                return .failed("TLS: " + (OpenSSLErrors.drain() ?? "error \(error)"))
            }
        }
    }

    /// Reads ciphertext from below into OpenSSL's input, through a buffer on the stack
    /// (an idle connection holds no read buffer of its own).
    private func fill() -> IOResult {
        withUnsafeTemporaryAllocation(byteCount: Self.recordSize, alignment: 16) { buffer in
            let result = inner.read(into: buffer)
            if case .done(let k) = result {
                if firstByte == nil, k > 0 { firstByte = buffer[0] }
                _ = BIO_write(input, buffer.baseAddress, Int32(k))
            }
            return result
        }
    }

    /// Whether the peer began with text rather than a TLS handshake: someone typing at
    /// the TLS port with `nc`, or a client set up for plaintext. (A TLS hello's first
    /// byte is 0x16; a protocol line starts with a letter.)
    public var peerSentPlaintext: Bool {
        guard let firstByte, !isHandshakeComplete else { return false }
        return (0x41...0x5A).contains(firstByte) || (0x61...0x7A).contains(firstByte)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) -> IOResult {
        guard !freed else { return .failed("the TLS stream is closed") }
        switch flushCipher() {
        case .wouldBlock: return .wouldBlock
        case .failed(let why): return .failed(why)
        default: break
        }
        guard bytes.count > 0 else { return .done(0) }
        let n = SSL_write(ssl, bytes.baseAddress, Int32(min(bytes.count, 16 * 1024)))
        if n > 0 {
            // The record went down as it was written (or waits in `cipher`).
            return .done(Int(n))
        }
        if let outputFailure { return .failed(outputFailure) }
        let error = SSL_get_error(ssl, n)
        switch error {
        case SSL_ERROR_WANT_READ:
            _ = flushCipher()
            return .wantsRead
        case SSL_ERROR_WANT_WRITE:
            return flushCipher() == .wouldBlock ? .wouldBlock : .wantsRead
        default:
            return .failed("TLS: " + (OpenSSLErrors.drain() ?? "error \(error)"))
        }
    }

    /// Drives the handshake to its end, waiting on `socket` (the descriptor under this
    /// stream) at most `timeout` seconds: for a client that connects blocking, as the
    /// `leadline` client and the tests do. A server's connections never block: their
    /// handshake is driven by their reads.
    public func completeHandshake(waitingOn socket: Socket, timeout: Double) throws(TLSError) {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        func remaining() -> Double { Double(Int64(deadline) - Int64(DispatchTime.now().uptimeNanoseconds)) / 1e9 }
        func sendAll() throws(TLSError) {
            while true {
                switch flushCipher() {
                case .done: return
                case .failed(let why): throw TLSError(why)
                default:
                    guard remaining() > 0, socket.wait(for: Int16(POLLOUT), timeout: remaining()) else {
                        throw TLSError("the TLS handshake timed out")
                    }
                }
            }
        }
        _ = OpenSSLErrors.drain()
        while !freed {
            let rc = SSL_do_handshake(ssl)
            try sendAll()
            if rc == 1 { return }
            let error = SSL_get_error(ssl, rc)
            guard error == SSL_ERROR_WANT_READ else {
                throw TLSError("the TLS handshake failed: " + (OpenSSLErrors.drain() ?? "error \(error)"))
            }
            switch fill() {
            case .done:
                continue
            case .end:
                throw TLSError("the server closed the connection during the TLS handshake (is it a TLS port?)")
            case .failed(let why):
                throw TLSError(why)
            case .wouldBlock, .wantsRead:
                guard remaining() > 0, socket.wait(for: Int16(POLLIN), timeout: remaining()) else {
                    throw TLSError("the TLS handshake timed out")
                }
            }
        }
        throw TLSError("the TLS stream is closed")
    }

    public var hasBufferedInput: Bool {
        !freed && (SSL_pending(ssl) > 0 || SSL_has_pending(ssl) == 1 || leadline_bio_pending(input) > 0)
    }

    public var hasPendingOutput: Bool { cipherStart < cipher.count }

    public func flush() -> IOResult { flushCipher() }

    /// Hands the ciphertext the stream below did not take earlier to it, until it is
    /// all taken (or the stream would block, and what is left waits here).
    private func flushCipher() -> IOResult {
        if let outputFailure { return .failed(outputFailure) }
        while cipherStart < cipher.count {
            let result = cipher.withUnsafeBytes { inner.write(UnsafeRawBufferPointer(rebasing: $0[cipherStart...])) }
            switch result {
            case .done(let n) where n > 0: cipherStart += n
            case .done, .wouldBlock, .wantsRead: return .wouldBlock
            case .end: return .failed("the connection is closed")
            case .failed(let why): return .failed(why)
            }
        }
        cipher = []
        cipherStart = 0
        return .done(0)
    }

    /// Takes a record OpenSSL wrote (``OutputBIO``): straight to the stream below when
    /// nothing is waiting before it, with no copy; what the stream does not take waits
    /// in ``cipher``, after anything already waiting. False once the stream below has
    /// failed (OpenSSL then fails the write).
    fileprivate func takeCipher(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if outputFailure != nil { return false }
        var taken = 0
        // A handshake's flight is several records: they wait and go down together
        // when OpenSSL flushes (see ``OutputBIO``), one packet instead of one each.
        if cipherStart == cipher.count, SSL_is_init_finished(ssl) == 1 {
            sending: while taken < bytes.count {
                switch inner.write(UnsafeRawBufferPointer(rebasing: bytes[taken...])) {
                case .done(let n) where n > 0: taken += n
                case .done, .wouldBlock, .wantsRead: break sending
                case .end:
                    outputFailure = "the connection is closed"
                    return false
                case .failed(let why):
                    outputFailure = why
                    return false
                }
            }
        }
        if taken < bytes.count {
            if cipherStart > 0 {
                cipher.removeSubrange(0..<cipherStart)
                cipherStart = 0
            }
            cipher.append(contentsOf: bytes[taken...])
        }
        return true
    }

    public func shutdownWrite() {
        guard !freed else { return }
        if isHandshakeComplete { _ = SSL_shutdown(ssl) }
        _ = flushCipher()
        inner.shutdownWrite()
    }

    public func close() {
        inner.close()
        release()
    }

    // MARK: - The peer's certificate (clients)

    /// What the client found about the server's certificate once the handshake is done.
    public struct Verification: Sendable, Equatable {
        /// Whether the chain leads to a trusted authority and names the host.
        public let trusted: Bool
        /// OpenSSL's words when it does not.
        public let problem: String?
        /// The server certificate's SHA-256 fingerprint.
        public let fingerprint: String
        /// Whether the server's certificate signed itself (a shop without a domain).
        public let selfSigned: Bool
    }

    public var verification: Verification? {
        guard isHandshakeComplete, let cert = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(cert) }
        let result = SSL_get_verify_result(ssl)
        let problem = result == X509_V_OK ? nil : String(cString: X509_verify_cert_error_string(result))
        let selfSigned = result == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || result == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
        return Verification(trusted: result == X509_V_OK, problem: problem, fingerprint: Certificate.fingerprint(cert),
                            selfSigned: selfSigned)
    }
}

/// The BIO OpenSSL writes a TLS stream's ciphertext to: once the handshake is done,
/// each record it writes goes to ``TLSStream/takeCipher(_:)``, and so down to the
/// socket from OpenSSL's own buffer; a handshake's records wait for OpenSSL's flush.
/// (A memory BIO, as on the input side, had OpenSSL grow and clear a buffer for every
/// record and the stream copy the record out of it again: a fan-out over TLS writes a
/// record to every watcher for every batch of events.)
enum OutputBIO {
    /// One method table for every stream; the stream is each BIO's data.
    nonisolated(unsafe) private static let method: OpaquePointer = {
        guard let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "leadline stream output") else {
            fatalError("OpenSSL cannot make a BIO method")
        }
        _ = BIO_meth_set_write_ex(method) { bio, data, length, written in
            guard let bio, let context = BIO_get_data(bio) else { return 0 }
            let stream = Unmanaged<TLSStream>.fromOpaque(context).takeUnretainedValue()
            guard stream.takeCipher(UnsafeRawBufferPointer(start: data, count: length)) else { return 0 }
            written?.pointee = length
            return 1
        }
        // A flush hands down what waits (a handshake's flight); nothing else is asked
        // of a sink.
        _ = BIO_meth_set_ctrl(method) { bio, command, _, _ in
            guard command == BIO_CTRL_FLUSH else { return 0 }
            if let bio, let context = BIO_get_data(bio) {
                _ = Unmanaged<TLSStream>.fromOpaque(context).takeUnretainedValue().flush()
            }
            return 1
        }
        _ = BIO_meth_set_create(method) { bio in
            BIO_set_init(bio, 1)
            return 1
        }
        return method
    }()

    /// Gives `stream`'s OpenSSL session a BIO of this kind to write to (OpenSSL owns
    /// it from then on). The stream outlives its session, which it frees.
    static func attach(to stream: TLSStream) {
        guard let bio = BIO_new(method) else { fatalError("OpenSSL cannot make a BIO") }
        BIO_set_data(bio, Unmanaged.passUnretained(stream).toOpaque())
        stream.setOutput(bio)
    }
}

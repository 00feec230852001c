import COpenSSL

/// OpenSSL's settings for one side of TLS: a server's certificate chain and key, or a
/// client's trusted authorities. TLS 1.2 and 1.3 only, OpenSSL's current defaults for
/// everything else, no renegotiation.
///
/// Immutable once made; a server reloading its certificate makes a new one, and the
/// connections made with the old one keep it (OpenSSL counts the references).
public final class TLSContext: @unchecked Sendable {
    let ctx: OpaquePointer
    /// The server's certificate's SHA-256 fingerprint (servers only).
    public let fingerprint: String?

    private init(ctx: OpaquePointer, fingerprint: String?) {
        self.ctx = ctx
        self.fingerprint = fingerprint
    }

    deinit { SSL_CTX_free(ctx) }

    /// A server's context from PEM files: the full chain (leaf first) and its key.
    public static func server(certificateChain: String, privateKey: String) throws(TLSError) -> TLSContext {
        _ = OpenSSLErrors.drain()
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw TLSError.openSSL("cannot make a TLS context") }
        guard SSL_CTX_use_certificate_chain_file(ctx, certificateChain) == 1 else {
            SSL_CTX_free(ctx)
            throw TLSError.openSSL("cannot use the certificate chain in \(certificateChain)")
        }
        let mismatch = TLSError("the private key in \(privateKey) does not match the certificate in \(certificateChain)")
        guard SSL_CTX_use_PrivateKey_file(ctx, privateKey, SSL_FILETYPE_PEM) == 1 else {
            SSL_CTX_free(ctx)
            let reason = OpenSSLErrors.drain()
            if reason?.contains("mismatch") == true { throw mismatch }
            throw TLSError("cannot use the private key in \(privateKey)" + (reason.map { ": \($0)" } ?? ""))
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            SSL_CTX_free(ctx)
            _ = OpenSSLErrors.drain()
            throw mismatch
        }
        configure(ctx)
        let fingerprint = SSL_CTX_get0_certificate(ctx).map(Certificate.fingerprint)
        return TLSContext(ctx: ctx, fingerprint: fingerprint)
    }

    /// A client's context: it trusts the system's certificate authorities, or those in
    /// `caFile` (PEM).
    public static func client(caFile: String?) throws(TLSError) -> TLSContext {
        _ = OpenSSLErrors.drain()
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw TLSError.openSSL("cannot make a TLS context") }
        if let caFile {
            guard SSL_CTX_load_verify_locations(ctx, caFile, nil) == 1 else {
                SSL_CTX_free(ctx)
                throw TLSError.openSSL("cannot read the certificate authorities in \(caFile)")
            }
        } else {
            guard SSL_CTX_set_default_verify_paths(ctx) == 1 else {
                SSL_CTX_free(ctx)
                throw TLSError.openSSL("cannot read the system's certificate authorities")
            }
        }
        // The chain is checked after the handshake (see TLSStream.verification), so a
        // self-signed server can be shown to a person and trusted on purpose.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        configure(ctx)
        return TLSContext(ctx: ctx, fingerprint: nil)
    }

    private static func configure(_ ctx: OpaquePointer) {
        _ = leadline_ctx_set_min_tls12(ctx)
        _ = leadline_ctx_no_renegotiation(ctx)
        _ = leadline_ctx_set_mode(ctx, leadline_mode_partial_write())
    }
}

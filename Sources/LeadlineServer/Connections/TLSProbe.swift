/// Recognizes a TLS handshake arriving on the plaintext port: a client set up for
/// `tls://`, or `openssl s_client`, pointed at 7700. Its hello would otherwise be read
/// as a line of control characters, or wait for a line break that never comes while
/// the client waits for the server's hello, until the login timeout.
enum TLSProbe {
    /// Whether a connection's first bytes are a TLS record carrying a handshake
    /// (content type 22, protocol major version 3).
    static func looksLikeTLS(_ first: UnsafeRawBufferPointer) -> Bool {
        first.count >= 2 && first[0] == 0x16 && first[1] == 0x03
    }
}

import LeadlineTransport

/// Whether to speak to a TLS server, decided the way ssh decides about host keys.
///
/// A certificate a trusted authority signed for the host name is accepted. Otherwise
/// (a shop's self-signed certificate) the person is shown its SHA-256 fingerprint once
/// and asked; a yes is remembered in ``KnownServers``, and from then on only that
/// certificate is accepted: a different one is refused loudly, with both fingerprints
/// and how to accept the new one on purpose (`--trust FINGERPRINT`).
public enum ServerTrust {
    /// How the client asks a yes-or-no question: nil when there is no one to ask (no terminal).
    public typealias Ask = (String) -> Bool?

    /// Before the first connection: settles which certificate to accept for `address`.
    /// Returns the pinned fingerprint (nil: only an authority-signed certificate).
    ///
    /// With a fingerprint already trusted and none given, nothing needs asking. Otherwise
    /// the server is asked for its certificate once: an authority-signed one needs no
    /// pin; one matching `given` (`--trust`) is remembered; an unknown one is shown to the
    /// person, who may trust it, and with no one to ask the client stops, saying how.
    public static func settle(_ address: ServerAddress, context: TLSContext, given: String?,
                              known: inout KnownServers, ask: Ask) throws(ClientError) -> String? {
        if given == nil, let pinned = known.fingerprint(for: address) { return pinned }
        let verification: TLSStream.Verification
        do {
            let connection = try LinkConnection.open(address, tls: context, timeout: 5)
            defer { connection.close(); connection.socket.close() }
            guard let found = connection.verification else { throw LinkError("\(address): the server showed no certificate") }
            verification = found
        } catch {
            // Unreachable for now: the link retries, and accepts an authority-signed
            // certificate or the fingerprint given; anything else it refuses then.
            return given
        }
        if verification.trusted { return nil }
        let fingerprint = verification.fingerprint
        if let given {
            guard given == fingerprint else {
                throw ClientError.connection("the server at \(address) shows the certificate \(fingerprint), "
                    + "not \(given) given with --trust; nothing was sent")
            }
            try known.trust(fingerprint, for: address)
            return fingerprint
        }
        let question = """
            The server at \(address) shows a certificate no authority vouches for (\(verification.problem ?? "untrusted")).
            Its SHA-256 fingerprint is
              \(fingerprint)
            Compare it with the one the server printed when it started (on the server: leadlined tls fingerprint).
            Trust this certificate for \(address) from now on? (yes/no)
            """
        switch ask(question) {
        case true?:
            try known.trust(fingerprint, for: address)
            return fingerprint
        case false?:
            throw ClientError.connection("not trusted; nothing was sent to \(address)")
        case nil:
            throw ClientError.connection("the server at \(address) shows a certificate no authority vouches for "
                + "(\(verification.problem ?? "untrusted")), with the SHA-256 fingerprint \(fingerprint). "
                + "If that is the fingerprint the server printed (leadlined tls fingerprint), trust it with: "
                + "leadline --server \(address) --trust \(fingerprint) ...")
        }
    }

    /// On every connection: why the link must not speak to this server, or nil when it may.
    static func refusal(_ verification: TLSStream.Verification, pinned: String?, address: ServerAddress) -> String? {
        if verification.trusted || verification.fingerprint == pinned { return nil }
        guard let pinned else {
            return "the server at \(address) shows a certificate no authority vouches for "
                + "(\(verification.problem ?? "untrusted")), SHA-256 fingerprint \(verification.fingerprint); "
                + "run leadline on a terminal to check it, or pass --trust \(verification.fingerprint)"
        }
        return """
            WARNING: the certificate of \(address) has CHANGED since you trusted it.
              trusted: \(pinned)
              now:     \(verification.fingerprint)
            Someone may be intercepting the line, or the shop replaced its certificate. Nothing was sent.
            Ask whoever runs the server for its fingerprint (leadlined tls fingerprint); if it is the new one, accept it on purpose with:
              leadline --server \(address) --trust \(verification.fingerprint) ...
            """
    }
}

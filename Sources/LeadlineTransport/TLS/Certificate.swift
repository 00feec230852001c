import COpenSSL
import Glibc

/// Certificates: the SHA-256 fingerprint people compare, and a self-signed certificate
/// for a shop without a domain (made with OpenSSL's API, never by running `openssl`).
public enum Certificate {
    /// `AB:CD:...`: the SHA-256 of the certificate's DER form, as browsers and `openssl
    /// x509 -fingerprint -sha256` show it.
    static func fingerprint(_ cert: OpaquePointer) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(cert, EVP_sha256(), &digest, &length) == 1 else { return "" }
        return digest.prefix(Int(length)).map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    /// The fingerprint of the first certificate in a PEM file.
    public static func fingerprint(pemFile path: String) throws(TLSError) -> String {
        guard let bio = BIO_new_file(path, "r") else { throw TLSError.openSSL("cannot open \(path)") }
        defer { BIO_free(bio) }
        guard let cert = PEM_read_bio_X509(bio, nil, nil, nil) else { throw TLSError.openSSL("no certificate in \(path)") }
        defer { X509_free(cert) }
        return fingerprint(cert)
    }

    /// A certificate and its private key, as PEM.
    public struct Pair: Sendable, Equatable {
        public let certificate: [UInt8]
        public let key: [UInt8]
    }

    /// A self-signed certificate and its key (EC P-256, SHA-256), valid `days` from
    /// now, for `names` (host names, or IP addresses) with the first as its common name.
    public static func selfSigned(names: [String], days: Int = 825) throws(TLSError) -> Pair {
        try issue(names: names, by: nil, authority: false, days: days)
    }

    /// A certificate for `names`, signed by `issuer` (self-signed when nil); with
    /// `authority`, one that may sign others (a certificate authority: a test's own CA,
    /// or a shop's private one).
    public static func issue(names: [String], organization: String = "Leadline (self-signed)", by issuer: Pair?,
                             authority: Bool, days: Int = 825) throws(TLSError) -> Pair {
        _ = OpenSSLErrors.drain()
        guard let key = leadline_ec_p256_key() else { throw TLSError.openSSL("cannot make a key") }
        defer { EVP_PKEY_free(key) }
        guard let cert = X509_new() else { throw TLSError.openSSL("cannot make a certificate") }
        defer { X509_free(cert) }
        var serial = SystemRandomNumberGenerator()
        guard X509_set_version(cert, 2) == 1,
              ASN1_INTEGER_set(X509_get_serialNumber(cert), Int(serial.next(upperBound: UInt32(Int32.max)))) == 1,
              X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != nil,
              X509_gmtime_adj(X509_getm_notAfter(cert), days * 86_400) != nil,
              X509_set_pubkey(cert, key) == 1 else { throw TLSError.openSSL("cannot fill in the certificate") }
        let name = X509_get_subject_name(cert)
        let common = names.first ?? "leadline"
        guard X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, common, -1, -1, 0) == 1,
              X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, organization, -1, -1, 0) == 1 else {
            throw TLSError.openSSL("cannot name the certificate")
        }
        // The signer: the issuer's certificate and key, or this certificate and its own key.
        var signer: (cert: OpaquePointer, key: OpaquePointer)?
        if let issuer {
            guard let issuerCert = readCertificate(issuer.certificate), let issuerKey = readKey(issuer.key) else {
                throw TLSError.openSSL("cannot read the issuer's certificate and key")
            }
            signer = (issuerCert, issuerKey)
        }
        defer {
            if let signer {
                X509_free(signer.cert)
                EVP_PKEY_free(signer.key)
            }
        }
        guard X509_set_issuer_name(cert, signer.map { X509_get_subject_name($0.cert) } ?? name) == 1 else {
            throw TLSError.openSSL("cannot name the issuer")
        }
        var extensions: [(Int32, String)] = []
        if authority {
            extensions += [(NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign")]
        } else {
            extensions += [(NID_basic_constraints, "critical,CA:FALSE"), (NID_ext_key_usage, "serverAuth")]
        }
        let alternatives = names.map { Endpoint.isNumericAddress($0) ? "IP:\($0)" : "DNS:\($0)" }.joined(separator: ",")
        if !alternatives.isEmpty, !authority { extensions.append((NID_subject_alt_name, alternatives)) }
        for (nid, value) in extensions {
            guard let made = leadline_x509_extension(cert, signer?.cert ?? cert, nid, value) else {
                throw TLSError.openSSL("cannot add \(value) to the certificate")
            }
            defer { X509_EXTENSION_free(made) }
            guard X509_add_ext(cert, made, -1) == 1 else { throw TLSError.openSSL("cannot add \(value) to the certificate") }
        }
        guard X509_sign(cert, signer?.key ?? key, EVP_sha256()) > 0 else { throw TLSError.openSSL("cannot sign the certificate") }
        let certificatePEM = try pem { bio in PEM_write_bio_X509(bio, cert) }
        let keyPEM = try pem { bio in PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) }
        return Pair(certificate: certificatePEM, key: keyPEM)
    }

    private static func readCertificate(_ pem: [UInt8]) -> OpaquePointer? {
        pem.withUnsafeBytes { bytes in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_X509(bio, nil, nil, nil)
        }
    }

    private static func readKey(_ pem: [UInt8]) -> OpaquePointer? {
        pem.withUnsafeBytes { bytes in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
    }

    /// What `write` puts into a memory BIO.
    private static func pem(_ write: (OpaquePointer) -> Int32) throws(TLSError) -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw TLSError.openSSL("cannot make a buffer") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw TLSError.openSSL("cannot write PEM") }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = BIO_read(bio, &chunk, Int32(chunk.count))
            if n <= 0 { break }
            out += chunk[0..<Int(n)]
        }
        return out
    }
}

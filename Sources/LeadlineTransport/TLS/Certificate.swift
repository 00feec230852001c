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

    /// A self-signed certificate and its key (EC P-256, SHA-256), as PEM, valid `days`
    /// from now, for `names` (host names, or IP addresses) with the first as its common name.
    public static func selfSigned(names: [String], days: Int = 825) throws(TLSError) -> (certificate: [UInt8], key: [UInt8]) {
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
              X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, "Leadline (self-signed)", -1, -1, 0) == 1,
              X509_set_issuer_name(cert, name) == 1 else { throw TLSError.openSSL("cannot name the certificate") }
        let alternatives = names.map { Endpoint.isNumericAddress($0) ? "IP:\($0)" : "DNS:\($0)" }.joined(separator: ",")
        if !alternatives.isEmpty {
            guard let extensionValue = leadline_san_extension(cert, alternatives) else { throw TLSError.openSSL("cannot add the names") }
            defer { X509_EXTENSION_free(extensionValue) }
            guard X509_add_ext(cert, extensionValue, -1) == 1 else { throw TLSError.openSSL("cannot add the names") }
        }
        guard X509_sign(cert, key, EVP_sha256()) > 0 else { throw TLSError.openSSL("cannot sign the certificate") }
        let certificatePEM = try pem { bio in PEM_write_bio_X509(bio, cert) }
        let keyPEM = try pem { bio in PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) }
        return (certificatePEM, keyPEM)
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

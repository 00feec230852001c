import Foundation
import Glibc
import LeadlineJournal
import LeadlineTransport

/// The certificate the TLS listener shows: the chain and key the configuration names
/// (a certbot deploy, say), or, for a shop without a domain, a self-signed pair kept in
/// the data folder and made on the first start with OpenSSL's API.
///
/// People compare the SHA-256 fingerprint the server prints with the one their client
/// shows the first time it connects, the way ssh asks about a new host key.
struct ServerCertificate {
    let context: TLSContext
    let fingerprint: String
    /// Where it was read from, for log lines.
    let source: String
    /// Whether this load made the self-signed pair.
    let created: Bool

    /// The folder inside the data folder that holds a self-signed pair.
    static func folder(dataDirectory: String) -> String { dataDirectory + "/tls" }
    static func selfSignedPaths(dataDirectory: String) -> (certificate: String, key: String) {
        let folder = folder(dataDirectory: dataDirectory)
        return (folder + "/certificate.pem", folder + "/key.pem")
    }

    /// Reads the configured pair, or the self-signed one (made first, if `create` and
    /// there is none yet).
    static func load(_ settings: TLSSettings, dataDirectory: String, create: Bool) throws(ServerError) -> ServerCertificate {
        var made = false
        let paths: (certificate: String, key: String)
        if let certificate = settings.certificate, let key = settings.key {
            paths = (certificate, key)
        } else {
            paths = selfSignedPaths(dataDirectory: dataDirectory)
            if !FileManager.default.fileExists(atPath: paths.certificate) {
                guard create else { throw ServerError.configuration("the self-signed certificate \(paths.certificate) is gone") }
                try makeSelfSigned(at: paths, names: names(listeningOn: settings.host))
                made = true
            }
        }
        do {
            let context = try TLSContext.server(certificateChain: paths.certificate, privateKey: paths.key)
            return ServerCertificate(context: context, fingerprint: context.fingerprint ?? "?", source: paths.certificate, created: made)
        } catch {
            throw ServerError.configuration("TLS: \(error)")
        }
    }

    /// The fingerprint of the certificate `settings` name, or of the self-signed one in
    /// the data folder, read without its key.
    static func fingerprint(_ settings: TLSSettings, dataDirectory: String) throws(ServerError) -> String {
        let path = settings.certificate ?? selfSignedPaths(dataDirectory: dataDirectory).certificate
        guard settings.certificate != nil || FileManager.default.fileExists(atPath: path) else {
            throw ServerError.configuration("there is no TLS certificate in \(folder(dataDirectory: dataDirectory)) yet: "
                + "the server makes one on its first start with --tls-listen")
        }
        do {
            return try Certificate.fingerprint(pemFile: path)
        } catch {
            throw ServerError.configuration("TLS: \(error)")
        }
    }

    /// The names a self-signed certificate carries: this machine's, loopback's, and the
    /// listening address when it is a specific one.
    static func names(listeningOn host: String) -> [String] {
        var hostname = [CChar](repeating: 0, count: 256)
        var names: [String] = []
        if gethostname(&hostname, hostname.count) == 0 {
            let name = String(decoding: hostname.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !name.isEmpty { names.append(name) }
        }
        if !["0.0.0.0", "::", "", "localhost", "127.0.0.1", "::1"].contains(host) { names.append(host) }
        names += ["localhost", "127.0.0.1", "::1"]
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    private static func makeSelfSigned(at paths: (certificate: String, key: String), names: [String]) throws(ServerError) {
        let folder = (paths.certificate as NSString).deletingLastPathComponent
        guard mkdir(folder, 0o700) == 0 || errno == EEXIST else {
            throw ServerError.configuration("cannot make \(folder): \(String(cString: strerror(errno)))")
        }
        do {
            let pair = try Certificate.selfSigned(names: names)
            // The key first: a certificate without its key would be a broken pair.
            try DataDirectory.writeAtomically(pair.key, to: paths.key)
            try DataDirectory.writeAtomically(pair.certificate, to: paths.certificate)
        } catch let error as TLSError {
            throw ServerError.configuration("cannot make a self-signed certificate: \(error)")
        } catch {
            throw ServerError.configuration("cannot save the self-signed certificate in \(folder): \(error)")
        }
    }
}

import Foundation
import LeadlineTransport

/// Certificates made in a test, written as PEM files in a temporary folder: a test's
/// own certificate authority and a server certificate it signed, or a self-signed one.
public final class TestCertificates: @unchecked Sendable {
    public let folder: String

    public init() throws {
        folder = NSTemporaryDirectory() + "leadline-certs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// Paths of a certificate (or chain) and its key.
    public struct Files: Sendable {
        public let certificate: String
        public let key: String
        public var fingerprint: String { (try? Certificate.fingerprint(pemFile: certificate)) ?? "?" }
    }

    /// A certificate authority named `name`: its certificate is what a client trusts.
    public func authority(_ name: String) throws -> (pair: Certificate.Pair, files: Files) {
        let pair = try Certificate.issue(names: [name], organization: "Leadline test authority", by: nil, authority: true)
        return (pair, try write(pair, as: name))
    }

    /// A server certificate for `names` signed by `authority`, saved as a full chain
    /// (the server's certificate, then the authority's), as certbot saves `fullchain.pem`.
    public func server(_ names: [String], signedBy authority: Certificate.Pair, as file: String) throws -> Files {
        let pair = try Certificate.issue(names: names, organization: "Leadline test shop", by: authority, authority: false)
        let files = try write(pair, as: file)
        try Data(pair.certificate + authority.certificate).write(to: URL(fileURLWithPath: files.certificate))
        return files
    }

    /// A self-signed server certificate for `names`.
    public func selfSigned(_ names: [String], as file: String) throws -> Files {
        try write(try Certificate.selfSigned(names: names), as: file)
    }

    private func write(_ pair: Certificate.Pair, as name: String) throws -> Files {
        let files = Files(certificate: "\(folder)/\(name).pem", key: "\(folder)/\(name)-key.pem")
        try Data(pair.certificate).write(to: URL(fileURLWithPath: files.certificate))
        try Data(pair.key).write(to: URL(fileURLWithPath: files.key))
        return files
    }
}

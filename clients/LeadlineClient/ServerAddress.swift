import LeadlineTransport
import LeadlineWire

/// Where the server is, and whether the line is encrypted: `HOST:PORT`, `HOST` (the
/// default port), `:PORT`, or `tls://HOST[:PORT]` for TLS (default port 7701).
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    /// TLS (`tls://`): the server's certificate is checked, and everything is encrypted.
    public var secure: Bool

    public init(host: String = "127.0.0.1", port: UInt16? = nil, secure: Bool = false) {
        self.host = host
        self.port = port ?? (secure ? LeadlineVersion.defaultTLSPort : LeadlineVersion.defaultPort)
        self.secure = secure
    }

    public init?(_ text: String) {
        var rest = Substring(text)
        var secure = false
        if let scheme = rest.range(of: "://") {
            switch rest[..<scheme.lowerBound].lowercased() {
            case "tls": secure = true
            case "tcp": secure = false
            default: return nil
            }
            rest = rest[scheme.upperBound...]
        }
        let defaultPort = secure ? LeadlineVersion.defaultTLSPort : LeadlineVersion.defaultPort
        guard let endpoint = Endpoint(String(rest), defaultHost: "127.0.0.1", defaultPort: defaultPort) else { return nil }
        self.init(host: endpoint.host, port: endpoint.port, secure: secure)
    }

    public var endpoint: Endpoint { Endpoint(host: host, port: port) }

    /// `127.0.0.1:7700`, `tls://shop.example.com:7701`: as typed, so it can be pasted back.
    public var description: String { (secure ? "tls://" : "") + endpoint.description }
}

import Glibc

/// A host and port as people write them: `HOST:PORT`, `HOST` (the default port),
/// `:PORT` (the default host), `[2001:db8::1]:PORT` or a bare IPv6 address.
///
/// One reading for every place an address is typed: the server's `--tls-listen`, the
/// client's `--server` and `LEADLINE_SERVER`.
public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Reads `text`; nil when the port is not a number from 1 to 65535 (0 too, if
    /// `allowsAnyPort`: a listener taking a free port).
    public init?(_ text: String, defaultHost: String, defaultPort: UInt16, allowsAnyPort: Bool = false) {
        var host = Substring(text)
        var port = defaultPort
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            // [v6] or [v6]:port
            let rest = host[host.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let p = UInt16(rest.dropFirst()) else { return nil }
                port = p
            }
            host = host[host.index(after: host.startIndex)..<close]
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            guard let p = UInt16(host[host.index(after: colon)...]) else { return nil }
            port = p
            host = host[..<colon]
        } else if host.allSatisfy(\.isNumber), !host.isEmpty {
            // A bare number is a port.
            guard let p = UInt16(host) else { return nil }
            port = p
            host = ""
        }
        guard port > 0 || allowsAnyPort else { return nil }
        guard !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        self.init(host: host.isEmpty ? defaultHost : String(host), port: port)
    }

    /// `shop.example.com:7701`, `[2001:db8::1]:7701`.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether `name` is an IPv4 or IPv6 address (rather than a host name).
    public static func isNumericAddress(_ name: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }
}

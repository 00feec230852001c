import LeadlineWire

/// Where the server is: `HOST:PORT`, `HOST` (the default port) or `:PORT`.
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String = "127.0.0.1", port: UInt16 = LeadlineVersion.defaultPort) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        var host = text
        var port = LeadlineVersion.defaultPort
        if let colon = text.lastIndex(of: ":"), !text.hasSuffix("]") {
            guard let p = UInt16(text[text.index(after: colon)...]), p > 0 else { return nil }
            port = p
            host = String(text[..<colon])
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host.isEmpty ? "127.0.0.1" : host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

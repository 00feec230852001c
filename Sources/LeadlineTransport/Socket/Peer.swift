/// The other end of a connection: its address and port.
public struct Peer: Sendable, Equatable, CustomStringConvertible {
    public let address: String
    public let port: UInt16

    public init(address: String, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// `127.0.0.1:51234`, `[2001:db8::1]:51234`: how logs name a connection.
    public var description: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }

    /// What per-address limits count by: the address, or an IPv6 address's /64 (one
    /// household or phone usually holds a whole /64).
    public var limitKey: String {
        guard address.contains(":"), !address.hasPrefix("::ffff:") else { return address }
        let groups = address.split(separator: ":", omittingEmptySubsequences: false)
        guard !address.contains("::") || groups.count >= 6 else { return address }
        return groups.prefix(4).joined(separator: ":") + "::/64"
    }

    /// Whether the peer is this machine (a plaintext port there never crosses a network).
    public var isLoopback: Bool { address.hasPrefix("127.") || address == "::1" || address == "localhost" }
}

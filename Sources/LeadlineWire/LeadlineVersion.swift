/// The software version, shown in the server's greeting and the client's `--version`.
public enum LeadlineVersion {
    public static let current = "0.1.0"
    /// The protocol version in the greeting's `proto=`.
    public static let protocolVersion = 1
    /// The port the server listens on and the client connects to when told nothing else.
    public static let defaultPort: UInt16 = 7700
    /// The TLS port beside it (as IRC pairs 6667 with 6697).
    public static let defaultTLSPort: UInt16 = 7701
}

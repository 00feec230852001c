/// Everything a connection needs to move bytes: its stream, the events that say when
/// it can move them, and who is at the other end.
public struct Transport {
    public let stream: ByteStream
    public let events: StreamEvents
    public let peer: Peer
    /// Whether the bytes are encrypted on the way (TLS), for logs and `WHO`.
    public let isSecure: Bool

    public init(stream: ByteStream, events: StreamEvents, peer: Peer, isSecure: Bool) {
        self.stream = stream
        self.events = events
        self.peer = peer
        self.isSecure = isSecure
    }
}

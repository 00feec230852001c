/// What one non-blocking read or write did.
public enum IOResult: Sendable, Equatable {
    /// This many bytes moved (at least one).
    case done(Int)
    /// Nothing can move until the stream is readable (or writable) again.
    case wouldBlock
    /// A write that cannot go on until the stream has read (a TLS handshake in progress).
    case wantsRead
    /// A read: the other side closed its sending half (or the stream is closed).
    case end
    /// A failure, in words.
    case failed(String)
}

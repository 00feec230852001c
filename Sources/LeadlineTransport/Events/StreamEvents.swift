import Dispatch
import Glibc

/// Tells a connection, on its queue, when its stream can be read or written.
///
/// For a descriptor: its registration in an ``EventPoller``; for an in-memory pipe: the pipe
/// itself (``MemoryPipe``). The connection turns reading and writing interest on and
/// off; ``cancel()`` ends the events, and for a descriptor closes it.
public protocol StreamEvents: AnyObject {
    func activate(readable: @escaping @Sendable () -> Void, writable: @escaping @Sendable () -> Void)
    func setReading(_ on: Bool)
    func setWriting(_ on: Bool)
    func cancel()
}

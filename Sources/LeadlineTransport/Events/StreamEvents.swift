import Dispatch
import Glibc

/// Tells a connection, on its queue, when its stream can be read or written.
///
/// For a descriptor: Dispatch sources (``FileEvents``); for an in-memory pipe: the pipe
/// itself (``MemoryPipe``). The connection turns reading and writing interest on and
/// off; ``cancel()`` ends the events, and for a descriptor closes it once the sources
/// are gone.
public protocol StreamEvents: AnyObject {
    func activate(readable: @escaping @Sendable () -> Void, writable: @escaping @Sendable () -> Void)
    func setReading(_ on: Bool)
    func setWriting(_ on: Bool)
    func cancel()
}

/// Dispatch read and write sources on one descriptor.
///
/// libdispatch keys its registrations by descriptor number, so the descriptor is closed
/// only after both sources' cancel handlers ran (a reused number must never meet a
/// stale registration); a suspended source is resumed before it is cancelled (a
/// suspended source released traps); the write source is level-triggered, so it is
/// suspended whenever the connection has nothing to write.
public final class FileEvents: StreamEvents, @unchecked Sendable {
    private let readSource: DispatchSourceRead
    private let writeSource: DispatchSourceWrite
    private var readSuspended = false
    private var writeSuspended = true
    private var cancelled = false

    public init(fd: Int32, queue: DispatchQueue) {
        readSource = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        writeSource = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        let closer = DescriptorCloser(fd: fd, sources: 2)
        readSource.setCancelHandler { closer.sourceCancelled() }
        writeSource.setCancelHandler { closer.sourceCancelled() }
    }

    private var activated = false

    /// Starts the events; called again, hands them to new handlers (a listener that
    /// read a PROXY header passes the descriptor on to its connection).
    public func activate(readable: @escaping @Sendable () -> Void, writable: @escaping @Sendable () -> Void) {
        readSource.setEventHandler(handler: readable)
        writeSource.setEventHandler(handler: writable)
        guard !activated else {
            setReading(true)
            return
        }
        activated = true
        readSource.activate()
        writeSource.activate()
        writeSource.suspend()
    }

    public func setReading(_ on: Bool) {
        guard !cancelled, on == readSuspended else { return }
        readSuspended = !on
        if on { readSource.resume() } else { readSource.suspend() }
    }

    public func setWriting(_ on: Bool) {
        guard !cancelled, on == writeSuspended else { return }
        writeSuspended = !on
        if on { writeSource.resume() } else { writeSource.suspend() }
    }

    public func cancel() {
        guard !cancelled else { return }
        cancelled = true
        if readSuspended { readSuspended = false; readSource.resume() }
        if writeSuspended { writeSuspended = false; writeSource.resume() }
        readSource.cancel()
        writeSource.cancel()
    }
}

/// Closes a descriptor once every dispatch source on it has been cancelled.
public final class DescriptorCloser: @unchecked Sendable {
    private let fd: Int32
    private var remaining: Int

    public init(fd: Int32, sources: Int) {
        self.fd = fd
        remaining = sources
    }

    /// Called from each source's cancel handler (all on one queue).
    public func sourceCancelled() {
        remaining -= 1
        if remaining == 0 { Glibc.close(fd) }
    }
}

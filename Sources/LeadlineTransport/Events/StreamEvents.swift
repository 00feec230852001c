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

/// Dispatch sources on one connection's descriptor: a read source, and a write
/// source made the first time a write would block.
///
/// No descriptor ever carries two sources. libdispatch's epoll backend keeps the read
/// and the write source of one descriptor on a shared record, and tearing such a pair
/// down just after the peer reset the connection crashed the server now and then
/// (`_dispatch_unote_unregister_muxed`, about one run in ten of the bench's fan-out
/// followed by reconnects). So the write source watches a `dup` of the descriptor:
/// each descriptor has one source and one record. Most connections never fill their
/// socket buffer, so most never pay for the second descriptor or source.
///
/// Descriptors are closed only after every source's cancel handler ran (libdispatch
/// keys registrations by descriptor number: a reused number must never meet a stale
/// registration). A suspended source is cancelled first and then resumed, so it is
/// never armed again on its way out (a suspended source released traps). The write
/// source is level-triggered, so it is suspended whenever there is nothing to write.
public final class FileEvents: StreamEvents, @unchecked Sendable {
    private let fd: Int32
    private let queue: DispatchQueue
    private let readSource: DispatchSourceRead
    private var writeSource: DispatchSourceWrite?
    private var writable: (@Sendable () -> Void)?
    private var readSuspended = false
    private var writeSuspended = false
    private var activated = false
    private var cancelled = false
    private let closer: DescriptorCloser

    public init(fd: Int32, queue: DispatchQueue) {
        self.fd = fd
        self.queue = queue
        readSource = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        let closer = DescriptorCloser(fd)
        self.closer = closer
        closer.sourceAdded()
        readSource.setCancelHandler { closer.sourceCancelled() }
    }

    /// Starts the events; called again, hands them to new handlers (a listener that
    /// read a PROXY header passes the descriptor on to its connection).
    public func activate(readable: @escaping @Sendable () -> Void, writable: @escaping @Sendable () -> Void) {
        readSource.setEventHandler(handler: readable)
        self.writable = writable
        writeSource?.setEventHandler(handler: writable)
        guard !activated else {
            setReading(true)
            return
        }
        activated = true
        readSource.activate()
    }

    public func setReading(_ on: Bool) {
        guard !cancelled, on == readSuspended else { return }
        readSuspended = !on
        if on { readSource.resume() } else { readSource.suspend() }
    }

    public func setWriting(_ on: Bool) {
        guard !cancelled else { return }
        guard let source = writeSource else {
            if on { startWriteSource() }
            return
        }
        guard on == writeSuspended else { return }
        writeSuspended = !on
        if on { source.resume() } else { source.suspend() }
    }

    /// The first time a write would block: a write source on a duplicate of the
    /// descriptor (see the type's notes), active from the start.
    private func startWriteSource() {
        let copy = dup(fd)
        guard copy >= 0 else {
            // Out of descriptors: try again shortly rather than wait for an event that will not come.
            queue.asyncAfter(deadline: .now() + 0.01) { [weak self, writable] in
                guard let self, !self.cancelled else { return }
                writable?()
            }
            return
        }
        _ = fcntl(copy, F_SETFD, FD_CLOEXEC)
        let source = DispatchSource.makeWriteSource(fileDescriptor: copy, queue: queue)
        closer.sourceAdded(closing: copy)
        source.setCancelHandler { [closer] in closer.sourceCancelled() }
        if let writable { source.setEventHandler(handler: writable) }
        writeSource = source
        writeSuspended = false
        source.activate()
    }

    public func cancel() {
        guard !cancelled else { return }
        cancelled = true
        if !activated {
            // Never activated: it would run no cancel handler until activated.
            activated = true
            readSource.activate()
        }
        readSource.cancel()
        if readSuspended { readSuspended = false; readSource.resume() }
        if let writeSource {
            writeSource.cancel()
            if writeSuspended { writeSuspended = false; writeSource.resume() }
        }
    }
}

/// Closes a connection's descriptors once every dispatch source on them has been
/// cancelled. Used on one queue only (the sources' own).
public final class DescriptorCloser: @unchecked Sendable {
    private var descriptors: [Int32]
    private var sources = 0

    public init(_ fd: Int32) { descriptors = [fd] }

    /// A source was made on one of the descriptors (or on `closing`, a new one to close too).
    public func sourceAdded(closing extra: Int32? = nil) {
        sources += 1
        if let extra { descriptors.append(extra) }
    }

    /// Called from each source's cancel handler.
    public func sourceCancelled() {
        sources -= 1
        if sources == 0 { for fd in descriptors { Glibc.close(fd) } }
    }
}

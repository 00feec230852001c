import Dispatch
import CLinux
import Glibc

/// One epoll set for every connection on a queue, woken by a single Dispatch source.
///
/// A Dispatch read source per socket costs a round trip through libdispatch's
/// manager thread for every event: the manager's `epoll_wait` wakes, hands the source
/// to the queue, and after the handler runs the source goes back to the manager to be
/// re-armed (`epoll_ctl`). Sampling the server under 50 clients of durable changes
/// found a fifth of its time switching between those threads. Here the manager
/// watches one descriptor, this epoll set; when any socket in it is ready, one turn of
/// the queue takes every ready socket (``drain()``) and serves them all, the way an
/// event loop would, so many clients' requests cost one wake-up.
///
/// Level-triggered, like Dispatch's own read and write sources: a socket stays ready
/// until read (or written) as far as it goes, and interest is turned off while a
/// connection pauses. A descriptor with no interest at all is taken out of the set,
/// so a hung-up socket whose reading is paused cannot keep waking the queue.
///
/// Used on ``queue`` only.
public final class EventPoller: @unchecked Sendable {
    public let queue: DispatchQueue
    private let epoll: Int32
    private let source: DispatchSourceRead
    /// Registrations by the number the kernel hands back with each event: never a
    /// descriptor number, so an event for a closed descriptor whose number was reused
    /// within the same turn finds nothing.
    private var registered: [UInt64: PolledEvents] = [:]
    private var nextToken: UInt64 = 1
    private let ready: UnsafeMutablePointer<epoll_event>
    /// At most this many sockets are served per turn; the rest are still ready, and
    /// the source fires again.
    private static let batch = 256
    /// When the source last woke a turn (`DispatchTime` nanoseconds).
    private var lastWoken: UInt64 = 0
    /// Times ``serveMissed(after:)`` found sockets ready that no wake-up had served.
    public private(set) var missedWakeups = 0
    /// Told why, when the kernel refuses to watch a socket (the socket is then shut
    /// down, so that its connection reads the end and closes instead of waiting forever).
    public var watchFailed: ((String) -> Void)?

    public init(queue: DispatchQueue) throws(SocketError) {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw SocketError("cannot create an epoll set: \(errnoText())") }
        self.queue = queue
        epoll = fd
        ready = .allocate(capacity: Self.batch)
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in
            guard let self else { return }
            lastWoken = DispatchTime.now().uptimeNanoseconds
            drain()
        }
        source.setCancelHandler { Glibc.close(fd) }
        source.activate()
    }

    deinit {
        source.cancel()
        ready.deallocate()
    }

    /// Events for `fd`, off until ``PolledEvents/activate(readable:writable:)``.
    public func events(for fd: Int32) -> PolledEvents {
        let token = nextToken
        nextToken += 1
        let events = PolledEvents(fd: fd, token: token, poller: self)
        registered[token] = events
        return events
    }

    /// A safety net under the Dispatch source, for a caller's periodic timer: when the
    /// source has not woken for `seconds`, serves any socket that is ready anyway.
    /// Returns how many it found (each such time counts in ``missedWakeups``).
    public func serveMissed(after seconds: Double) -> Int {
        guard DispatchTime.now().uptimeNanoseconds - lastWoken >= UInt64(seconds * 1e9) else { return 0 }
        let found = drain()
        if found > 0 { missedWakeups += 1 }
        return found
    }

    /// Serves every socket that is ready now; returns how many.
    @discardableResult
    private func drain() -> Int {
        let count = Int(epoll_wait(epoll, ready, Int32(Self.batch), 0))
        guard count > 0 else { return 0 }
        for i in 0..<count {
            let event = ready[i]
            // A handler earlier in this turn may have closed this one.
            registered[event.data.u64]?.deliver(event.events)
        }
        return count
    }

    /// Sets the events the kernel watches for on `fd`: none takes it out of the set.
    /// Returns why not, when the kernel refuses (taking it out cannot fail in a way
    /// that matters).
    func watch(_ fd: Int32, token: UInt64, mask: UInt32, wasWatched: Bool) -> String? {
        var event = epoll_event()
        event.events = mask
        event.data.u64 = token
        let operation = mask == 0 ? EPOLL_CTL_DEL : wasWatched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD
        guard epoll_ctl(epoll, operation, fd, &event) != 0, mask != 0 else { return nil }
        return errnoText()
    }

    func forget(_ token: UInt64) { registered[token] = nil }
}

/// One descriptor's events in an ``EventPoller``: reading and writing interest, turned
/// on and off by its connection. Cancelling closes the descriptor at once (nothing
/// else holds a registration on it, unlike a Dispatch source).
public final class PolledEvents: StreamEvents, @unchecked Sendable {
    private let fd: Int32
    private let token: UInt64
    private let poller: EventPoller
    private var readable: (@Sendable () -> Void)?
    private var writable: (@Sendable () -> Void)?
    private var reading = false
    private var writing = false
    /// The interest the kernel holds now (0: not in the set).
    private var watched: UInt32 = 0
    private var cancelled = false

    init(fd: Int32, token: UInt64, poller: EventPoller) {
        self.fd = fd
        self.token = token
        self.poller = poller
    }

    /// Starts reading; called again, hands the events to new handlers (a listener that
    /// read a PROXY header passes the descriptor on to its connection).
    public func activate(readable: @escaping @Sendable () -> Void, writable: @escaping @Sendable () -> Void) {
        self.readable = readable
        self.writable = writable
        reading = true
        update()
    }

    public func setReading(_ on: Bool) {
        reading = on
        update()
    }

    public func setWriting(_ on: Bool) {
        writing = on
        update()
    }

    public func cancel() {
        guard !cancelled else { return }
        cancelled = true
        if watched != 0 { _ = poller.watch(fd, token: token, mask: 0, wasWatched: true) }
        poller.forget(token)
        readable = nil
        writable = nil
        Glibc.close(fd)
    }

    private func update() {
        guard !cancelled else { return }
        let mask = (reading ? EPOLLIN.rawValue : 0) | (writing ? EPOLLOUT.rawValue : 0)
        guard mask != watched else { return }
        if let why = poller.watch(fd, token: token, mask: mask, wasWatched: watched != 0) {
            poller.watchFailed?("cannot watch a connection's socket (\(why)); closing it")
            _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
            poller.queue.async { [readable] in readable?() }
            return
        }
        watched = mask
    }

    /// The kernel says the descriptor is ready: an error or hang-up goes to whichever
    /// side is listening, whose next read or write meets it.
    func deliver(_ flags: UInt32) {
        let failed = flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
        if reading, flags & EPOLLIN.rawValue != 0 || failed { readable?() }
        if !cancelled, writing, flags & EPOLLOUT.rawValue != 0 || failed { writable?() }
    }
}

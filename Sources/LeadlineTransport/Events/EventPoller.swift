import Dispatch
import CLinux
import Foundation
import Glibc
import Synchronization

/// One epoll set for every connection on a queue, waited on by a thread of its own
/// that serves what is ready on the queue, on itself.
///
/// A Dispatch read source per socket costs a round trip through libdispatch's
/// manager thread for every event: the manager's `epoll_wait` wakes, hands the source
/// to the queue, and after the handler runs the source goes back to the manager to be
/// re-armed (`epoll_ctl`). Sampling the server under 50 clients of durable changes
/// found a fifth of its time switching between those threads. One Dispatch source on
/// this set still took three switches per request (manager, worker, manager again),
/// most of a lone client's `SHOW`. Now the poll thread waits in `epoll_wait` and, when
/// anything is ready, serves it all inside `queue.sync`, which runs the work on the
/// calling thread whenever the queue is free: a request is read, answered and written
/// by the thread that woke for it, the way an event loop would, and many clients'
/// requests still cost one wake-up. Everything else on the queue (timers, commits,
/// replies) runs as before, one thing at a time.
///
/// After a turn, the thread looks again without blocking for a short while (up to the
/// `spin` it is made with) before it sleeps. A thread that sleeps in `epoll_wait` is
/// woken by the kernel when a request arrives, and on a virtual machine that wake-up
/// (the idle CPU halted, an interrupt through the hypervisor) took about 30 µs here: as
/// long as answering a `SHOW`. A client working through requests one after another
/// sends its next within tens of microseconds of its last answer, so the thread is still
/// looking when it comes (a lone client's `SHOW` took 27 µs instead of 65 on an idle
/// machine, and 32 µs instead of 45 with the peer benchmark's idle spinners, which keep
/// the CPUs from halting).
/// The cost is bounded and fitted to the traffic (``SpinWindow``): the window closes
/// when the gaps between requests are longer than it can bridge, so an idle server, or
/// one answering a request now and then, does not look at all. The same trade as Go's
/// scheduler spinning before it parks, or Linux's haltpoll governor polling an idle CPU.
///
/// Level-triggered, like Dispatch's own read and write sources: a socket stays ready
/// until read (or written) as far as it goes, and interest is turned off while a
/// connection pauses. A descriptor with no interest at all is taken out of the set,
/// so a hung-up socket whose reading is paused cannot keep waking the queue.
///
/// Used on ``queue`` only (the poll thread enters it through `queue.sync`).
public final class EventPoller: @unchecked Sendable {
    public let queue: DispatchQueue
    private let epoll: Int32
    private let loop: PollLoop
    /// Registrations by the number the kernel hands back with each event: never a
    /// descriptor number, so an event for a closed descriptor whose number was reused
    /// within the same turn finds nothing. Token 0 is the poll thread's wake-up.
    private var registered: [UInt64: PolledEvents] = [:]
    private var nextToken: UInt64 = 1
    /// For ``serveMissed(after:)``, which polls on the queue (the poll thread has its own).
    private let ready: UnsafeMutablePointer<epoll_event>
    /// At most this many sockets are served per turn; the rest are still ready, and
    /// the next `epoll_wait` returns them at once.
    fileprivate static let batch = 256
    /// When the poll thread last served a turn (`DispatchTime` nanoseconds).
    private var lastWoken: UInt64 = 0
    /// Times ``serveMissed(after:)`` found sockets ready that no wake-up had served.
    public private(set) var missedWakeups = 0
    /// Runs at the end of every turn the poll thread serves, still in the turn: what
    /// the turn's handlers left to do once for all of them (the hub journals the
    /// turn's changes and writes out the replies they queued, on this thread, instead
    /// of waking another for it).
    public var turnEnded: (() -> Void)?
    /// Whether the poll thread is serving a turn now (``turnEnded`` included); work
    /// left for ``turnEnded`` then needs no turn of its own.
    public private(set) var servingTurn = false
    /// When the turn being served began, in monotonic seconds: what a connection's
    /// timers and rate limit read during the turn (one clock read a turn, not three
    /// a request).
    public var turnStarted: Double { Double(lastWoken) / 1e9 }
    /// Times the poll thread, looking after a turn, found something ready without
    /// having slept; and times it went to sleep. For tests and tools.
    public var readyWhileLooking: Int { loop.readyWhileLooking.load(ordering: .relaxed) }
    public var sleeps: Int { loop.sleeps.load(ordering: .relaxed) }
    /// How long the poll thread looks after a turn now (see ``SpinWindow``).
    public var lookingFor: Duration { .nanoseconds(loop.looking.load(ordering: .relaxed)) }
    /// Told why, when the kernel refuses to watch a socket (the socket is then shut
    /// down, so that its connection reads the end and closes instead of waiting forever).
    public var watchFailed: ((String) -> Void)?

    /// `spin`: the longest the poll thread keeps looking, without blocking, after a
    /// turn (0: it blocks at once).
    public init(queue: DispatchQueue, spin: Duration = .zero) throws(SocketError) {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw SocketError("cannot create an epoll set: \(errnoText())") }
        let wake = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = 0
        guard wake >= 0, epoll_ctl(fd, EPOLL_CTL_ADD, wake, &event) == 0 else {
            let why = errnoText()
            if wake >= 0 { Glibc.close(wake) }
            Glibc.close(fd)
            throw SocketError("cannot create the poll thread's wake-up: \(why)")
        }
        self.queue = queue
        epoll = fd
        ready = .allocate(capacity: Self.batch)
        loop = PollLoop(epoll: fd, wake: wake, queue: queue, spin: spin)
        loop.poller = self
        loop.start()
    }

    deinit {
        loop.stop()
        ready.deallocate()
    }

    /// Serves no more turns: the poll thread ends, and work posted or carried to it
    /// is dropped unrun. For a server that has stopped, whose handlers must not run
    /// after it is gone (a connection still held by work carried to the next turn
    /// keeps this poller alive).
    public func stop() {
        loop.stop()
    }

    /// Events for `fd`, off until ``PolledEvents/activate(readable:writable:)``.
    public func events(for fd: Int32) -> PolledEvents {
        let token = nextToken
        nextToken += 1
        let events = PolledEvents(fd: fd, token: token, poller: self)
        registered[token] = events
        return events
    }

    /// A safety net under the poll thread, for a caller's periodic timer: when the
    /// thread has not served a turn for `seconds`, serves any socket that is ready
    /// anyway. Returns how many it found (each such time counts in ``missedWakeups``).
    public func serveMissed(after seconds: Double) -> Int {
        guard DispatchTime.now().uptimeNanoseconds - lastWoken >= UInt64(seconds * 1e9) else { return 0 }
        let found = serveReady()
        if found > 0 { missedWakeups += 1 }
        return found
    }

    /// Serves the sockets that are ready now, without waiting (on the queue): in a turn,
    /// requests that arrived while the turn's handlers ran, so they join the changes the
    /// turn already holds (the hub does this before a group commit: a client answered
    /// early in the last turn has often written its next request by then, and would
    /// otherwise wait for the whole next commit). Returns how many sockets it served.
    @discardableResult
    public func serveReady() -> Int {
        let count = Int(epoll_wait(epoll, ready, Int32(Self.batch), 0))
        guard count > 0 else { return 0 }
        return deliver(UnsafeBufferPointer(start: ready, count: count))
    }

    /// Runs `work` on the queue, in a turn of the poll thread (from any thread): work
    /// that would otherwise wake a thread of its own, such as a synced batch's
    /// completions, shares the turn with the sockets that are ready.
    public func post(_ work: @escaping @Sendable () -> Void) {
        loop.post(work)
    }

    /// Runs `work` on the queue in a later turn of the poll thread, which also serves
    /// the sockets ready by then. From inside a turn it is carried to the next with no
    /// wake-up at all (the poll thread then only looks for ready sockets, without
    /// waiting); from anywhere else it is ``post(_:)``. Work that resumes a connection
    /// after its change is answered goes this way: on the queue it would wake a
    /// Dispatch worker thread for every request, a tenth of a lone client's time.
    public func nextTurn(_ work: @escaping @Sendable () -> Void) {
        if servingTurn { loop.carry(work) } else { loop.post(work) }
    }

    /// Serves a turn of the poll thread (on the queue): the work posted to it, then
    /// what it found ready, then ``turnEnded``.
    fileprivate func serve(_ posted: [@Sendable () -> Void], _ events: UnsafeBufferPointer<epoll_event>) {
        lastWoken = DispatchTime.now().uptimeNanoseconds
        servingTurn = true
        defer { servingTurn = false }
        for work in posted { work() }
        deliver(events)
        turnEnded?()
    }

    /// Hands each event to its registration; returns how many were for sockets.
    @discardableResult
    private func deliver(_ events: UnsafeBufferPointer<epoll_event>) -> Int {
        var sockets = 0
        for event in events where event.data.u64 != 0 {
            sockets += 1
            // A handler earlier in this turn may have closed this one.
            registered[event.data.u64]?.deliver(event.events)
        }
        return sockets
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

/// The poll thread: waits in `epoll_wait` on the set, then serves what is ready and
/// what was posted to it inside `queue.sync`, until its poller goes away. Posting and
/// stopping wake it through an eventfd in the set. The set and the eventfd are closed
/// when both the poller and the thread are done with this object (its deinit), never
/// while either could still use their numbers.
private final class PollLoop: @unchecked Sendable {
    private let epoll: Int32
    private let wake: Int32
    private let queue: DispatchQueue
    /// How long the thread looks after a turn, and when the last turn ended
    /// (`DispatchTime` nanoseconds); on the poll thread only.
    private var window: SpinWindow
    private var lastTurnEnded: UInt64 = 0
    /// Counters, and the window's length, for the poller to read from any thread.
    let readyWhileLooking = Atomic<Int>(0)
    let sleeps = Atomic<Int>(0)
    let looking = Atomic<Int64>(0)
    private let stopping = Atomic<Bool>(false)
    /// Work posted to the next turn, and whether the thread has ended (then nothing
    /// more is taken: checked under the same lock as the append, so work posted
    /// while the thread ends is not left holding what it captured forever).
    private struct Posted {
        var work: [@Sendable () -> Void] = []
        var closed = false
    }
    private let posted = Mutex(Posted())
    /// Work was carried from the turn being served to the next (``carry(_:)``); read
    /// and written on the poll thread only.
    private var carried = false
    /// Set once, before the thread starts; weak, so the poller can go away.
    weak var poller: EventPoller?

    init(epoll: Int32, wake: Int32, queue: DispatchQueue, spin: Duration) {
        self.epoll = epoll
        self.wake = wake
        self.queue = queue
        let (seconds, attoseconds) = spin.components
        window = SpinWindow(limit: UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000)))
        looking.store(Int64(window.current), ordering: .relaxed)
    }

    deinit {
        Glibc.close(wake)
        Glibc.close(epoll)
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "leadline-poll"
        thread.start()
    }

    func stop() {
        stopping.store(true, ordering: .releasing)
        nudge()
    }

    func post(_ work: @escaping @Sendable () -> Void) {
        if append(work) { nudge() }
    }

    /// Posts `work` from a turn this thread is serving: the next wait does not block,
    /// so it needs no nudge.
    func carry(_ work: @escaping @Sendable () -> Void) {
        if append(work) { carried = true }
    }

    /// Adds `work` to what the next turn takes; false (and dropped, by the caller's
    /// return) once the thread has ended.
    private func append(_ work: @escaping @Sendable () -> Void) -> Bool {
        posted.withLock { posted in
            guard !posted.closed else { return false }
            posted.work.append(work)
            return true
        }
    }

    private func nudge() {
        var one: UInt64 = 1
        _ = Glibc.write(wake, &one, 8)
    }

    /// Everything posted so far. The eventfd is read first when it woke the thread:
    /// work posted after that writes it again, so the next wait returns at once and
    /// nothing is left behind.
    private func takePosted(nudged: Bool) -> [@Sendable () -> Void] {
        if nudged {
            var count: UInt64 = 0
            _ = Glibc.read(wake, &count, 8)
        }
        return posted.withLock { posted in
            defer { posted.work = [] }
            return posted.work
        }
    }

    private func run() {
        let ready = UnsafeMutablePointer<epoll_event>.allocate(capacity: EventPoller.batch)
        defer {
            ready.deallocate()
            // What the posted work holds (a connection holds the poller) goes now,
            // not with this object: it would keep this object alive.
            // (Released outside the lock: a release can run a deinit that posts.)
            var dropped: [@Sendable () -> Void] = []
            posted.withLock { posted in
                posted.closed = true
                swap(&posted.work, &dropped)
            }
        }
        while !stopping.load(ordering: .acquiring) {
            let waited = wait(for: ready)
            guard waited >= 0 || errno == EINTR else { return }
            let count = max(0, Int(waited))
            guard count > 0 || carried else { continue }
            guard let poller else { return }
            let events = UnsafeBufferPointer(start: ready, count: count)
            let nudged = events.contains { $0.data.u64 == 0 }
            let work = carried || nudged ? takePosted(nudged: nudged) : []
            carried = false
            queue.sync {
                // Stopped while this thread waited for the queue (the last turn of a
                // shutdown): the work taken is dropped, not run for a server that is gone.
                guard !stopping.load(ordering: .acquiring) else { return }
                poller.serve(work, events)
            }
            lastTurnEnded = DispatchTime.now().uptimeNanoseconds
        }
    }

    /// Waits for the set: not at all while work is carried to the next turn; looking
    /// again and again without blocking while the window after the last turn lasts (see
    /// ``EventPoller``); then blocking until something is ready or posted, and telling
    /// the window how long the thread was idle.
    private func wait(for ready: UnsafeMutablePointer<epoll_event>) -> Int32 {
        if carried { return epoll_wait(epoll, ready, Int32(EventPoller.batch), 0) }
        let lookUntil = lastTurnEnded + window.current
        while DispatchTime.now().uptimeNanoseconds < lookUntil, !stopping.load(ordering: .relaxed) {
            let found = epoll_wait(epoll, ready, Int32(EventPoller.batch), 0)
            if found > 0 { readyWhileLooking.add(1, ordering: .relaxed) }
            if found != 0 { return found }
        }
        sleeps.add(1, ordering: .relaxed)
        let found = epoll_wait(epoll, ready, Int32(EventPoller.batch), -1)
        window.idled(for: DispatchTime.now().uptimeNanoseconds - lastTurnEnded)
        looking.store(Int64(window.current), ordering: .relaxed)
        return found
    }
}

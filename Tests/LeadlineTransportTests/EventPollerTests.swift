import Dispatch
import Foundation
import Glibc
import LeadlineTransport
import Synchronization
import Testing

/// The epoll set every server socket shares: readiness reaches the right handler,
/// paused interest stays quiet (even on a hung-up socket), and cancelling closes the
/// descriptor and silences it.
@Suite struct EventPollerTests {
    /// Counts handler calls and lets the test wait for the next one.
    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        private let signal = DispatchSemaphore(value: 0)

        func record() {
            lock.lock()
            count += 1
            lock.unlock()
            signal.signal()
        }

        var total: Int {
            lock.lock()
            defer { lock.unlock() }
            return count
        }

        /// Whether a call comes within `seconds`.
        func next(within seconds: Double = 5) -> Bool { signal.wait(timeout: .now() + seconds) == .success }
    }

    /// What happens in a poller's turns, in order, each turn's end logged as "end".
    final class TurnLog: @unchecked Sendable {
        private let lines = Mutex<[String]>([])
        let ended = Calls()

        func add(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }

        /// Waits until the log ends with a turn's end and holds at least `count` lines.
        func waitForEnd(lines count: Int = 1) {
            var tries = 0
            while all.last != "end" || all.count < count, tries < 10 {
                _ = ended.next(within: 1)
                tries += 1
            }
        }

        /// Logs the end of every turn `poller` serves (call on its queue).
        func logEnds(of poller: EventPoller) {
            poller.turnEnded = { [self] in
                add("end")
                ended.record()
            }
        }
    }

    /// A connected pair of stream sockets, non-blocking: (served, peer).
    func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return (fds[0], fds[1])
    }

    /// A poller on its own queue, and one socket of a fresh pair registered in it.
    struct Fixture {
        let queue = DispatchQueue(label: "test.poller")
        let poller: EventPoller
        let fd: Int32
        let peer: Int32
        let events: PolledEvents

        init(_ pair: (Int32, Int32), spin: Duration = .zero) throws {
            poller = try EventPoller(queue: queue, spin: spin)
            (fd, peer) = pair
            events = queue.sync { [poller, fd] in poller.events(for: fd) }
        }

        /// Logs the end of every turn in `log`, and on every read drains the socket
        /// and runs `body` (in the poll thread's turn).
        func onRead(logging log: TurnLog, _ body: @escaping @Sendable () -> Void) {
            queue.sync { [poller, events, fd] in
                log.logEnds(of: poller)
                events.activate(readable: {
                    _ = EventPollerTests.drain(fd)
                    body()
                }, writable: {})
            }
        }

        /// Cancels the events (closing the served socket) and closes the peer.
        func finish() {
            queue.sync { events.cancel() }
            close(peer)
        }
    }

    /// A fixture over a socket pair whose reads are counted, once the poll thread
    /// has served a first request (so that it has had a turn to look after).
    func fixtureAfterAFirstRead(spin: Duration) throws -> (Fixture, Calls) {
        let f = try Fixture(try socketPair(), spin: spin)
        let reads = Calls()
        f.onRead(logging: TurnLog()) { reads.record() }
        send(f.peer, "first\n")
        #expect(reads.next())
        return (f, reads)
    }

    /// Writes `text` (no SIGPIPE if the other end is gone).
    func send(_ fd: Int32, _ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, text.utf8.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads what is there (so a level-triggered socket goes quiet); 0 at end of stream.
    static func drain(_ fd: Int32) -> Int {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return total }
            total += n
        }
    }

    @Test func readinessReachesTheHandlerOfTheReadySocketOnly() throws {
        let queue = DispatchQueue(label: "test.poller")
        let poller = try EventPoller(queue: queue)
        let (a, peerA) = try socketPair()
        let (b, peerB) = try socketPair()
        let callsA = Calls(), callsB = Calls()
        let eventsA = queue.sync { poller.events(for: a) }
        let eventsB = queue.sync { poller.events(for: b) }
        queue.sync {
            eventsA.activate(readable: { _ = Self.drain(a); callsA.record() }, writable: {})
            eventsB.activate(readable: { _ = Self.drain(b); callsB.record() }, writable: {})
        }
        send(peerB, "hello b\n")
        #expect(callsB.next())
        #expect(callsA.total == 0)
        send(peerA, "hello a\n")
        #expect(callsA.next())
        queue.sync {
            eventsA.cancel()
            eventsB.cancel()
        }
        close(peerA)
        close(peerB)
    }

    @Test func pausedReadingStaysQuietEvenAfterTheHangUpAndResumesWithIt() throws {
        let f = try Fixture(socketPair())
        let (queue, fd, peer, events) = (f.queue, f.fd, f.peer, f.events)
        let calls = Calls()
        let ended = Calls()
        queue.sync {
            events.activate(readable: {
                if Self.drain(fd) == 0 { ended.record() }
                calls.record()
            }, writable: {})
            events.setReading(false)
        }
        send(peer, "queued while paused\n")
        close(peer)
        // A hung-up socket still in the set would wake the queue again and again.
        #expect(!calls.next(within: 0.2), "no events while reading is paused")
        queue.sync { events.setReading(true) }
        #expect(calls.next(), "what arrived meanwhile is read once reading resumes")
        #expect(ended.next(), "and the hang-up is seen")
        queue.sync { events.cancel() }
    }

    @Test func writeInterestFiresWhileTheSocketHasRoom() throws {
        let f = try Fixture(socketPair())
        let (queue, events) = (f.queue, f.events)
        let writable = Calls()
        queue.sync {
            events.activate(readable: {}, writable: {
                writable.record()
                events.setWriting(false)
            })
            events.setWriting(true)
        }
        #expect(writable.next())
        #expect(!writable.next(within: 0.1), "off again once the handler turns it off")
        f.finish()
    }

    @Test func cancellingClosesTheDescriptorAndSilencesIt() throws {
        let f = try Fixture(socketPair())
        let (queue, fd, peer, events) = (f.queue, f.fd, f.peer, f.events)
        let calls = Calls()
        queue.sync {
            events.activate(readable: { calls.record() }, writable: {})
            events.cancel()
            events.cancel()
        }
        #expect(fcntl(fd, F_GETFD) == -1 && errno == EBADF, "the descriptor is closed")
        send(peer, "too late\n")
        #expect(!calls.next(within: 0.1))
        close(peer)
    }

    /// The tick's safety net: a socket that is ready while the queue is busy (so the
    /// source cannot have served it) is served by `serveMissed`, and counted.
    @Test func theSafetyNetServesWhatIsReady() throws {
        let f = try Fixture(socketPair())
        let (queue, poller, fd, peer) = (f.queue, f.poller, f.fd, f.peer)
        let calls = Calls()
        // Counted when it reads something: the poll thread, woken by the same bytes while
        // the queue was busy, may call the handler once more after the safety net has
        // drained them (a wake-up that finds nothing, harmless; on a loaded machine CI
        // saw it).
        queue.sync { f.events.activate(readable: { if Self.drain(fd) > 0 { calls.record() } }, writable: {}) }
        let found = queue.sync {
            send(peer, "while the queue is busy\n")
            var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&pollFD, 1, 5000)
            return poller.serveMissed(after: 0)
        }
        #expect(found == 1)
        #expect(calls.total == 1)
        #expect(queue.sync { poller.missedWakeups } == 1)
        #expect(queue.sync { poller.serveMissed(after: 0) } == 0, "nothing more is ready")
        f.finish()
    }

    /// What arrives while a turn is being served joins that turn when its end asks for
    /// it (`serveReady`, which the hub calls before a group commit), instead of waiting
    /// for the next turn; with nothing ready it returns at once.
    @Test func aTurnTakesWhatArrivedWhileItWasServed() throws {
        let queue = DispatchQueue(label: "test.poller")
        let poller = try EventPoller(queue: queue)
        let (a, peerA) = try socketPair()
        let (b, peerB) = try socketPair()
        let log = TurnLog()
        let eventsA = queue.sync { poller.events(for: a) }
        let eventsB = queue.sync { poller.events(for: b) }
        queue.sync {
            eventsA.activate(readable: { [self] in
                _ = Self.drain(a)
                log.add("a")
                // B's request arrives while A's is being handled.
                send(peerB, "late\n")
                var ready = pollfd(fd: b, events: Int16(POLLIN), revents: 0)
                _ = poll(&ready, 1, 5000)
            }, writable: {})
            eventsB.activate(readable: { _ = Self.drain(b); log.add("b") }, writable: {})
            poller.turnEnded = {
                log.add("served \(poller.serveReady())")
                log.add("then \(poller.serveReady())")
                log.add("end")
                log.ended.record()
            }
        }
        send(peerA, "first\n")
        log.waitForEnd(lines: 5)
        #expect(log.all == ["a", "b", "served 1", "then 0", "end"])
        queue.sync {
            eventsA.cancel()
            eventsB.cancel()
        }
        close(peerA)
        close(peerB)
    }

    /// After a turn that served a socket the poll thread keeps looking without
    /// sleeping for a while, so a request written meanwhile is found without a wake-up.
    @Test func aRequestSoonAfterATurnIsFoundWhileThePollThreadStillLooks() throws {
        let (f, reads) = try fixtureAfterAFirstRead(spin: .seconds(5))
        defer { f.finish() }
        let sleeps = f.poller.sleeps
        send(f.peer, "second\n")
        #expect(reads.next())
        #expect(f.poller.readyWhileLooking == 1)
        #expect(f.poller.sleeps == sleeps)
    }

    /// Looking is bounded: once the while has passed with nothing ready, the thread
    /// sleeps (an idle server never spins).
    @Test func thePollThreadSleepsOnceTheWhileHasPassedWithNothingReady() throws {
        let (f, _) = try fixtureAfterAFirstRead(spin: .milliseconds(20))
        defer { f.finish() }
        let sleeps = f.poller.sleeps
        var tries = 0
        while f.poller.sleeps == sleeps, tries < 500 {
            usleep(10_000)
            tries += 1
        }
        #expect(f.poller.sleeps == sleeps + 1)
        #expect(f.poller.readyWhileLooking == 0)
    }

    /// Requests further apart than the limit close the window: the thread stops
    /// looking, and sleeps at once after a turn.
    @Test func requestsFurtherApartThanTheLimitStopTheLooking() throws {
        let f = try Fixture(try socketPair(), spin: .milliseconds(10))
        defer { f.finish() }
        let reads = Calls()
        f.onRead(logging: TurnLog()) { reads.record() }
        for line in ["1\n", "2\n", "3\n", "4\n"] {
            usleep(60_000)
            send(f.peer, line)
            #expect(reads.next())
        }
        #expect(f.poller.lookingFor == .zero)
        #expect(f.poller.readyWhileLooking == 0)
    }

    /// With no while to look (the default), the thread sleeps after every turn.
    @Test func withoutLookingThePollThreadSleepsAfterEveryTurn() throws {
        let f = try Fixture(try socketPair())
        defer { f.finish() }
        let reads = Calls()
        f.onRead(logging: TurnLog()) { reads.record() }
        for line in ["first\n", "second\n"] {
            send(f.peer, line)
            #expect(reads.next())
        }
        #expect(f.poller.readyWhileLooking == 0)
    }

    /// A descriptor the kernel will not watch (a regular file) is not left waiting
    /// forever: the failure is told, and its handler runs to meet the end.
    @Test func aSocketTheKernelWillNotWatchIsToldAndEnded() throws {
        let queue = DispatchQueue(label: "test.poller")
        let poller = try EventPoller(queue: queue)
        let file = open("/proc/self/status", O_RDONLY)
        try #require(file >= 0)
        let told = Calls(), handled = Calls()
        let reasons = Mutex<[String]>([])
        let events = queue.sync { poller.events(for: file) }
        queue.sync {
            poller.watchFailed = { why in
                reasons.withLock { $0.append(why) }
                told.record()
            }
            events.activate(readable: { handled.record() }, writable: {})
        }
        #expect(told.next())
        #expect(handled.next(), "the handler runs, so its connection reads the end and closes")
        #expect(reasons.withLock { $0.first?.contains("cannot watch") } == true)
        queue.sync { events.cancel() }
    }

    /// Work posted from another thread runs on the queue, in order, inside a turn of
    /// the poll thread; and each turn ends with `turnEnded`.
    @Test func postedWorkRunsInOrderInsideATurnThatEnds() throws {
        let queue = DispatchQueue(label: "test.poller")
        let poller = try EventPoller(queue: queue)
        let log = TurnLog()
        queue.sync { log.logEnds(of: poller) }
        let posted = Calls()
        DispatchQueue.global().async {
            for i in 1...3 {
                poller.post {
                    dispatchPrecondition(condition: .onQueue(queue))
                    log.add("work \(i) in turn: \(poller.servingTurn)")
                    posted.record()
                }
            }
        }
        for _ in 1...3 { #expect(posted.next()) }
        // The work may have run over more than one turn: wait for the end of the last.
        log.waitForEnd()
        let order = log.all
        #expect(order.filter { $0.hasPrefix("work") } == ["work 1 in turn: true", "work 2 in turn: true", "work 3 in turn: true"])
        #expect(order.last == "end")
    }

    /// A ready socket's handler runs in the poll thread's turn, before `turnEnded`
    /// (the hub writes its replies out then).
    @Test func aHandlerRunsInsideTheTurnAndTheTurnEndsAfterIt() throws {
        let f = try Fixture(socketPair())
        let (queue, poller) = (f.queue, f.poller)
        let log = TurnLog()
        f.onRead(logging: log) { log.add("read in turn: \(poller.servingTurn)") }
        send(f.peer, "hello\n")
        #expect(log.ended.next())
        #expect(log.all == ["read in turn: true", "end"])
        #expect(queue.sync { poller.servingTurn } == false)
        f.finish()
    }

    /// Work a turn leaves for the next runs in a turn of its own after this one ends,
    /// with nothing else ready to wake the poll thread for it.
    @Test func workCarriedFromATurnRunsInTheNext() throws {
        let f = try Fixture(socketPair())
        let (queue, poller) = (f.queue, f.poller)
        let log = TurnLog()
        let carried = Calls()
        f.onRead(logging: log) {
            log.add("read")
            poller.nextTurn {
                log.add("carried work in turn: \(poller.servingTurn)")
                carried.record()
            }
        }
        send(f.peer, "hello\n")
        #expect(carried.next())
        log.waitForEnd(lines: 4)
        #expect(log.all == ["read", "end", "carried work in turn: true", "end"])
        // From outside a turn it is posted, and runs all the same.
        queue.sync { poller.nextTurn { carried.record() } }
        #expect(carried.next())
        f.finish()
    }

    /// A stopped poller serves no more turns: work carried from its last turn never
    /// runs, and what that work held is let go (a stopped server's connections).
    @Test func aStoppedPollerRunsNothingMoreAndLetsGoOfCarriedWork() throws {
        final class Held: Sendable {}
        let f = try Fixture(socketPair())
        let (queue, poller) = (f.queue, f.poller)
        let log = TurnLog()
        weak var held: Held?
        // Only the carried work holds it, once the handler has taken it out.
        let box = Mutex<Held?>(Held())
        box.withLock { held = $0 }
        f.onRead(logging: log) {
            log.add("read")
            let token = box.withLock { $0.take() }
            poller.nextTurn {
                _ = token
                log.add("carried work ran")
            }
            poller.stop()
        }
        send(f.peer, "hello\n")
        #expect(log.ended.next())
        var tries = 0
        while held != nil, tries < 100 {
            Thread.sleep(forTimeInterval: 0.02)
            tries += 1
        }
        #expect(held == nil)
        // Work posted once the thread has ended is let go at once, never run.
        weak var late: Held?
        do {
            let token = Held()
            late = token
            queue.sync { poller.post { _ = token; log.add("posted work ran") } }
        }
        #expect(late == nil)
        Thread.sleep(forTimeInterval: 0.1)
        #expect(log.all == ["read", "end"])
        f.finish()
    }

    /// The poll thread does not keep its poller alive: dropped, it goes away (and its
    /// thread, woken, ends and closes the set).
    @Test func aDroppedPollerGoesAway() throws {
        weak var dropped: EventPoller?
        do {
            let poller = try EventPoller(queue: DispatchQueue(label: "test.poller"))
            dropped = poller
        }
        #expect(dropped == nil)
    }
}

import Dispatch
import Foundation
import LeadlineWire

/// Timers (login timeout, keepalive, closing linger) and the graceful shutdown.
extension Hub {
    func startTimer() {
        _ = shop.clockWatch.observe(wall: config.clock.now, monotonic: monotonicSeconds())
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + config.tick, repeating: config.tick, leeway: .milliseconds(10))
        // Held strongly until the shutdown cancels the timer: a weak reference would give
        // the hub a side table, and every retain of it through a connection's reference
        // would take the slow path.
        timer.setEventHandler { [self] in tick() }
        timer.activate()
        self.timer = timer
    }

    private func tick() {
        if let poller, poller.serveMissed(after: config.tick / 2) > 0 {
            log("sockets were ready with no wake-up from the poll thread (\(poller.missedWakeups) times so far); served")
        }
        if !stopping { shop.checkAlertsOnRealClock(monotonic: monotonicSeconds()) }
        let now = monotonicSeconds()
        for c in Array(connections.values) {
            switch c.state {
            case .open:
                switch c.session.timers.tick(at: now) {
                case .ping(let n)?: c.send(encoder.ping(n))
                case .goodbye(let code, let reason)?: c.sayGoodbye(code, reason)
                case nil: break
                }
            case .draining:
                if let until = c.lingerUntil, now > until { c.lingerExpired() }
            case .closed:
                break
            }
        }
    }

    /// Stops accepting and reading, lets every pending sync finish (and its `OK` go
    /// out), says `BYE` to everyone, waits for the goodbyes to drain and for a snapshot
    /// being written to be done, then calls `done`.
    ///
    /// Safe to call more than once: every caller's `done` runs, once, when the server has stopped.
    func shutdown(done: @escaping @Sendable () -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        if stopped {
            done()
            return
        }
        shutdownWaiters.append(done)
        guard !stopping else { return }
        beginStopping()
        for listener in listeners { listener.cancel() }
        shop.whenIdle { [self] in
            for c in Array(connections.values) { c.sayGoodbye("SHUTDOWN", "the server is shutting down") }
            waitForConnections(until: monotonicSeconds() + limits.closeLinger + 0.5)
        }
    }

    private func waitForConnections(until deadline: TimeInterval) {
        if connections.isEmpty || monotonicSeconds() > deadline {
            for c in Array(connections.values) { c.close(log: nil) }
            timer?.cancel()
            timer = nil
            // Work carried to the poll thread's next turn can outlive this hub.
            poller?.turnEnded = nil
            poller?.stop()
            finishOnceSnapshotIsWritten()
            return
        }
        queue.asyncAfter(deadline: .now() + 0.02) { [self] in waitForConnections(until: deadline) }
    }

    /// The last step of stopping waits for a snapshot being written (on its own
    /// thread) to finish: only then has nothing of this server anything left to write
    /// in the data folder, whose lock the caller lets go next (a server started on the
    /// folder in the same process would otherwise find the offsets file growing under it).
    private func finishOnceSnapshotIsWritten() {
        if shop.snapshots.writing {
            queue.asyncAfter(deadline: .now() + 0.01) { [self] in finishOnceSnapshotIsWritten() }
            return
        }
        stopped = true
        let waiters = shutdownWaiters
        shutdownWaiters = []
        shop.journal.closeIfIdle()
        for done in waiters { done() }
    }
}

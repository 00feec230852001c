/// How long the poll thread looks for more work, without blocking, before it sleeps,
/// fitted to the traffic the way Linux's haltpoll governor fits its polling of an idle
/// CPU to the wake-ups it sees.
///
/// Each time the thread has to sleep, ``idled(for:)`` is told how long it was idle in
/// all (looking, then sleeping). Idle no longer than ``limit``: looking longer would
/// have caught what came, so the window doubles (from an eighth of the limit), up to
/// the limit. Idle longer: the looking was wasted, so the window halves, and below an
/// eighth of the limit it closes. Requests back to back are caught and never sleep, so
/// the window stays open; a steady load whose gaps the window cannot bridge (a request
/// every few hundred microseconds, a timer once a second) closes it within a few gaps
/// and costs no CPU for looking.
public struct SpinWindow: Sendable {
    /// The longest the thread ever looks, in nanoseconds (0: never).
    public let limit: UInt64
    /// How long it looks now.
    public private(set) var current: UInt64

    public init(limit: UInt64) {
        self.limit = limit
        current = limit
    }

    /// The thread slept, after `nanoseconds` idle since its last turn ended.
    public mutating func idled(for nanoseconds: UInt64) {
        guard limit > 0 else { return }
        if nanoseconds <= limit {
            current = min(limit, max(current * 2, limit / 8))
        } else {
            current /= 2
            if current < limit / 8 { current = 0 }
        }
    }
}

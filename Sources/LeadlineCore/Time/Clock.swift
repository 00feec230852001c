import Foundation

/// Where the domain gets "now" from.
///
/// The core never reads the system clock itself: the server injects one, and tests
/// inject a ``ManualClock`` so a whole business day runs in milliseconds.
public protocol Clock: Sendable {
    /// The current instant.
    var now: Date { get }
}

/// The wall clock of the machine.
public struct SystemClock: Clock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that only moves when told to, for tests and simulated days.
///
/// Thread-safe: reads and moves may come from any queue.
public final class ManualClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date) { current = start }

    public var now: Date {
        lock.lock(); defer { lock.unlock() }
        return current
    }

    /// Moves the clock forward (or back, for tests of odd clocks) by `interval` seconds.
    public func advance(by interval: TimeInterval) {
        lock.lock(); defer { lock.unlock() }
        current = current.addingTimeInterval(interval)
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        lock.lock(); defer { lock.unlock() }
        current = date
    }
}

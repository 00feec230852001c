import Dispatch
import Foundation

/// Two connected in-memory streams: what one end writes, the other reads. A server's
/// connection runs on one end exactly as on a socket, and a test holds the other,
/// with no network, no ports and no waiting on timers.
///
/// Thread-safe: each end may be used from its own thread or queue. Each direction holds
/// at most `capacity` unread bytes; past that the writer is told to wait, as a full
/// socket buffer would (so slow readers can be tested too).
public final class MemoryPipe: @unchecked Sendable {
    public let server: MemoryStream
    public let client: MemoryStream

    public init(capacity: Int = 1 << 20) {
        let lock = NSCondition()
        server = MemoryStream(lock: lock, capacity: capacity)
        client = MemoryStream(lock: lock, capacity: capacity)
        server.other = client
        client.other = server
    }
}

/// One end of a ``MemoryPipe``: a ``ByteStream``, ``StreamEvents`` for a connection on a
/// queue, and blocking reads for a test's thread.
public final class MemoryStream: ByteStream, StreamEvents, @unchecked Sendable {
    private let lock: NSCondition
    private let capacity: Int
    fileprivate weak var other: MemoryStream?
    // Guarded by `lock`:
    private var inbox: [UInt8] = []
    private var inboxStart = 0
    private var otherClosedWrite = false
    private var closed = false
    private var reading = true
    private var writing = false
    private var readable: (@Sendable () -> Void)?
    private var writable: (@Sendable () -> Void)?
    private var pendingReadable = false

    fileprivate init(lock: NSCondition, capacity: Int) {
        self.lock = lock
        self.capacity = capacity
    }

    // MARK: ByteStream

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        lock.lock()
        let available = inbox.count - inboxStart
        if available == 0 {
            let result: IOResult = (otherClosedWrite || closed) ? .end : .wouldBlock
            lock.unlock()
            return result
        }
        let n = min(available, buffer.count)
        inbox.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + inboxStart, byteCount: n)
        }
        inboxStart += n
        if inboxStart == inbox.count {
            inbox.removeAll(keepingCapacity: true)
            inboxStart = 0
        }
        let wake = other?.takeWritableHandler()
        lock.unlock()
        wake?()
        return .done(n)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) -> IOResult {
        guard bytes.count > 0 else { return .done(0) }
        lock.lock()
        guard !closed, let other, !other.closed else {
            lock.unlock()
            return .failed("the other end is closed")
        }
        let room = capacity - (other.inbox.count - other.inboxStart)
        guard room > 0 else {
            lock.unlock()
            return .wouldBlock
        }
        let n = min(room, bytes.count)
        other.inbox.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<n]))
        let wake = other.takeReadableHandler()
        lock.broadcast()
        lock.unlock()
        wake?()
        return .done(n)
    }

    public func shutdownWrite() {
        lock.lock()
        other?.otherClosedWrite = true
        let wake = other?.takeReadableHandler()
        lock.broadcast()
        lock.unlock()
        wake?()
    }

    public func close() {
        lock.lock()
        closed = true
        other?.otherClosedWrite = true
        let wake = other?.takeReadableHandler()
        lock.broadcast()
        lock.unlock()
        wake?()
    }

    // MARK: StreamEvents (for the end a connection runs on)

    private var queue: DispatchQueue?

    /// Runs the event handlers on `queue` (set before ``activate(readable:writable:)``).
    public func deliver(on queue: DispatchQueue) { self.queue = queue }

    public func activate(readable: @escaping @Sendable () -> Void, writable: @escaping @Sendable () -> Void) {
        lock.lock()
        self.readable = readable
        self.writable = writable
        let now = inbox.count > inboxStart || otherClosedWrite
        lock.unlock()
        if now { queue?.async(execute: readable) }
    }

    public func setReading(_ on: Bool) {
        lock.lock()
        reading = on
        let wake = on && pendingReadable ? takeReadableHandler() : nil
        lock.unlock()
        wake?()
    }

    public func setWriting(_ on: Bool) {
        lock.lock()
        writing = on
        let full = other.map { $0.inbox.count - $0.inboxStart >= capacity } ?? false
        let wake = on && !full ? takeWritableHandler() : nil
        lock.unlock()
        wake?()
    }

    public func cancel() { close() }

    /// Under the lock: the readable handler to call once unlocked, if reading is on.
    private func takeReadableHandler() -> (@Sendable () -> Void)? {
        guard let readable, let queue else { return nil }
        guard reading else {
            pendingReadable = true
            return nil
        }
        pendingReadable = false
        return { queue.async(execute: readable) }
    }

    /// Under the lock: the writable handler to call once unlocked, if writing is on.
    private func takeWritableHandler() -> (@Sendable () -> Void)? {
        guard writing, let writable, let queue else { return nil }
        return { queue.async(execute: writable) }
    }

    // MARK: Blocking use, for a test's thread

    /// Waits until bytes are there to read, the other end closed, or `timeout` passes.
    public func waitReadable(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while inbox.count == inboxStart && !otherClosedWrite && !closed {
            if !lock.wait(until: deadline) { return false }
        }
        return true
    }

    /// Writes all of `bytes`, waiting for room (the other end reading) up to `timeout`.
    public func writeAll(_ bytes: [UInt8], timeout: Double = 10) -> Bool {
        var offset = 0
        let deadline = Date().addingTimeInterval(timeout)
        while offset < bytes.count {
            switch bytes.withUnsafeBytes({ write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }) {
            case .done(let n): offset += n
            case .wouldBlock, .wantsRead:
                guard Date() < deadline else { return false }
                usleep(200)
            case .end, .failed: return false
            }
        }
        return true
    }
}

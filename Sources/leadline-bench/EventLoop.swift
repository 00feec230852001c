import CLinux
import Glibc

/// An epoll set over the generator's connections: who can be read now.
final class EventLoop {
    private let fd: Int32
    private var events = [epoll_event](repeating: epoll_event(), count: 1024)

    init() { fd = epoll_create1(Int32(EPOLL_CLOEXEC)) }
    deinit { close(fd) }

    /// Watches `socket` for input; `index` comes back from ``wait(timeout:)``.
    func add(_ socket: Int32, index: Int) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = UInt64(index)
        _ = epoll_ctl(fd, EPOLL_CTL_ADD, socket, &event)
    }

    /// Indexes of the connections with input, waiting at most `timeout` seconds.
    func wait(timeout: Double) -> [Int] {
        let n = epoll_wait(fd, &events, Int32(events.count), Int32(timeout * 1000))
        guard n > 0 else { return [] }
        return (0..<Int(n)).map { Int(events[$0].data.u64) }
    }
}

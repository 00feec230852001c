import Glibc

/// A file written front to back in large writes, then synced: the repaired journal,
/// the quarantine file, a new journal's first line.
final class OutputFile {
    let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var closed = false

    /// Creates (or empties) `path`; `append` adds to an existing file instead.
    init(path: String, append: Bool = false) throws(JournalError) {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        let fd = open(path, flags, 0o600)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path) for writing: \(errnoText())") }
        self.fd = fd
        self.path = path
    }

    deinit { if !closed { close(fd) } }

    func write(_ bytes: [UInt8]) throws(JournalError) {
        buffer += bytes
        if buffer.count >= 1 << 20 { try drain() }
    }

    private func drain() throws(JournalError) {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw JournalError.io("cannot write \(path): \(errnoText())") }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is left, syncs and closes.
    func finish() throws(JournalError) {
        try drain()
        guard fsync(fd) == 0 else { throw JournalError.io("cannot sync \(path): \(errnoText())") }
        closed = true
        close(fd)
    }

    /// Closes and removes the file.
    func abandon() {
        if !closed { close(fd) }
        closed = true
        unlink(path)
    }
}

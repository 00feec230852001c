import Glibc

/// Where journal bytes go. The server uses ``JournalFile``; tests substitute storage
/// that fails on demand, to prove a failed write changes nothing.
public protocol JournalStorage: AnyObject, Sendable {
    /// Appends `bytes` and makes them durable, or fails leaving the storage as it was.
    func appendDurably(_ bytes: [UInt8]) throws(JournalError)
}

/// An append-only file made durable with `fdatasync`.
///
/// Used only from the journal writer's queue. A failed write or sync is rolled back
/// by truncating to the last durable length, so a partly written batch never stays
/// behind to be replayed; if even that fails, the file refuses further writes until
/// the server restarts (and replay cuts any torn tail).
public final class JournalFile: JournalStorage, @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private var durableLength: Int
    private var broken: String?

    /// Opens `path` for appending; it must exist (see ``JournalReader``).
    public init(path: String) throws(JournalError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path) for writing: \(errnoText())") }
        self.fd = fd
        durableLength = lseek(fd, 0, SEEK_END)
    }

    deinit { close(fd) }

    public func appendDurably(_ bytes: [UInt8]) throws(JournalError) {
        if let broken { throw JournalError.io(broken) }
        guard !bytes.isEmpty else { return }
        do throws(JournalError) {
            try writeAll(bytes)
            guard fdatasync(fd) == 0 else { throw JournalError.io("cannot sync \(path): \(errnoText())") }
            durableLength += bytes.count
        } catch {
            if ftruncate(fd, durableLength) != 0 || fdatasync(fd) != 0 {
                broken = "\(path) could not be rolled back after a failed write (\(errnoText())); restart the server"
            }
            throw error
        }
    }

    private func writeAll(_ bytes: [UInt8]) throws(JournalError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buf in
                write(fd, buf.baseAddress! + offset, buf.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError.io("cannot write \(path): \(errnoText())")
            }
            offset += n
        }
    }
}

/// `strerror(errno)`, for messages.
func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}

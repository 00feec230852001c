import Foundation
import Glibc

/// The server's data folder: the journal, and the lock that keeps a second writer out.
///
/// Layout: `journal.jsonl` (every event, one JSON object per line) and `lock` (held
/// with `flock` by the process that writes; it names that process). The kernel
/// drops the lock when the process ends, even by `kill -9`.
public struct DataDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public var journalPath: String { path + "/journal.jsonl" }
    public var lockPath: String { path + "/lock" }

    /// Creates the folder (and its parents) if needed, readable by its owner only.
    public func create() throws(JournalError) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw JournalError.io("cannot create the data folder \(path): \(error.localizedDescription)")
        }
    }

    /// Takes the folder's lock, or explains who holds it.
    ///
    /// - Parameter holder: how this process describes itself in the lock file
    ///   (`leadlined serve on 127.0.0.1:7700`), for the message a second writer gets.
    public func lock(as holder: String) throws(JournalError) -> DirectoryLock {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError.io("cannot open \(lockPath): \(errnoText())") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            var text = [UInt8](repeating: 0, count: 512)
            let n = text.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
            close(fd)
            guard code == EWOULDBLOCK else { throw JournalError.io("cannot lock \(lockPath): \(errnoText(code))") }
            let who = n > 0 ? String(decoding: text[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            throw JournalError.locked(path: path, holder: who.isEmpty ? "another process" : who)
        }
        let line = Array("\(holder) (pid \(getpid()))\n".utf8)
        _ = ftruncate(fd, 0)
        _ = line.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) }
        return DirectoryLock(fd: fd)
    }

    /// Syncs the folder holding `file`, so a newly created file's name is durable too.
    static func syncDirectory(of file: String) {
        let dir = (file as NSString).deletingLastPathComponent
        let fd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}

/// A held data-folder lock; released when this object goes away or the process ends.
public final class DirectoryLock: @unchecked Sendable {
    private let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}

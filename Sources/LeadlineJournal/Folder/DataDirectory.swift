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
        // A process that spawns children (a test runner, a supervisor) lends every open
        // descriptor to each child between fork and exec, lock included; when the
        // recorded holder is this very process, such a loan ends within milliseconds.
        let deadline = Date().addingTimeInterval(2)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(fd)
                throw JournalError.io("cannot lock \(lockPath): \(errnoText(code))")
            }
            let who = Self.holder(fd)
            if who.hasSuffix("(pid \(getpid()))"), Date() < deadline {
                usleep(5_000)
                continue
            }
            close(fd)
            throw JournalError.locked(path: path, holder: who.isEmpty ? "another process" : who)
        }
        let lock = DirectoryLock(fd: fd, holder: "\(holder) (pid \(getpid()))", epoch: Self.lockContent(fd).epoch)
        lock.rewrite()
        return lock
    }

    /// What the lock file says about its holder.
    private static func holder(_ fd: Int32) -> String { lockContent(fd).holder }

    /// The lock file's two lines: its holder, and the epoch of the journal the folder
    /// holds (written once a journal exists, kept by every later holder).
    static func lockContent(_ fd: Int32) -> (holder: String, epoch: String?) {
        var text = [UInt8](repeating: 0, count: 512)
        let n = text.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
        guard n > 0 else { return ("", nil) }
        let lines = String(decoding: text[0..<n], as: UTF8.self).split(separator: "\n").map(String.init)
        let epoch = lines.dropFirst().first { $0.hasPrefix("journal epoch ") }.map { String($0.dropFirst("journal epoch ".count)) }
        return ((lines.first ?? "").trimmingCharacters(in: .whitespaces), epoch)
    }

    /// What in the folder shows it was used before. Read before taking the lock
    /// (which creates the lock file).
    public func evidenceOfUse() -> FolderEvidence {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        var ours = names.filter { $0.hasPrefix("journal.jsonl.") || $0.hasPrefix("journal.quarantine") || $0.hasPrefix("snapshot") }.sorted()
        let fd = open(lockPath, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            if let epoch = Self.lockContent(fd).epoch { ours.insert("a lock file naming the journal of epoch \(epoch)", at: 0) }
            close(fd)
        }
        return FolderEvidence(lockFile: names.contains("lock"), files: ours)
    }

    /// Writes `bytes` to `path` so that it appears whole or not at all: a temporary
    /// file beside it, synced, renamed over `path`, and the folder synced.
    /// The length of the file at `path`, in bytes.
    public static func fileLength(_ path: String) throws(JournalError) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw JournalError.io("cannot read the size of \(path): \(errnoText())") }
        return Int64(info.st_size)
    }

    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(JournalError) {
        let temporary = path + ".new"
        let file = try OutputFile(path: temporary)
        do throws(JournalError) {
            try file.write(bytes)
            try file.finish()
        } catch {
            file.abandon()
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let why = errnoText()
            unlink(temporary)
            throw JournalError.io("cannot put \(path) in place: \(why)")
        }
        syncDirectory(of: path)
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

/// What shows that a data folder was used before: the lock file an earlier start left,
/// and files only a running shop writes (snapshots, quarantine files, copies).
public struct FolderEvidence: Sendable, Equatable {
    public var lockFile = false
    public var files: [String] = []

    public init(lockFile: Bool = false, files: [String] = []) {
        self.lockFile = lockFile
        self.files = files
    }

    /// Nothing at all: a new folder.
    public var isEmpty: Bool { !lockFile && files.isEmpty }

    /// "the lock file of an earlier start, snapshot-000120.bin"
    public var description: String {
        ((lockFile ? ["the lock file of an earlier start"] : []) + files).joined(separator: ", ")
    }
}

/// A held data-folder lock; released when this object goes away or the process ends.
public final class DirectoryLock: @unchecked Sendable {
    private let fd: Int32
    private let holder: String
    private var epoch: String?

    init(fd: Int32, holder: String, epoch: String?) {
        self.fd = fd
        self.holder = holder
        self.epoch = epoch
    }

    deinit { close(fd) }

    /// Notes in the lock file that the folder holds the journal of `epoch`: from then on,
    /// a missing journal beside this lock file is a lost one, not a new shop.
    public func recordJournal(epoch: String) {
        guard self.epoch != epoch else { return }
        self.epoch = epoch
        rewrite()
        _ = fsync(fd)
    }

    fileprivate func rewrite() {
        let text = holder + "\n" + (epoch.map { "journal epoch \($0)\n" } ?? "")
        let bytes = Array(text.utf8)
        _ = ftruncate(fd, 0)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) }
    }
}

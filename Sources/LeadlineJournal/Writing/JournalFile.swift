import Glibc

/// Where journal bytes go. The server uses ``JournalFile``; tests substitute storage
/// that fails on demand, to prove a failed write changes nothing.
public protocol JournalStorage: AnyObject, Sendable {
    /// Appends `bytes` and makes them durable, or fails leaving the storage as it was.
    func appendDurably(_ bytes: [UInt8]) throws(JournalError)
    /// Ends writing (a clean stop): what was made ready for later writes is given back.
    func close()
}

extension JournalStorage {
    public func close() {}
}

/// An append-only file made durable with `fdatasync`.
///
/// The file is kept ahead of its content by blanks (``JournalPadding``), so most syncs
/// need not record a new length; lines are written over the blanks, where the content
/// ends. When it is let go (a clean stop), the blanks are cut off.
///
/// Used only from the journal writer's queue. A failed write or sync is rolled back
/// by truncating to the last durable length, so a partly written batch never stays
/// behind to be replayed; if even that fails, the file refuses further writes until
/// the server restarts (and replay cuts any torn tail).
public final class JournalFile: JournalStorage, @unchecked Sendable {
    public let path: String
    private let fd: Int32
    /// Where the content ends: everything before it is synced.
    private var durableLength: Int
    /// How long the file is (content and blanks).
    private var fileLength: Int
    private var broken: String?

    /// Opens `path` for appending after its content; it must exist (see ``JournalReader``).
    public init(path: String) throws(JournalError) {
        self.path = path
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path) for writing: \(errnoText())") }
        self.fd = fd
        do throws(JournalError) {
            durableLength = try JournalPadding.contentLength(of: fd)
        } catch {
            Glibc.close(fd)
            throw error
        }
        fileLength = Int(lseek(fd, 0, SEEK_END))
    }

    deinit {
        close()
        Glibc.close(fd)
    }

    /// Cuts the room made ahead off, so a journal stopped cleanly ends with its last
    /// line; further appends are refused.
    public func close() {
        if broken == nil, fileLength > durableLength, ftruncate(fd, off_t(durableLength)) == 0 {
            fileLength = durableLength
        }
        if broken == nil { broken = "\(path) was closed: the server is stopping" }
    }

    public func appendDurably(_ bytes: [UInt8]) throws(JournalError) {
        if let broken { throw JournalError.io(broken) }
        guard !bytes.isEmpty else { return }
        do throws(JournalError) {
            makeRoom(for: bytes.count)
            try PositionedIO.write(bytes[...], to: fd, at: Int64(durableLength), path: path)
            guard fdatasync(fd) == 0 else { throw JournalError.io("cannot sync \(path): \(errnoText())") }
            durableLength += bytes.count
            fileLength = max(fileLength, durableLength)
        } catch {
            if ftruncate(fd, off_t(durableLength)) != 0 || fdatasync(fd) != 0 {
                broken = "\(path) could not be rolled back after a failed write (\(errnoText())); restart the server"
            }
            fileLength = durableLength
            throw error
        }
    }

    /// Lengthens the file by a ``JournalPadding/step`` of blanks when `count` more bytes
    /// would not fit; the sync that follows records the new length once for many writes.
    /// Without room (a full disk) the file is left as it was and grows as it is written.
    private func makeRoom(for count: Int) {
        guard durableLength + count > fileLength else { return }
        let end = durableLength + count + JournalPadding.step
        do throws(JournalError) {
            while fileLength < end {
                fileLength += try writeBlanks(end - fileLength, at: fileLength)
            }
        } catch {
            _ = ftruncate(fd, off_t(fileLength))
        }
    }

    /// Writes up to `count` blanks at `start` in one call, the same buffer of blanks
    /// given as many times as it takes (a step was sixteen `pwrite`s, in the middle of
    /// the batch that needed the room); returns how many were written.
    private func writeBlanks(_ count: Int, at start: Int) throws(JournalError) -> Int {
        try JournalPadding.blanks.withUnsafeBytes { blanks -> Result<Int, JournalError> in
            let pieces = min((count + blanks.count - 1) / blanks.count, 64)
            var vectors = (0..<pieces).map { i in
                iovec(iov_base: UnsafeMutableRawPointer(mutating: blanks.baseAddress),
                      iov_len: min(blanks.count, count - i * blanks.count))
            }
            while true {
                let n = pwritev(fd, &vectors, Int32(pieces), off_t(start))
                if n > 0 { return .success(n) }
                if n == 0 || errno != EINTR { return .failure(JournalError.io("cannot write \(path): \(errnoText())")) }
            }
        }.get()
    }
}

/// `strerror(errno)`, for messages.
func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}

import Glibc
import LeadlineCore

/// How much of the offsets file a snapshot vouches for: its first `count` entries, their
/// CRC-32, and what those entries say about the journal (how many lines they cover,
/// where the last one starts), so the next snapshot extends it without reading it back.
public struct OffsetsMark: Sendable, Equatable {
    /// Entries (event numbers 0 through `count - 1`; 0 is the journal's header).
    public var count: Int
    public var crc: UInt32
    /// The journal's lines those entries cover: the header and one per distinct offset
    /// (a repair's `VOID` stand-in covers several numbers with one line).
    public var lines: Int
    /// The last entry (where the line of event `count - 1` starts).
    public var last: Int64

    /// Nothing yet: the file is empty (or, whatever it holds, vouched for by nothing).
    public static let empty = OffsetsMark(count: 0, crc: 0, lines: 0, last: -1)

    public init(count: Int, crc: UInt32, lines: Int, last: Int64) {
        self.count = count
        self.crc = crc
        self.lines = lines
        self.last = last
    }
}

/// The journal's index of line offsets on disk, `snapshots/offsets.bin`: eight bytes
/// (little-endian) per event number, in order. A snapshot names how many entries it
/// relies on and their checksum (an ``OffsetsMark``) instead of holding every offset
/// itself, so each snapshot writes only the entries added since the one before, and
/// its size grows with the open board, not with history.
///
/// Only ever extended past the newest mark (what lies beyond it, from a snapshot that
/// did not finish, is cut off first) and synced before the snapshot naming it is
/// written. An older snapshot's mark is a prefix of a newer one's, so each stays usable.
public enum JournalOffsetsFile {
    public static let name = "offsets.bin"

    public static func path(dataDirectory: String) -> String {
        JournalSnapshot.folder(of: dataDirectory) + "/" + name
    }

    /// Makes the file hold the entries `mark` vouches for followed by `entries`, synced,
    /// and returns the mark of the whole. Reads nothing back: the cost is the new entries'.
    public static func extend(_ mark: OffsetsMark, with entries: [Int64],
                              dataDirectory: String) throws(JournalError) -> OffsetsMark {
        let path = path(dataDirectory: dataDirectory)
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path) for writing: \(errnoText())") }
        defer { close(fd) }
        let start = off_t(mark.count * 8)
        guard ftruncate(fd, start) == 0 else { throw JournalError.io("cannot cut \(path) back to its last snapshot's entries: \(errnoText())") }
        var bytes = [UInt8](repeating: 0, count: entries.count * 8)
        var next = mark
        bytes.withUnsafeMutableBytes { raw in
            for (i, offset) in entries.enumerated() {
                raw.storeBytes(of: offset.littleEndian, toByteOffset: i * 8, as: Int64.self)
                if offset != next.last { next.lines += 1 }
                next.last = offset
            }
        }
        next.count += entries.count
        next.crc = Checksum.crc32(bytes, continuing: mark.crc)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + written, $0.count - written, start + off_t(written)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw JournalError.io("cannot write \(path): \(errnoText())") }
            written += n
        }
        guard fdatasync(fd) == 0 else { throw JournalError.io("cannot sync \(path): \(errnoText())") }
        return next
    }

    /// The `mark.count` entries a snapshot vouches for, checked against its checksum.
    public static func read(_ mark: OffsetsMark, dataDirectory: String) throws(JournalError) -> [Int64] {
        let path = path(dataDirectory: dataDirectory)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path): \(errnoText())") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: mark.count * 8)
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, $0.count - got, off_t(got)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw JournalError.io("\(path) holds \(got / 8) entries where the snapshot relies on \(mark.count)")
            }
            got += n
        }
        guard Checksum.crc32(bytes, continuing: 0) == mark.crc else {
            throw JournalError.io("\(path) does not match the snapshot's checksum of its first \(mark.count) entries: the file was damaged")
        }
        return bytes.withUnsafeBytes { raw in
            (0..<mark.count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
    }
}

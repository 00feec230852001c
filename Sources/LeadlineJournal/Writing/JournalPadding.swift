import Glibc

/// Room made ahead of the journal's last line: while the server runs, the file is kept
/// up to ``step`` bytes longer than what it holds, the extra being blanks.
///
/// Why: a sync of a write that makes the file longer must also record its new length
/// (on ext4 a metadata commit), and costs about half as much again as a sync of a write
/// into room the file already has (measured here: 125–140 µs against 85–95 µs a sync).
/// Every `OK` of a change waits for a sync, so that is a third off the wait. Database
/// logs do the same (PostgreSQL's pre-filled WAL segments, etcd's preallocated WAL).
///
/// Blanks (spaces, never a line break) rather than zeros, so `jq` reads a live journal;
/// a line never ends in a blank, so where the content ends is never in doubt. Every
/// reader stops at the content's end: the line scanner leaves the blanks out of a torn
/// tail, the writer appends where the content ends, start-up cuts the blanks off, and a
/// journal closed cleanly has none.
public enum JournalPadding {
    /// The byte that fills the room.
    public static let byte: UInt8 = 0x20
    /// How much room is made at a time: one sync in about every 1,700 events writes it.
    public static let step = 256 * 1024
    /// Blanks made once and written as many times as a step takes: no allocation per
    /// step, and no step-sized buffer kept resident (256 KiB is 26 bytes of every open
    /// lead's share on a board of 10,000).
    static let blanks = [UInt8](repeating: byte, count: 16 * 1024)

    /// `tail` without the blanks after its last other byte.
    public static func trimmed(_ tail: [UInt8]) -> [UInt8] {
        guard let last = tail.lastIndex(where: { $0 != byte }) else { return [] }
        return Array(tail[...last])
    }

    /// Where the content of the file open at `fd` ends: its length less the blanks at
    /// its end.
    static func contentLength(of fd: Int32) throws(JournalError) -> Int {
        var end = Int(lseek(fd, 0, SEEK_END))
        guard end >= 0 else { throw JournalError.io("cannot find the end of the journal: \(errnoText())") }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while end > 0 {
            let count = min(chunk.count, end)
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, off_t(end - count)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError.io("cannot read the end of the journal: \(errnoText())")
            }
            guard n == count else { throw JournalError.io("the journal changed length while its end was read") }
            if let last = chunk[..<count].lastIndex(where: { $0 != byte }) { return end - count + last + 1 }
            end -= count
        }
        return 0
    }

    /// ``contentLength(of:)`` for the file at `path`.
    public static func contentLength(path: String) throws(JournalError) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path): \(errnoText())") }
        defer { close(fd) }
        return try contentLength(of: fd)
    }
}

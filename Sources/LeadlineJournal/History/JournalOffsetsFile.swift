import Glibc

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
/// itself, so each snapshot writes only the entries added since the one before, not
/// eight bytes for every event ever written.
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
    /// A file shorter than `mark` (deleted or replaced while the server ran) is refused:
    /// the caller starts it again from ``OffsetsMark/empty``.
    public static func extend(_ mark: OffsetsMark, with entries: [Int64],
                              dataDirectory: String) throws(JournalError) -> OffsetsMark {
        let path = path(dataDirectory: dataDirectory)
        if mark.count == 0 {
            // Afresh: a new file put in place whole, so that a reader of the old one
            // (``OffsetsOnDisk``) goes on reading what it was vouched for.
            let (bytes, next) = encode(entries, after: mark)
            try DataDirectory.writeAtomically(bytes, to: path)
            return next
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path) for writing: \(errnoText())") }
        defer { close(fd) }
        let start = Int64(mark.count) * 8
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw JournalError.io("cannot read the size of \(path): \(errnoText())") }
        guard Int64(info.st_size) >= start else {
            throw JournalError.io("\(path) holds \(info.st_size / 8) entries where the last snapshot relied on \(mark.count) (it was changed while the server ran)")
        }
        guard ftruncate(fd, off_t(start)) == 0 else { throw JournalError.io("cannot cut \(path) back to its last snapshot's entries: \(errnoText())") }
        guard !entries.isEmpty else { return mark }
        let (bytes, next) = encode(entries, after: mark)
        try PositionedIO.write(bytes[...], to: fd, at: start, path: path)
        guard fdatasync(fd) == 0 else { throw JournalError.io("cannot sync \(path): \(errnoText())") }
        return next
    }

    /// `entries` as the file holds them, and the mark of the file with them after `mark`.
    private static func encode(_ entries: [Int64], after mark: OffsetsMark) -> ([UInt8], OffsetsMark) {
        var bytes = [UInt8](repeating: 0, count: entries.count * 8)
        var next = mark
        bytes.withUnsafeMutableBytes { raw in
            for (i, offset) in entries.enumerated() {
                raw.storeBytes(of: offset.littleEndian, toByteOffset: i * 8, as: Int64.self)
                next.note(offset)
            }
        }
        next.crc = Checksum.crc32(bytes, continuing: mark.crc)
        return (bytes, next)
    }

    /// Checks the `mark.count` entries a snapshot vouches for as ``read(_:dataDirectory:)``
    /// does, keeping none of them: start-up then reads them from the file when asked
    /// (``OffsetsOnDisk``) instead of holding them all.
    public static func verify(_ mark: OffsetsMark, dataDirectory: String) throws(JournalError) {
        try walk(mark, dataDirectory: dataDirectory) { _ in }
    }

    /// The `mark.count` entries a snapshot vouches for, checked against its checksum and
    /// against what it says of them (in order, that many lines, ending where it says).
    public static func read(_ mark: OffsetsMark, dataDirectory: String) throws(JournalError) -> [Int64] {
        var offsets: [Int64] = []
        offsets.reserveCapacity(mark.count)
        try walk(mark, dataDirectory: dataDirectory) { offsets.append($0) }
        return offsets
    }

    /// Reads the first `mark.count` entries a few megabytes at a time, handing each to
    /// `each`, and checks them as a whole against the mark.
    private static func walk(_ mark: OffsetsMark, dataDirectory: String, _ each: (Int64) -> Void) throws(JournalError) {
        let path = path(dataDirectory: dataDirectory)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path): \(errnoText())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw JournalError.io("cannot read the size of \(path): \(errnoText())") }
        guard Int64(info.st_size) / 8 >= Int64(mark.count) else {
            throw JournalError.io("\(path) holds \(info.st_size / 8) entries where the snapshot relies on \(mark.count)")
        }
        var seen = OffsetsMark.empty
        var crc: UInt32 = 0
        var ordered = true
        let chunk = 1 << 19
        var done = 0
        while done < mark.count {
            let n = min(chunk, mark.count - done)
            let bytes = try PositionedIO.read(count: n * 8, from: fd, at: Int64(done) * 8, path: path)
            crc = Checksum.crc32(bytes, continuing: crc)
            bytes.withUnsafeBytes { raw in
                for i in 0..<n {
                    let offset = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))
                    if (done + i == 0 && offset != 0) || offset < seen.last { ordered = false }
                    seen.note(offset)
                    each(offset)
                }
            }
            done += n
        }
        guard crc == mark.crc else {
            throw JournalError.io("\(path) does not match the snapshot's checksum of its first \(mark.count) entries: the file was damaged")
        }
        guard ordered, seen.lines == mark.lines, seen.last == mark.last else {
            throw JournalError.io("\(path)'s first \(mark.count) entries are not what the snapshot says of them")
        }
    }
}

extension OffsetsMark {
    /// Counts one more entry.
    mutating func note(_ offset: Int64) {
        if offset != last { lines += 1 }
        last = offset
        count += 1
    }
}

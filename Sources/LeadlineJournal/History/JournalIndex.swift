import Foundation

/// Where each event's line starts in the journal, by sequence number: how history is
/// read back from disk (`SHOW`, `SINCE`) instead of being kept in memory.
///
/// One offset (8 bytes) per event. The entries a snapshot vouched for stay on disk, in
/// the offsets file (``OffsetsOnDisk``), and are read when asked; only those since the
/// newest snapshot are held in memory, so memory does not grow with the journal. A
/// `VOID` stand-in left by a repair covers several numbers; they all point at its line.
public struct JournalIndex: Sendable {
    /// The first entries, on disk (nil: none; every entry is in memory).
    private var disk: OffsetsOnDisk?
    /// The entries after those on disk: `recent[i]` is where the line of event
    /// `base + i` starts (seq 0 is the header).
    private var recent: [Int64] = [0]
    /// Where the next line will start: the journal's length once everything queued is written.
    public private(set) var end: Int64 = 0

    public init() {}

    /// The index read back from the offsets file: every offset, and where the next line starts.
    public init(offsets: [Int64], end: Int64) {
        recent = offsets.isEmpty ? [0] : offsets
        self.end = end
    }

    /// The index whose first entries are `disk`'s, read when asked, and where the next
    /// line starts; the entries after them are recorded as events are written.
    public init(disk: OffsetsOnDisk, end: Int64) {
        self.disk = disk.count > 0 ? disk : nil
        recent = disk.count > 0 ? [] : [0]
        self.end = end
    }

    /// How many entries are on disk: the first number held in memory.
    private var base: Int { disk?.count ?? 0 }
    /// How many entries there are (the numbers 0 through `count - 1`).
    private var count: Int { base + recent.count }

    /// The last sequence number indexed.
    public var lastSeq: UInt64 { UInt64(count - 1) }

    /// How many entries are held in memory (those since the newest snapshot).
    public var entriesInMemory: Int { recent.count }

    /// Records that the line of the event numbered `seq` (through `through` for a VOID)
    /// starts at `offset` and is `length` bytes long, LF included. A number recorded
    /// before (a write that failed, whose numbers are reused) is overwritten. (Numbers
    /// are only ever reused after the newest snapshot: those on disk are durable.)
    public mutating func record(seq: UInt64, through: UInt64? = nil, offset: Int64, length: Int) {
        let last = Int(max(seq, through ?? seq))
        let first = max(Int(seq), base)
        if count > first { recent.removeSubrange((first - base)...) }
        while count <= last { recent.append(offset) }
        end = offset + Int64(length)
    }

    /// Sets where the next line will start (after a header, or a journal read to its end).
    public mutating func setEnd(_ end: Int64) {
        self.end = end
    }

    /// Where event `seq`'s line starts, and where the line after it starts.
    public func span(of seq: UInt64) -> Range<Int64>? {
        guard seq >= 1, Int(seq) < count else { return nil }
        // On disk, the entry and the one after it in one read: nearly always all it takes.
        if Int(seq) + 1 < base, let pair = disk?.entries(Int(seq)..<(Int(seq) + 2)), pair[1] != pair[0] {
            return pair[0]..<pair[1]
        }
        guard let start = entry(Int(seq)) else { return nil }
        var next = Int(seq) + 1
        while next < count {
            guard let offset = entry(next) else { return nil }
            if offset != start { return start..<offset }
            next += 1
        }
        return start..<end
    }

    /// The bytes from the line of `first` through the line of `last`.
    public func span(from first: UInt64, through last: UInt64) -> Range<Int64>? {
        guard let a = span(of: first), let b = span(of: last), a.lowerBound <= b.upperBound else { return nil }
        return a.lowerBound..<b.upperBound
    }

    /// The entries from number `first` through `last` (what a snapshot adds to the
    /// offsets file: those since the one before). A copy of just those: a slice would
    /// share the index's storage, and the next event recorded would copy all of it. Nil
    /// when some are on disk and cannot be read (the file was changed under the server).
    public func entries(from first: Int, through last: UInt64) -> [Int64]? {
        let end = min(Int(last) + 1, count)
        let start = min(first, end)
        var out: [Int64] = []
        out.reserveCapacity(end - start)
        if start < base, let disk {
            guard let older = disk.entries(start..<min(end, base)) else { return nil }
            out += older
        }
        if end > base { out += recent[(max(start, base) - base)..<(end - base)] }
        return out
    }

    /// The entries a snapshot just wrote to the offsets file are read from there from
    /// now on, and let go of here (`disk` holds the first `disk.count` entries, no more
    /// than this index has).
    public mutating func settle(onto disk: OffsetsOnDisk) {
        guard disk.count > base, disk.count <= count else { return }
        recent.removeSubrange(0..<(disk.count - base))
        self.disk = disk
    }

    private func entry(_ i: Int) -> Int64? {
        i >= base ? recent[i - base] : disk?.entry(i)
    }
}

/// The first `count` entries of the offsets file, read with `pread` when asked: a
/// snapshot vouched for them (checked against its checksum when it was loaded or
/// written), and they never change, as the file is only extended past them (or written
/// afresh as a new file, which this one's descriptor does not see).
public final class OffsetsOnDisk: @unchecked Sendable {
    public let count: Int
    private let fd: Int32
    private let path: String

    public init(dataDirectory: String, count: Int) throws(JournalError) {
        path = JournalOffsetsFile.path(dataDirectory: dataDirectory)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path): \(errnoText())") }
        self.fd = fd
        self.count = count
    }

    deinit { close(fd) }

    /// Entry `i`; nil when it cannot be read (the file was changed under the server).
    func entry(_ i: Int) -> Int64? {
        entries(i..<(i + 1))?.first
    }

    func entries(_ range: Range<Int>) -> [Int64]? {
        guard range.lowerBound >= 0, range.upperBound <= count else { return nil }
        guard !range.isEmpty else { return [] }
        guard let bytes = try? PositionedIO.read(count: range.count * 8, from: fd, at: Int64(range.lowerBound) * 8, path: path) else {
            return nil
        }
        return bytes.withUnsafeBytes { raw in
            (0..<range.count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
    }
}

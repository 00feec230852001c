import Glibc
import LeadlineCore
import Synchronization

/// How much of the closed-leads file a snapshot relies on: its first `length` bytes and
/// their CRC-32, of the file started as `generation` (a number drawn when the file is
/// started afresh). A snapshot is never read against bytes other than the ones it was
/// written with: not a later file, and not records a later snapshot wrote over its own
/// after start-up had passed it over for an older one.
public struct ClosedLeadsMark: Sendable, Equatable {
    public var length: Int64
    public var generation: UInt32
    public var crc: UInt32

    /// Nothing yet: the next snapshot starts the file afresh.
    public static let empty = ClosedLeadsMark(length: 0, generation: 0, crc: 0)

    public init(length: Int64, generation: UInt32, crc: UInt32) {
        self.length = length
        self.generation = generation
        self.crc = crc
    }
}

/// Closed leads out of memory, `snapshots/closed-leads.bin`: a header (what the file is,
/// and the snapshot format its leads are written in), then one record per lead: its
/// length and CRC-32 (four bytes each, little-endian), then the lead and its event
/// numbers (``StoredLead``). A board keeps a stored lead's offset here, and reads it
/// back when asked (`SHOW` of a closed lead, `LIST all`, a reopening).
///
/// Written only by the snapshot thread, as the offsets file is: extended past the newest
/// snapshot's mark (what lies beyond it, from a snapshot that did not finish, is cut off
/// first) and synced before the snapshot naming its records is written, so an older
/// snapshot's mark is a prefix of a newer one's. The journal stays the source of truth:
/// a file that does not match a snapshot's mark makes that snapshot unusable, and
/// start-up replays the journal and starts the file afresh.
public enum ClosedLeadsFile {
    public static let name = "closed-leads.bin"
    static let magic = Array("LEADLINE CLOSED\n".utf8)
    static var headerLength: Int { magic.count + 8 }
    /// The largest record: a closed lead bigger than this (a lead with hundreds of
    /// thousands of events) stays in memory.
    public static let largestRecord = 1 << 24

    public static func path(dataDirectory: String) -> String {
        JournalSnapshot.folder(of: dataDirectory) + "/" + name
    }

    static func header(generation: UInt32) -> [UInt8] {
        magic + littleEndian(UInt32(Board.snapshotFormat)) + littleEndian(generation)
    }

    /// Makes the file hold what `mark` vouches for followed by a record of each of
    /// `leads`, synced; returns where each record starts and the mark of the whole.
    /// From ``ClosedLeadsMark/empty`` the file is started afresh. A file shorter than
    /// the mark, or of another format, is refused (it was changed while the server ran).
    public static func extend(_ mark: ClosedLeadsMark, with leads: [[UInt8]],
                              dataDirectory: String) throws(JournalError) -> (offsets: [UInt64], mark: ClosedLeadsMark) {
        let path = path(dataDirectory: dataDirectory)
        if mark == .empty && leads.isEmpty { return ([], mark) }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path) for writing: \(errnoText())") }
        defer { close(fd) }
        var start = mark.length
        var generation = mark.generation
        var bytes: [UInt8] = []
        if mark == .empty {
            generation = UInt32.random(in: 1...UInt32.max)
            bytes = header(generation: generation)
            start = 0
        } else {
            try checkHeader(fd, path: path, generation: mark.generation)
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw JournalError.io("cannot read the size of \(path): \(errnoText())") }
            guard Int64(info.st_size) >= mark.length else {
                throw JournalError.io("\(path) holds \(info.st_size) bytes where the last snapshot relied on \(mark.length) (it was changed while the server ran)")
            }
        }
        guard ftruncate(fd, off_t(start)) == 0 else { throw JournalError.io("cannot cut \(path) back to its last snapshot's records: \(errnoText())") }
        // Written a few megabytes at a time: the first snapshot after a whole replay
        // writes out every closed lead at once, and should not hold a second copy of them.
        var offsets: [UInt64] = []
        offsets.reserveCapacity(leads.count)
        var crc: UInt32 = mark == .empty ? 0 : mark.crc
        var written = start
        func flush() throws(JournalError) {
            try PositionedIO.write(bytes[...], to: fd, at: written, path: path)
            crc = Checksum.crc32(bytes, continuing: crc)
            written += Int64(bytes.count)
            bytes.removeAll(keepingCapacity: true)
        }
        for lead in leads {
            offsets.append(UInt64(written) + UInt64(bytes.count))
            bytes += littleEndian(UInt32(lead.count)) + littleEndian(Checksum.crc32(lead))
            bytes += lead
            // Each record starts at a multiple of eight (a board names it in 32 bits).
            bytes += repeatElement(0, count: padding(after: lead.count))
            if bytes.count >= 1 << 22 { try flush() }
        }
        try flush()
        guard fdatasync(fd) == 0 else { throw JournalError.io("cannot sync \(path): \(errnoText())") }
        return (offsets, ClosedLeadsMark(length: written, generation: generation, crc: crc))
    }

    /// Whether the file can serve a snapshot relying on `mark`: ours, of this format, at
    /// least that long, and every record in it whole and matching its checksum (read in
    /// large chunks: a year of a busy shop's closed leads is a few hundred megabytes at
    /// most, read at disk speed).
    /// - Parameters:
    ///   - decoding: also read each lead (`leadlined check`); start-up checks the
    ///     checksums only.
    ///   - leads: the lead table of the snapshot relying on the file, if at hand: a
    ///     damaged record is then named by the lead kept there (what an operator can look
    ///     up), or said to hold none (no lead of that snapshot is lost with it).
    /// - Returns: how many records there are.
    @discardableResult
    public static func check(_ mark: ClosedLeadsMark, dataDirectory: String, decoding: Bool = false,
                             keptIn leads: LeadTable? = nil) throws(JournalError) -> Int {
        guard mark != .empty else { return 0 }
        let path = path(dataDirectory: dataDirectory)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path): \(errnoText())") }
        defer { close(fd) }
        try checkHeader(fd, path: path, generation: mark.generation)
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw JournalError.io("cannot read the size of \(path): \(errnoText())") }
        guard Int64(info.st_size) >= mark.length else {
            throw JournalError.io("\(path) holds \(info.st_size) bytes where the snapshot relies on \(mark.length)")
        }
        var chunk = ChunkedReader(fd: fd, path: path, end: mark.length)
        var offset = Int64(headerLength)
        var count = 0
        var whole = Checksum.crc32(try chunk.bytes(at: 0, count: headerLength))
        func record(at offset: Int64) -> String {
            guard let leads else { return "the record at byte \(offset)" }
            // Only for the message: a pass over the table once, when a record is damaged.
            let kept = leads.keys.first { leads.storedOffset(of: $0) == UInt64(offset) }
            return "the record at byte \(offset) (" + (kept.map { "lead \($0)" } ?? "no lead this snapshot keeps") + ")"
        }
        while offset < mark.length {
            let head = Array(try chunk.bytes(at: offset, count: 8))
            let length = Int(readLittleEndian(head, at: 0)), crc = readLittleEndian(head, at: 4)
            guard length <= largestRecord else { throw JournalError.io("\(path): \(record(at: offset)) claims \(length) bytes (the file was damaged)") }
            let body = try chunk.bytes(at: offset + 8, count: length)
            let pad = try chunk.bytes(at: offset + 8 + Int64(length), count: padding(after: length))
            whole = Checksum.crc32(pad, continuing: Checksum.crc32(body, continuing: Checksum.crc32(head, continuing: whole)))
            guard Checksum.crc32(body) == crc else {
                throw JournalError.io("\(path): \(record(at: offset)) does not match its checksum (the file was damaged)")
            }
            if decoding {
                do throws(RecordError) {
                    _ = try StoredLead(encoded: Array(body))
                } catch {
                    throw JournalError.io("\(path): \(record(at: offset)) does not read: \(error.description)")
                }
            }
            offset += 8 + Int64(length + padding(after: length))
            count += 1
        }
        guard whole == mark.crc else {
            throw JournalError.io("\(path)'s first \(mark.length) bytes do not match the snapshot's checksum of them (a later snapshot wrote over them)")
        }
        return count
    }

    /// Bytes of a file read a few megabytes at a time, for walking its records in order.
    struct ChunkedReader {
        let fd: Int32
        let path: String
        /// Where the records end: nothing past it is read.
        let end: Int64
        private var start: Int64 = 0
        private var chunk: [UInt8] = []

        init(fd: Int32, path: String, end: Int64) {
            self.fd = fd
            self.path = path
            self.end = end
        }

        mutating func bytes(at offset: Int64, count: Int) throws(JournalError) -> ArraySlice<UInt8> {
            guard offset + Int64(count) <= end else { throw JournalError.io("\(path)'s record at byte \(offset) runs past its end (\(end) bytes)") }
            if offset < start || offset + Int64(count) > start + Int64(chunk.count) {
                start = offset
                chunk = try PositionedIO.read(count: Int(min(Int64(max(1 << 22, count)), end - offset)), from: fd, at: offset, path: path)
            }
            let at = Int(offset - start)
            return chunk[at..<(at + count)]
        }
    }

    /// The lead whose record starts at `offset`, and where the next record starts.
    static func record(at offset: UInt64, fd: Int32, path: String) -> Result<(StoredLead, Int64), JournalError> {
        do throws(JournalError) {
            let head = try PositionedIO.read(count: 8, from: fd, at: Int64(offset), path: path)
            guard head.count == 8 else { throw JournalError.io("\(path) ends inside the record at byte \(offset)") }
            let length = Int(readLittleEndian(head, at: 0)), crc = readLittleEndian(head, at: 4)
            guard length <= largestRecord else { throw JournalError.io("\(path): the record at byte \(offset) claims \(length) bytes (the file was damaged)") }
            let body = try PositionedIO.read(count: length, from: fd, at: Int64(offset) + 8, path: path)
            guard body.count == length else { throw JournalError.io("\(path) ends inside the record at byte \(offset)") }
            guard Checksum.crc32(body) == crc else {
                throw JournalError.io("\(path): the record at byte \(offset) does not match its checksum (the file was damaged)")
            }
            do throws(RecordError) {
                return .success((try StoredLead(encoded: body), Int64(offset) + 8 + Int64(length)))
            } catch {
                throw JournalError.io("\(path): the record at byte \(offset) does not read: \(error.description)")
            }
        } catch {
            return .failure(error)
        }
    }

    private static func checkHeader(_ fd: Int32, path: String, generation: UInt32) throws(JournalError) {
        let head = try PositionedIO.read(count: headerLength, from: fd, at: 0, path: path)
        guard head.count == headerLength, Array(head.prefix(magic.count)) == magic else {
            throw JournalError.io("\(path) is not a Leadline closed-leads file")
        }
        let format = readLittleEndian(head, at: magic.count)
        guard format == UInt32(Board.snapshotFormat) else {
            throw JournalError.io("\(path) is in snapshot format \(format); this build reads format \(Board.snapshotFormat)")
        }
        let started = readLittleEndian(head, at: magic.count + 4)
        guard started == generation else {
            throw JournalError.io("\(path) was started afresh (generation \(started)) after the snapshot relying on it (generation \(generation))")
        }
    }

    /// The zeros after a record of `length` bytes (and its eight-byte head), so that the
    /// next starts at a multiple of eight.
    static func padding(after length: Int) -> Int { (8 - length % 8) % 8 }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8((value >> UInt32(8 * $0)) & 0xFF) }
    }

    private static func readLittleEndian(_ bytes: [UInt8], at start: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[start + $1]) << UInt32(8 * $1) }
    }
}

/// Reads closed leads back from the data folder's closed-leads file, for the boards
/// (``ClosedLeadStore``). The file is opened at the first read (it may not exist before
/// the first snapshot) and kept open; `pread` lets any thread read at once.
public final class ClosedLeadsReader: ClosedLeadStore {
    private let path: String
    private let descriptor = Mutex<Int32>(-1)
    /// The last lead read, by its offset: `SHOW` of a closed lead reads its row and
    /// then its history, one record read for both.
    private let lastRead = Mutex<(offset: UInt64, lead: StoredLead)?>(nil)
    /// Records that could not be read back, for the log: a board answers as if the
    /// lead were not there, and `leadlined check` names the record.
    public let failures = Atomic<Int>(0)

    public init(dataDirectory: String) {
        path = ClosedLeadsFile.path(dataDirectory: dataDirectory)
    }

    deinit {
        let fd = descriptor.withLock { $0 }
        if fd >= 0 { close(fd) }
    }

    public func read(at offset: UInt64) -> StoredLead? {
        if let last = lastRead.withLock({ $0 }), last.offset == offset { return last.lead }
        let fd = descriptor.withLock { fd -> Int32 in
            if fd < 0 { fd = open(path, O_RDONLY | O_CLOEXEC) }
            return fd
        }
        guard fd >= 0, case .success(let (lead, _)) = ClosedLeadsFile.record(at: offset, fd: fd, path: path) else {
            failures.wrappingAdd(1, ordering: .relaxed)
            return nil
        }
        lastRead.withLock { $0 = (offset, lead) }
        return lead
    }
}

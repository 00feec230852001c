import Foundation
import LeadlineCore

/// What a snapshot holds: the board as of a line boundary of the journal, and how much
/// of the offsets file indexes the journal up to there, so start-up reads the snapshot
/// and replays only the journal after it.
public struct SnapshotContents {
    public let header: JournalHeader
    /// Where in the journal the snapshot ends: its byte length and line count then.
    public let journalLength: Int
    public var lines: Int { offsets.lines }
    public let board: Board
    /// The entries of the offsets file it relies on (``JournalOffsetsFile``).
    public let offsets: OffsetsMark
    /// The bytes of the closed-leads file it relies on (``ClosedLeadsFile``).
    public let closed: ClosedLeadsMark
}

/// A snapshot just written: where, how big, the marks of the files beside it it relies
/// on, and the closed leads it put in the closed-leads file (for the boards to let go of).
public struct WrittenSnapshot: Sendable {
    public let path: String
    public let bytes: Int
    public let offsets: OffsetsMark
    public let closed: ClosedLeadsMark
    public let stored: [ClosedLeadWritten]
}

/// A snapshot checked against the journal, with the journal's index read from the
/// offsets file it relies on: what start-up continues from.
public struct LoadedSnapshot {
    public let contents: SnapshotContents
    public let index: JournalIndex
}

/// Snapshot files: `snapshots/snapshot-<seq>.bin` in the data folder, each written
/// whole or not at all (a temporary file, synced, renamed, the folder synced), ending
/// in a CRC-32 of everything before it, and naming its format version. The journal
/// stays the source of truth and is never rewritten: a snapshot that is damaged, of an
/// unknown version, or of another journal is reported and passed over, and start-up
/// falls back to an older one or to the whole journal.
public enum JournalSnapshot {
    static let magic = Array("LEADLINE SNAPSHOT\n".utf8)
    public static let folderName = "snapshots"
    /// Snapshots kept: the newest, and one before it to fall back on.
    public static let kept = 2

    public static func folder(of dataDirectory: String) -> String { dataDirectory + "/" + folderName }

    /// The snapshot's bytes (pure): magic, format, the journal's header and length, the
    /// board, the mark of the offsets file that indexes the journal up to there, and the
    /// checksum. (The offsets themselves are in that file: a snapshot holding them all
    /// would grow by eight bytes for every event ever written.)
    public static func encode(board: Board, offsets: OffsetsMark, closed: ClosedLeadsMark = .empty, storing: [LeadID: UInt64] = [:],
                              header: JournalHeader, journalLength: Int) -> [UInt8] {
        var w = SnapshotWriter()
        w.raw(magic)
        w.uint(UInt64(Board.snapshotFormat))
        w.string(header.epoch)
        w.date(header.created)
        w.uint(UInt64(header.version))
        w.uint(UInt64(journalLength))
        w.uint(UInt64(offsets.count))
        w.uint(UInt64(offsets.crc))
        w.uint(UInt64(offsets.lines))
        w.uint(UInt64(bitPattern: offsets.last))
        w.uint(UInt64(closed.length))
        w.uint(UInt64(closed.generation))
        w.uint(UInt64(closed.crc))
        board.writeSnapshot(to: &w, storing: storing)
        var bytes = w.bytes
        let crc = Checksum.crc32(bytes)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((crc >> UInt32(shift)) & 0xFF)) }
        return bytes
    }

    /// Reads a snapshot's bytes, checking magic, checksum and version first.
    public static func decode(_ bytes: [UInt8], policy: Policy) throws(RecordError) -> SnapshotContents {
        guard bytes.count > magic.count + 4, Array(bytes.prefix(magic.count)) == magic else {
            throw RecordError("not a Leadline snapshot")
        }
        let body = bytes.dropLast(4)
        var stored: UInt32 = 0
        for (i, b) in bytes.suffix(4).enumerated() { stored |= UInt32(b) << UInt32(8 * i) }
        guard Checksum.crc32(body) == stored else { throw RecordError("its checksum does not match: the file was damaged") }
        var r = SnapshotReader(Array(body), from: magic.count)
        let format = Int(try r.uint())
        guard format == Board.snapshotFormat else {
            throw RecordError("it is in snapshot format \(format); this build reads format \(Board.snapshotFormat)")
        }
        let header = JournalHeader(epoch: try r.string(), created: try r.date(), version: Int(try r.uint()))
        let journalLength = Int(try r.uint())
        // (Counts of entries in another file: not bounded by this file's length.)
        let count = try r.uint(), crc = try r.uint(), lines = try r.uint(), last = Int64(bitPattern: try r.uint())
        guard count < 1 << 40, lines <= count, let crc = UInt32(exactly: crc) else {
            throw RecordError("its mark of the offsets file is out of range")
        }
        let offsets = OffsetsMark(count: Int(count), crc: crc, lines: Int(lines), last: last)
        let closedLength = try r.uint(), closedGeneration = try r.uint(), closedCRC = try r.uint()
        guard closedLength < 1 << 50, let generation = UInt32(exactly: closedGeneration), let crc = UInt32(exactly: closedCRC) else {
            throw RecordError("its mark of the closed-leads file is out of range")
        }
        let closed = ClosedLeadsMark(length: Int64(closedLength), generation: generation, crc: crc)
        let board = try Board(snapshot: &r, policy: policy)
        guard r.atEnd else { throw RecordError("it has bytes after its end") }
        guard UInt64(offsets.count) == board.lastSeq &+ 1 else {
            throw RecordError("it relies on \(offsets.count) offsets for \(board.lastSeq) events")
        }
        guard closed != .empty || !board.leads.keys.contains(where: board.leads.isStored) else {
            throw RecordError("it names stored leads but no closed-leads file")
        }
        return SnapshotContents(header: header, journalLength: journalLength, board: board, offsets: offsets, closed: closed)
    }

    /// Writes the snapshot of `board` (the state as of `journalLength` bytes of the
    /// journal): first the offsets file is extended past `known` (what the last
    /// snapshot left it vouching for) with `newOffsets`, the entries after those through
    /// the board's last event (``JournalIndex/entries(from:through:)``), and synced; then
    /// the snapshot, atomically; the others are thinned (``removeAllBut(_:dataDirectory:)``).
    /// The closed leads still in the board's memory are first written to the closed-leads
    /// file past `knownClosed`, and the snapshot names them there. Returns the snapshot's
    /// path and size, the two files' new marks, and the leads the boards may let go of.
    public static func write(board: Board, newOffsets: [Int64], known: OffsetsMark, knownClosed: ClosedLeadsMark = .empty,
                             header: JournalHeader, journalLength: Int,
                             dataDirectory: String) throws(JournalError) -> WrittenSnapshot {
        let dir = folder(of: dataDirectory)
        if mkdir(dir, 0o700) != 0 && errno != EEXIST {
            throw JournalError.io("cannot create \(dir): \(errnoText())")
        }
        let offsets = try JournalOffsetsFile.extend(known, with: newOffsets, dataDirectory: dataDirectory)
        // (A lead too big for a record stays in memory.)
        let toStore = board.closedLeadsToStore().filter { $0.bytes.count <= ClosedLeadsFile.largestRecord }
        let (closedOffsets, closed) = try ClosedLeadsFile.extend(knownClosed, with: toStore.map(\.bytes), dataDirectory: dataDirectory)
        let storing = Dictionary(uniqueKeysWithValues: zip(toStore.map(\.id), closedOffsets))
        let path = dir + "/snapshot-\(board.lastSeq).bin"
        let bytes = encode(board: board, offsets: offsets, closed: closed, storing: storing, header: header, journalLength: journalLength)
        try DataDirectory.writeAtomically(bytes, to: path)
        removeAllBut(board.lastSeq, dataDirectory: dataDirectory)
        return WrittenSnapshot(path: path, bytes: bytes.count, offsets: offsets, closed: closed,
                               stored: zip(toStore, closedOffsets).map { $0.written(at: $1) })
    }

    /// After snapshot `seq` is written: keeps it and the newest older one (``kept``),
    /// and removes the rest. A snapshot numbered past it cannot belong to this journal
    /// (it covers events the journal does not hold: a journal restored from a backup, a
    /// planted file), and would otherwise crowd the new one out. A temporary file left
    /// by a snapshot a crash cut short goes too (one snapshot is written at a time).
    static func removeAllBut(_ seq: UInt64, dataDirectory: String) {
        let older = files(dataDirectory: dataDirectory).filter { $0.seq < seq }
        for file in files(dataDirectory: dataDirectory) where file.seq > seq { unlink(file.path) }
        for file in older.dropFirst(kept - 1) { unlink(file.path) }
        let dir = folder(of: dataDirectory)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        where name.hasPrefix("snapshot-") && name.hasSuffix(".bin.new") {
            unlink(dir + "/" + name)
        }
    }

    /// The snapshot files, newest (highest event number) first.
    public static func files(dataDirectory: String) -> [(path: String, seq: UInt64)] {
        let dir = folder(of: dataDirectory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.compactMap { name -> (String, UInt64)? in
            guard name.hasPrefix("snapshot-"), name.hasSuffix(".bin"),
                  let seq = UInt64(name.dropFirst("snapshot-".count).dropLast(".bin".count)) else { return nil }
            return (dir + "/" + name, seq)
        }.sorted { $0.1 > $1.1 }
    }

    /// Reads the snapshot at `path` and checks it belongs to the journal at `journalPath`
    /// as it is now (the same header, and at least as long), then reads the journal's
    /// index from the offsets file it relies on.
    public static func load(_ path: String, journalPath: String, dataDirectory: String,
                            policy: Policy) throws(JournalError) -> LoadedSnapshot {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw JournalError.io("cannot read \(path): \(error.localizedDescription)")
        }
        let contents: SnapshotContents
        do throws(RecordError) {
            contents = try decode(bytes, policy: policy)
        } catch {
            throw JournalError.io("\(path) was not used: \(error.description)")
        }
        let length = Int64(try JournalPadding.contentLength(path: journalPath))
        guard Int64(contents.journalLength) <= length else {
            throw JournalError.io("\(path) was not used: it covers \(contents.journalLength) bytes of the journal, which has \(length)")
        }
        guard try firstLine(of: journalPath) == JournalCodec.encodeHeader(contents.header) else {
            throw JournalError.io("\(path) was not used: it belongs to another journal (epoch \(contents.header.epoch))")
        }
        let ending = try lastLine(before: contents.journalLength, in: journalPath)
        guard ending?.seq == contents.board.lastSeq else {
            throw JournalError.io("\(path) was not used: it holds the state as of event \(contents.board.lastSeq), "
                + "but the journal has event \(ending.map { String($0.seq) } ?? "none") where it ends")
        }
        let offsets: OffsetsOnDisk
        do throws(JournalError) {
            try JournalOffsetsFile.verify(contents.offsets, dataDirectory: dataDirectory)
            offsets = try OffsetsOnDisk(dataDirectory: dataDirectory, count: contents.offsets.count)
            try ClosedLeadsFile.check(contents.closed, dataDirectory: dataDirectory, keptIn: contents.board.leads)
        } catch {
            throw JournalError.io("\(path) was not used: \(error)")
        }
        // The entries passed their own checks; they must also point where the journal's
        // last line before the snapshot's end starts.
        guard Int64(ending?.start ?? -1) == contents.offsets.last else {
            throw JournalError.io("\(path) was not used: \(JournalOffsetsFile.path(dataDirectory: dataDirectory)) says event "
                + "\(contents.board.lastSeq)'s line starts at byte \(contents.offsets.last), but in the journal it starts at \(ending?.start ?? -1)")
        }
        var board = contents.board
        board.attachStore(ClosedLeadsReader(dataDirectory: dataDirectory))
        return LoadedSnapshot(contents: SnapshotContents(header: contents.header, journalLength: contents.journalLength, board: board,
                                                         offsets: contents.offsets, closed: contents.closed),
                              index: JournalIndex(disk: offsets, end: Int64(contents.journalLength)))
    }

    /// The number of the event on the journal's line that ends at byte `offset` (0 for
    /// the header; a `VOID`'s last), read back, and where that line starts; nil if no
    /// line ends there.
    private static func lastLine(before offset: Int, in path: String) throws(JournalError) -> (seq: UInt64, start: Int)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path): \(errnoText())") }
        defer { close(fd) }
        let start = max(0, offset - 65_536)
        guard let buffer = try? PositionedIO.read(count: offset - start, from: fd, at: Int64(start), path: path),
              buffer.last == 0x0A else { return nil }
        let lineStart = buffer.dropLast().lastIndex(of: 0x0A).map { $0 + 1 } ?? (start == 0 ? 0 : -1)
        guard lineStart >= 0 else { return nil }
        var line = buffer[lineStart..<(buffer.count - 1)]
        if line.last == 0x0D { line = line.dropLast() }
        switch try? JournalCodec.decode(line).line {
        case .header?: return (0, start + lineStart)
        case .event(let event)?: return (event.voidedThrough ?? event.seq, start + lineStart)
        case nil: return nil
        }
    }

    /// The journal's first line, LF included (its header).
    private static func firstLine(of path: String) throws(JournalError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path): \(errnoText())") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
        guard n > 0, let lf = buffer[0..<n].firstIndex(of: 0x0A) else { return [] }
        return Array(buffer[...lf])
    }
}

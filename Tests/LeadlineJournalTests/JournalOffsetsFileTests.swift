import Foundation
import LeadlineCore
import LeadlineJournal
import Testing

/// The offsets file: extended a snapshot at a time, read back whole, checked against the
/// mark a snapshot holds.
@Suite struct JournalOffsetsFileTests {
    /// Offsets as a journal has them: increasing, with a repair's VOID covering three numbers.
    static let offsets: [Int64] = [0, 60, 171, 290, 290, 290, 402, 515, 640, 777]

    func folder() throws -> TempFolder {
        let folder = TempFolder()
        try FileManager.default.createDirectory(atPath: JournalSnapshot.folder(of: folder.path), withIntermediateDirectories: true)
        return folder
    }

    @Test func extendedInPartsItReadsAsWrittenInOne() throws {
        let parts = try folder(), whole = try folder()
        var mark = OffsetsMark.empty
        for range in [0..<1, 1..<4, 4..<4, 4..<10] {
            mark = try JournalOffsetsFile.extend(mark, with: Array(Self.offsets[range]), dataDirectory: parts.path)
        }
        let once = try JournalOffsetsFile.extend(.empty, with: Self.offsets, dataDirectory: whole.path)
        #expect(mark == once)
        #expect(mark.count == 10 && mark.last == 777)
        #expect(mark.lines == 8, "the header and seven lines: three numbers share the VOID's")
        #expect(try JournalOffsetsFile.read(mark, dataDirectory: parts.path) == Self.offsets)
        #expect(try JournalOffsetsFile.read(once, dataDirectory: whole.path) == Self.offsets)
    }

    /// An index whose first entries are on disk answers as one holding them all: every
    /// span (the VOID's three numbers across the boundary included), every run of entries,
    /// as events are recorded after them and as a later snapshot settles more onto disk.
    /// A file written afresh leaves a reader of the old one reading what it was given.
    @Test func anIndexPartlyOnDiskAnswersAsOneInMemory() throws {
        let folder = try folder()
        let end: Int64 = 900
        let whole = JournalIndex(offsets: Self.offsets, end: end)
        func same(_ index: JournalIndex, _ label: String) {
            for seq in 0...UInt64(Self.offsets.count) {
                #expect(index.span(of: seq) == whole.span(of: seq), "\(label): span of \(seq)")
            }
            for first in 0..<Self.offsets.count {
                #expect(index.entries(from: first, through: 9) == whole.entries(from: first, through: 9), "\(label): from \(first)")
            }
            #expect(index.span(from: 2, through: 8) == whole.span(from: 2, through: 8))
        }
        for onDisk in [1, 4, 5, 9, 10] {
            let mark = try JournalOffsetsFile.extend(.empty, with: Array(Self.offsets[0..<onDisk]), dataDirectory: folder.path)
            var index = JournalIndex(disk: try OffsetsOnDisk(dataDirectory: folder.path, count: mark.count), end: end)
            for seq in onDisk..<Self.offsets.count {
                let next = seq + 1 < Self.offsets.count ? Self.offsets[seq + 1] : end
                index.record(seq: UInt64(seq), offset: Self.offsets[seq], length: Int(next - Self.offsets[seq]))
            }
            #expect(index.entriesInMemory == Self.offsets.count - onDisk)
            same(index, "\(onDisk) on disk")
            let more = try JournalOffsetsFile.extend(mark, with: Array(Self.offsets[onDisk...]), dataDirectory: folder.path)
            index.settle(onto: try OffsetsOnDisk(dataDirectory: folder.path, count: more.count))
            #expect(index.entriesInMemory == 0)
            same(index, "\(onDisk) on disk, then settled")
        }
        let reader = try OffsetsOnDisk(dataDirectory: folder.path, count: Self.offsets.count)
        _ = try JournalOffsetsFile.extend(.empty, with: [0, 1, 2], dataDirectory: folder.path)
        same(JournalIndex(disk: reader, end: end), "the file written afresh under a reader")
    }

    /// What a snapshot that did not finish wrote past the last mark is cut off before the
    /// next extends the file; an older mark still reads its prefix.
    @Test func whatLiesPastTheMarkIsReplaced() throws {
        let folder = try folder()
        let older = try JournalOffsetsFile.extend(.empty, with: Array(Self.offsets[0..<4]), dataDirectory: folder.path)
        _ = try JournalOffsetsFile.extend(older, with: [9_999, 12_345], dataDirectory: folder.path)
        let newer = try JournalOffsetsFile.extend(older, with: Array(Self.offsets[4...]), dataDirectory: folder.path)
        #expect(try JournalOffsetsFile.read(newer, dataDirectory: folder.path) == Self.offsets)
        #expect(try JournalOffsetsFile.read(older, dataDirectory: folder.path) == Array(Self.offsets[0..<4]))
    }

    @Test func aChangedOrShortFileIsRefused() throws {
        let folder = try folder()
        let mark = try JournalOffsetsFile.extend(.empty, with: Self.offsets, dataDirectory: folder.path)
        let path = JournalOffsetsFile.path(dataDirectory: folder.path)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[13] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: JournalError.io("\(path) does not match the snapshot's checksum of its first 10 entries: the file was damaged")) {
            try JournalOffsetsFile.read(mark, dataDirectory: folder.path)
        }
        try Data(bytes.prefix(40)).write(to: URL(fileURLWithPath: path))
        #expect(throws: JournalError.io("\(path) holds 5 entries where the snapshot relies on 10")) {
            try JournalOffsetsFile.read(mark, dataDirectory: folder.path)
        }
    }
}

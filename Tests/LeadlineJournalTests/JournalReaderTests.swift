import Foundation
import LeadlineCore
import LeadlineJournal
import Testing

/// A temporary folder, removed at the end of the test.
final class TempFolder {
    let path = NSTemporaryDirectory() + "leadline-journal-" + UUID().uuidString
    init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    var journal: String { path + "/journal.jsonl" }
    func read() -> [UInt8] { Array(FileManager.default.contents(atPath: journal) ?? Data()) }
    func write(_ bytes: [UInt8]) { _ = FileManager.default.createFile(atPath: journal, contents: Data(bytes)) }
}

@Suite struct JournalReaderTests {
    let now = Timestamp.parse("2026-11-23T14:00:00Z")!

    /// A journal with a header and `n` person events.
    func journal(_ n: Int) -> [UInt8] {
        var bytes = JournalCodec.encodeHeader(JournalHeader(epoch: "0123456789ab", created: now))
        for i in 1...n {
            bytes += JournalCodec.encode(Event(seq: UInt64(i), at: now, by: nil,
                                               change: .personSaved(Person(name: "p\(i)", role: .csr, tokenHash: "h"))))
        }
        return bytes
    }

    @Test func aMissingJournalIsCreated() throws {
        let folder = TempFolder()
        var board = Board()
        let report = try JournalReader.replay(path: folder.journal, into: &board, now: now)
        #expect(report.created)
        #expect(report.events == 0)
        let again = try JournalReader.replay(path: folder.journal, into: &board, now: now)
        #expect(!again.created)
        #expect(again.header == report.header)
    }

    @Test func replayRebuildsState() throws {
        let folder = TempFolder()
        folder.write(journal(3))
        var board = Board()
        var seen: [UInt64] = []
        let report = try JournalReader.replay(path: folder.journal, into: &board, now: now) { event, _ in seen.append(event.seq) }
        #expect(report.events == 3)
        #expect(report.header.epoch == "0123456789ab")
        #expect(seen == [1, 2, 3])
        #expect(board.people.count == 3)
        #expect(board.lastSeq == 3)
    }

    @Test func aTornLastLineIsCutOff() throws {
        let folder = TempFolder()
        let good = journal(2)
        let torn = Array(JournalCodec.encode(Event(seq: 3, at: now, by: nil, change: .personRemoved(name: "p1"))).prefix(20))
        folder.write(good + torn)
        var board = Board()
        let report = try JournalReader.replay(path: folder.journal, into: &board, now: now)
        #expect(report.cutBytes == torn.count)
        #expect(report.events == 2)
        #expect(folder.read() == good)
    }

    @Test func trailingZerosFromACrashAreCutToo() throws {
        let folder = TempFolder()
        let good = journal(1)
        folder.write(good + [UInt8](repeating: 0, count: 4096))
        var board = Board()
        let report = try JournalReader.replay(path: folder.journal, into: &board, now: now)
        #expect(report.cutBytes == 4096)
        #expect(folder.read() == good)
    }

    /// The room a writer made ahead (blanks) is not content: a stop that was not clean
    /// leaves it, and start-up cuts it off without a word.
    @Test func roomLeftByTheWriterIsCutQuietly() throws {
        let folder = TempFolder()
        let good = journal(2)
        folder.write(good + [UInt8](repeating: JournalPadding.byte, count: 300_000))
        var board = Board()
        let report = try JournalReader.replay(path: folder.journal, into: &board, now: now)
        #expect(report.cutBytes == 0)
        #expect(report.cutKeptAt == nil)
        #expect(report.events == 2)
        #expect(folder.read() == good)
    }

    /// A write cut short over that room is a torn line like any other: cut, and kept.
    @Test func aTornLineInTheRoomIsCutAndKept() throws {
        let folder = TempFolder()
        let good = journal(2)
        let torn = Array(JournalCodec.encode(Event(seq: 3, at: now, by: nil, change: .personRemoved(name: "p1"))).prefix(30))
        folder.write(good + torn + [UInt8](repeating: JournalPadding.byte, count: 300_000))
        var board = Board()
        let report = try JournalReader.replay(path: folder.journal, into: &board, now: now)
        #expect(report.cutBytes == torn.count)
        #expect(report.cutKeptAt.map { FileManager.default.contents(atPath: $0).map(Array.init) } == .some(torn))
        #expect(folder.read() == good)
    }

    @Test func aDamagedLineStopsStartUpAndChangesNothing() throws {
        let folder = TempFolder()
        var bytes = journal(3)
        // Damage line 3 (the second event).
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        bytes = Array(lines[0]) + [0x0A] + Array(lines[1]) + [0x0A] + Array("{\"seq\":2,oops}".utf8) + [0x0A] + Array(lines[3]) + [0x0A]
        folder.write(bytes)
        var board = Board()
        #expect {
            try JournalReader.replay(path: folder.journal, into: &board, now: now)
        } throws: { error in
            guard case JournalError.damaged(_, let line, _) = error else { return false }
            return line == 3
        }
        #expect(folder.read() == bytes)
    }

    @Test func aGapInSequenceIsDamage() throws {
        let folder = TempFolder()
        var bytes = JournalCodec.encodeHeader(JournalHeader(epoch: "0123456789ab", created: now))
        bytes += JournalCodec.encode(Event(seq: 1, at: now, by: nil, change: .personRemoved(name: "x")))
        bytes += JournalCodec.encode(Event(seq: 3, at: now, by: nil, change: .personRemoved(name: "y")))
        folder.write(bytes)
        var board = Board()
        #expect(throws: JournalError.self) { try JournalReader.replay(path: folder.journal, into: &board, now: now) }
    }

    @Test func readOnlyNeitherCreatesNorCuts() throws {
        let folder = TempFolder()
        var board = Board()
        #expect(throws: JournalError.self) { try JournalReader.replay(path: folder.journal, into: &board, now: now, readOnly: true) }
        #expect(!FileManager.default.fileExists(atPath: folder.journal))
        let bytes = journal(1) + Array("{\"seq\":2".utf8)
        folder.write(bytes)
        _ = try JournalReader.replay(path: folder.journal, into: &board, now: now, readOnly: true)
        #expect(folder.read() == bytes)
    }
}

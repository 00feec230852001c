import Foundation
import LeadlineCore
import LeadlineJournal
import Testing

/// What the journal says about itself: its format version, a checksum per line, and
/// an empty journal where one was lost.
@Suite struct JournalIntegrityTests {
    let now = Timestamp.parse("2026-11-23T14:00:00Z")!

    func noted(_ seq: UInt64, _ text: String) -> Event {
        Event(seq: seq, at: now, by: nil, change: .personSaved(Person(name: "p\(seq)", role: .csr, tokenHash: text)))
    }

    @Test func anUnknownFormatVersionIsRefusedNamingBoth() throws {
        let folder = TempFolder()
        folder.write(Array(#"{"seq":0,"at":"2026-11-23T14:00:00.000Z","type":"JOURNAL","version":7,"epoch":"0123456789ab"}"#.utf8) + [0x0A])
        var board = Board()
        #expect(throws: JournalError.unsupportedVersion(path: folder.journal, found: 7, readable: 1...2)) {
            try JournalReader.replay(path: folder.journal, into: &board, now: now)
        }
        let message = JournalError.unsupportedVersion(path: folder.journal, found: 7, readable: 1...2).description
        #expect(message.contains("format version 7") && message.contains("versions 1 to 2"))
    }

    /// A version 1 journal (no checksums) still replays, lines appended with checksums
    /// read after it, and so do lines another tool appends without one.
    @Test func linesWithoutAChecksumStillRead() throws {
        let folder = TempFolder()
        var bytes = Array(#"{"seq":0,"at":"2026-11-23T14:00:00.000Z","type":"JOURNAL","version":1,"epoch":"0123456789ab"}"#.utf8) + [0x0A]
        bytes += Array(#"{"seq":1,"at":"2026-11-23T14:00:00.000Z","type":"PERSON","name":"ana","role":"csr","hash":"h"}"#.utf8) + [0x0A]
        bytes += JournalCodec.encode(noted(2, "h2"))
        bytes += Array(#"{"seq":3,"at":"2026-11-23T14:00:00.000Z","type":"PERSON","name":"x","role":"csr","hash":"h"}"#.utf8) + [0x0A]
        folder.write(bytes)
        var board = Board()
        let report = try JournalReader.replay(path: folder.journal, into: &board, now: now)
        #expect(report.events == 3 && report.header.version == 1)
        #expect(try JournalSalvage.run(path: folder.journal, now: now).unchecked == 3, "the header and two lines")
    }

    /// A changed letter inside a line is caught at start-up, not served.
    @Test func aChangedLetterStopsStartUp() throws {
        let folder = TempFolder()
        var bytes = JournalCodec.encodeHeader(JournalHeader(epoch: "0123456789ab", created: now))
        bytes += JournalCodec.encode(Event(seq: 1, at: now, by: nil, change: .personSaved(Person(name: "ana", role: .csr, tokenHash: "h"))))
        let index = bytes.lastIndex(of: UInt8(ascii: "a"))!
        bytes[index] = UInt8(ascii: "e")
        folder.write(bytes)
        var board = Board()
        #expect {
            try JournalReader.replay(path: folder.journal, into: &board, now: now)
        } throws: { error in
            guard case JournalError.damaged(_, 2, let reason) = error else { return false }
            return reason.contains("checksum")
        }
    }

    @Test func anEmptyJournalInAUsedFolderIsRefused() throws {
        let folder = TempFolder()
        folder.write([])
        var board = Board()
        let used = FolderEvidence(lockFile: true)
        #expect(throws: JournalError.emptyInUsedFolder(path: folder.journal, evidence: used.description)) {
            try JournalReader.replay(path: folder.journal, into: &board, now: now, usedBefore: used)
        }
        #expect(folder.read().isEmpty, "the file is left as it was")
        // In a new folder, the same empty file is a new shop.
        let report = try JournalReader.replay(path: folder.journal, into: &board, now: now, usedBefore: FolderEvidence())
        #expect(report.created)
    }

    @Test func aMissingJournalBesideShopFilesIsRefused() throws {
        let folder = TempFolder()
        _ = FileManager.default.createFile(atPath: folder.path + "/journal.quarantine.jsonl", contents: Data())
        let evidence = DataDirectory(path: folder.path).evidenceOfUse()
        #expect(evidence.files == ["journal.quarantine.jsonl"])
        var board = Board()
        #expect(throws: JournalError.self) {
            try JournalReader.replay(path: folder.journal, into: &board, now: now, usedBefore: evidence)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.journal))
    }

    @Test func aNewJournalAppearsWholeWithItsChecksum() throws {
        let folder = TempFolder()
        var board = Board()
        let report = try JournalReader.replay(path: folder.journal, into: &board, now: now)
        #expect(report.created && report.header.version == JournalCodec.version)
        #expect(!FileManager.default.fileExists(atPath: folder.journal + ".new"))
        let decoded = try JournalCodec.decode(folder.read().dropLast())
        #expect(decoded.checksummed)
    }
}

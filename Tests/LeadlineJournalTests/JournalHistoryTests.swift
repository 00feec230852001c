import Foundation
import LeadlineCore
import LeadlineJournal
import Testing

@Suite struct JournalHistoryTests {
    let now = Timestamp.parse("2026-11-23T14:00:00Z")!

    /// Events read back by number, in any order and with repeats, are the ones written.
    @Test func eventsReadByNumberAreTheOnesWritten() throws {
        let folder = TempFolder()
        func note(_ seq: UInt64) -> Event { Event(seq: seq, at: now, by: "ana", change: .noted(lead: 1, text: "note \(seq)")) }
        var bytes = JournalCodec.encodeHeader(JournalHeader(epoch: "0123456789ab", created: now))
        var index = JournalIndex()
        for seq in UInt64(1)...20 {
            let line = JournalCodec.encode(note(seq))
            index.record(seq: seq, offset: Int64(bytes.count), length: line.count)
            bytes += line
        }
        folder.write(bytes)
        let history = try JournalHistory(path: folder.journal)
        for seqs: [UInt64] in [[1, 2, 3], [3, 2, 1], [2, 9, 3, 10, 11], [20, 1, 20], Array(1...20)] {
            #expect(try history.events(seqs, index: index) == seqs.map(note))
        }
    }
}

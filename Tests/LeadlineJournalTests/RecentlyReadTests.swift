import Foundation
import LeadlineCore
@testable import LeadlineJournal
import Testing

@Suite struct RecentlyReadTests {
    let now = Timestamp.parse("2026-11-23T14:00:00Z")!

    func note(_ seq: UInt64, _ text: String = "called") -> Event {
        Event(seq: seq, at: now, by: "ana", change: .noted(lead: 1, text: text))
    }

    @Test func itHoldsAtMostItsCapacity() {
        var recent = RecentlyRead(capacity: 10)
        for seq in 1...100 { recent.keep(note(UInt64(seq)), as: UInt64(seq)) }
        #expect(recent.count <= 10)
        #expect(recent.event(100) == note(100))
        #expect(recent.event(1) == nil)
    }

    @Test func whatIsReadAgainStaysWhileTheRestAgesOut() {
        var recent = RecentlyRead(capacity: 4)
        recent.keep(note(1), as: 1)
        recent.keep(note(2), as: 2)
        recent.keep(note(3), as: 3)  // 1 and 2 are now the old generation
        #expect(recent.event(1) == note(1))  // read again: back in the young one
        recent.keep(note(4), as: 4)
        recent.keep(note(5), as: 5)  // the generation holding 2 is dropped
        #expect(recent.event(1) == note(1))
        #expect(recent.event(2) == nil)
    }

    @Test func noCapacityKeepsNothing() {
        var recent = RecentlyRead(capacity: 0)
        recent.keep(note(1), as: 1)
        #expect(recent.count == 0)
        #expect(recent.event(1) == nil)
    }

    /// A journal of notes read back by number: from the file, then again from memory, in
    /// any order and with repeats, the same events as a history that keeps nothing reads.
    @Test func eventsReadAgainAreTheSameAsFromTheFile() throws {
        let folder = TempFolder()
        var bytes = JournalCodec.encodeHeader(JournalHeader(epoch: "0123456789ab", created: now))
        var index = JournalIndex()
        index.setEnd(Int64(bytes.count))
        for seq in UInt64(1)...20 {
            let line = JournalCodec.encode(note(seq, "note \(seq)"))
            index.record(seq: seq, offset: Int64(bytes.count), length: line.count)
            bytes += line
        }
        folder.write(bytes)
        let cached = try JournalHistory(path: folder.journal, recentCapacity: 8)
        let uncached = try JournalHistory(path: folder.journal, recentCapacity: 0)
        for seqs: [UInt64] in [[1, 2, 3], [3, 2, 1], [2, 9, 3, 10, 11], [20, 1, 20], Array(1...20), [5, 6]] {
            let expected = seqs.map { note($0, "note \($0)") }
            #expect(try uncached.events(seqs, index: index) == expected)
            #expect(try cached.events(seqs, index: index) == expected)
            #expect(try cached.events(seqs, index: index) == expected)
        }
    }
}

import Foundation
import LeadlineCore
import LeadlineJournal
import LeadlineServer

/// Data folders with a long history, written straight to the journal (as the server
/// would have written them) so start-up and memory can be measured on them.
enum PreparedJournals {
    /// A folder whose journal holds `leads` leads of `eventsPerLead` events each (CREATED,
    /// CLAIMED, an ATTEMPT, NOTEs, and for the closed ones a closing STATUS), `closedShare` of them
    /// closed; with a snapshot of its end when asked.
    /// - Parameter quiet: promised callbacks due days ahead, with no attempt: nothing
    ///   falls due when the server starts (for measuring memory, not an alert storm).
    static func make(leads: Int, eventsPerLead: Int, closedShare: Double, snapshot: Bool,
                     quiet: Bool = false) throws -> (folder: String, tokens: [String: String]) {
        let folder = ServerUnderTest.freshFolder()
        let tokens = try ServerUnderTest.addPeople(to: folder)
        let path = folder + "/journal.jsonl"
        // The bench server's policy (see ServerUnderTest's configuration).
        let policy = Policy(timeZone: TimeZone(identifier: "UTC")!)
        var board = Board(policy: policy)
        var index = JournalIndex()
        let header = try JournalReader.replay(path: path, into: &board, now: Date()) { event, offset in
            index.record(seq: event.seq, offset: Int64(offset), length: 0)
        }.header
        var length = try DataDirectory.fileLength(path)
        index.setEnd(length)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.seekToEndOfFile()
        var buffer: [UInt8] = []
        var clock = Date().addingTimeInterval(-Double(leads) * 60)
        let person = board.people[ServerUnderTest.people[0]]!
        func run(_ command: Command) throws {
            guard case .success(let decision) = board.decide(command, by: person, at: clock) else {
                throw BenchError("the prepared journal's \(command) was refused")
            }
            for event in board.stamp(decision.changes, by: person.name, at: clock) {
                try board.apply(event)
                let line = JournalCodec.encode(event)
                index.record(seq: event.seq, offset: length, length: line.count)
                length += Int64(line.count)
                buffer += line
            }
            if buffer.count > 1 << 22 {
                handle.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        for i in 0..<leads {
            clock = clock.addingTimeInterval(60)
            var new = NewLead()
            new.phone = "555-\(1_000_000 + i)"
            new.name = "Customer \(i)"
            if quiet {
                new.kind = .promised
                new.due = .relative(Double(leads) * 60 + 5 * 86_400 + Double(i % 600) * 60)
            }
            try run(.newLead(new))
            let id = board.nextLeadID - 1
            try run(.claim(id))
            let closes = Double(i % 100) < closedShare * 100
            if !quiet { try run(.attempt(id, channel: .call, outcome: .noAnswer, next: .relative(3600), note: nil)) }
            for n in 0..<(eventsPerLead - (closes ? 3 : 2) - (quiet ? 0 : 1)) { try run(.note(id, text: "called, note \(n)")) }
            if closes {
                var status = StatusRequest(lead: id, status: .disqualified)
                status.reason = "out of area"
                try run(.setStatus(status))
            }
        }
        handle.write(Data(buffer))
        try handle.synchronize()
        try handle.close()
        if snapshot {
            _ = try JournalSnapshot.write(board: board, newOffsets: index.entries(from: 0, through: board.lastSeq) ?? [],
                                          known: .empty, header: header, journalLength: Int(length), dataDirectory: folder)
        }
        return (folder, tokens)
    }
}

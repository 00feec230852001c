import Foundation
import LeadlineCore
import LeadlineJournal
import Testing

/// The closed-leads file: extended past a snapshot's mark (a tail past it, from a
/// snapshot that did not finish, is cut off), each record read back by its offset, and
/// a file that does not match a mark refused.
@Suite struct ClosedLeadsFileTests {
    func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "leadline-closed-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: JournalSnapshot.folder(of: dir), withIntermediateDirectories: true)
        return dir
    }

    func stored(_ id: LeadID, history: [UInt64]) -> StoredLead {
        var lead = Lead(Intake(lead: id, kind: .newLead, source: .phone, urgency: .normal, name: "Customer \(id)"),
                        at: Date(timeIntervalSince1970: 1_795_000_000), by: "ana")
        lead.status = .disqualified
        return StoredLead(lead: lead, history: history)
    }

    @Test func recordsAreWrittenPastTheMarkAndReadBack() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (first, mark1) = try ClosedLeadsFile.extend(.empty, with: [stored(1, history: [2, 5]).encoded(), stored(2, history: [3]).encoded()],
                                                        dataDirectory: dir)
        #expect(try ClosedLeadsFile.check(mark1, dataDirectory: dir, decoding: true) == 2)
        // A snapshot that did not finish left a record past the mark: the next cuts it off.
        _ = try ClosedLeadsFile.extend(mark1, with: [stored(9, history: [9]).encoded()], dataDirectory: dir)
        let (second, mark2) = try ClosedLeadsFile.extend(mark1, with: [stored(3, history: [4, 6, 7]).encoded()], dataDirectory: dir)
        #expect(second == [UInt64(mark1.length)])
        #expect(try ClosedLeadsFile.check(mark2, dataDirectory: dir) == 3)
        // A snapshot relying on records a later one wrote over (start-up passed it over for
        // an older one, whose mark the next snapshot extended) is refused by its checksum,
        // though the records there are whole and of the same size.
        let (_, overwritten) = try ClosedLeadsFile.extend(mark1, with: [stored(5, history: [4, 6, 8]).encoded()], dataDirectory: dir)
        #expect(overwritten.length == mark2.length)
        #expect(throws: JournalError.self) { try ClosedLeadsFile.check(mark2, dataDirectory: dir) }
        #expect(try ClosedLeadsFile.check(overwritten, dataDirectory: dir) == 3)
        _ = try ClosedLeadsFile.extend(mark1, with: [stored(3, history: [4, 6, 7]).encoded()], dataDirectory: dir)
        let reader = ClosedLeadsReader(dataDirectory: dir)
        #expect(reader.read(at: first[1]) == stored(2, history: [3]))
        #expect(reader.read(at: second[0]) == stored(3, history: [4, 6, 7]))
        #expect(reader.read(at: first[1] + 1) == nil, "not the start of a record")
        #expect(reader.failures.load(ordering: .relaxed) == 1)

        // A file shorter than a mark, or not ours, is refused.
        let path = ClosedLeadsFile.path(dataDirectory: dir)
        #expect(throws: JournalError.self) { try ClosedLeadsFile.check(ClosedLeadsMark(length: mark2.length + 1, generation: mark2.generation, crc: mark2.crc), dataDirectory: dir) }
        #expect(throws: JournalError.self) { _ = try ClosedLeadsFile.extend(ClosedLeadsMark(length: mark2.length + 1, generation: mark2.generation, crc: mark2.crc), with: [], dataDirectory: dir) }
        var bytes = Array(FileManager.default.contents(atPath: path)!)
        bytes[0] = UInt8(ascii: "X")
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect(throws: JournalError.self) { try ClosedLeadsFile.check(mark2, dataDirectory: dir) }
        // From nothing, the file is started afresh, under a new generation: a mark of the
        // file before it is refused, though its records may lie at the same places.
        let (again, mark3) = try ClosedLeadsFile.extend(.empty, with: [stored(4, history: [8]).encoded()], dataDirectory: dir)
        #expect(try ClosedLeadsFile.check(mark3, dataDirectory: dir) == 1)
        #expect(mark3.generation != mark1.generation)
        #expect(throws: JournalError.self) {
            try ClosedLeadsFile.check(ClosedLeadsMark(length: mark3.length, generation: mark1.generation, crc: mark3.crc), dataDirectory: dir)
        }
        #expect(ClosedLeadsReader(dataDirectory: dir).read(at: again[0]) == stored(4, history: [8]))
        #expect((first + second + again).allSatisfy { $0 % 8 == 0 && LeadTable.canStore(at: $0) }, "records start at multiples of eight")
    }
}

import Foundation
import LeadlineCore
import LeadlineWire
import Testing

/// A snapshot holds the whole board: random boards, built from random requests and the
/// alerts they raise, read back from their snapshot equal to themselves, field by field.
@Suite struct SnapshotRoundTripTests {
    static let zone = TimeZone(identifier: "America/Chicago")!

    @Test(arguments: [0x5A9_0001, 0x5A9_0002] as [UInt64])
    func aBoardReadsBackFromItsSnapshot(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var generator = RequestGenerator()
        let policy = Policy(timeZone: Self.zone)
        var live = Board(policy: policy)
        var clock = Timestamp.parse("2026-11-23T07:55:00-06:00")!
        func record(_ changes: [Change], by: String?, tag: String? = nil) throws {
            guard !changes.isEmpty else { return }
            var events = live.stamp(changes, by: by, at: Timestamp.truncatedToMillis(clock))
            if let tag { events[events.count - 1].tag = tag; events[events.count - 1].reply = "OK X seq=\(events.last!.seq)" }
            try live.apply(events)
        }
        for name in RequestGenerator.cast.keys.sorted() {
            try record([.personSaved(Person(name: name, role: RequestGenerator.cast[name]!, tokenHash: "$y$\(name)"))], by: nil)
        }
        for step in 0..<800 {
            clock = clock.addingTimeInterval(Double(rng.below(2 * 3600)) + Double(rng.below(1000)) / 1000)
            try record(live.dueChanges(at: Timestamp.truncatedToMillis(clock)), by: nil)
            let (who, line) = generator.next(&rng, board: live)
            guard case .success(let request)? = RequestDecoder.decode(line), case .command(let command) = request.request,
                  case .success(let decision) = live.decide(command, by: who.flatMap { live.people[$0] }, at: Timestamp.truncatedToMillis(clock))
            else { continue }
            try record(decision.changes, by: who, tag: request.tag)
            if step % 200 == 199 {
                var writer = SnapshotWriter()
                live.writeSnapshot(to: &writer)
                var reader = SnapshotReader(writer.bytes)
                let loaded = try Board(snapshot: &reader, policy: policy)
                #expect(reader.atEnd)
                for (id, lead) in live.leads where loaded.leads[id] != lead {
                    Issue.record("lead \(id) differs:\n live   \(lead)\n loaded \(String(describing: loaded.leads[id]))")
                    break
                }
                #expect(loaded == live, "the whole board, indexes included")
                #expect(loaded.leads.keys.allSatisfy { loaded.history(of: $0) == live.history(of: $0) })
            }
        }
        #expect(live.leads.count > 50)
    }

    /// Every stored property of a lead is written: a new field cannot be forgotten.
    @Test func theSnapshotWritesEveryFieldOfALead() {
        let lead = Lead(Intake(lead: 1, kind: .newLead, source: .phone, urgency: .normal), at: Date(), by: nil)
        #expect(Mirror(reflecting: lead).children.count == Lead.snapshotFieldCount)
    }

    /// Damage is refused, never trusted: every truncation and a changed length fail to read.
    @Test func aDamagedSnapshotDoesNotRead() throws {
        var shop = Board(policy: Policy(timeZone: Self.zone))
        try shop.apply(shop.stamp([.personSaved(Person(name: "ana", role: .csr, tokenHash: "h"))], by: nil, at: Date()))
        var writer = SnapshotWriter()
        shop.writeSnapshot(to: &writer)
        for cut in 0..<writer.bytes.count {
            var reader = SnapshotReader(Array(writer.bytes.prefix(cut)))
            #expect(throws: RecordError.self) { _ = try Board(snapshot: &reader, policy: Policy()) }
        }
    }
}

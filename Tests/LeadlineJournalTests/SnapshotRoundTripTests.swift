import Foundation
import LeadlineCore
import LeadlineWire
import Synchronization
import Testing

/// Closed leads out of memory, held in memory by the test (the server's store is a file).
final class MemoryLeadStore: ClosedLeadStore {
    private let records = Mutex<[[UInt8]]>([])

    /// Keeps `bytes`; returns where.
    func add(_ bytes: [UInt8]) -> UInt64 {
        records.withLock { $0.append(bytes); return UInt64($0.count - 1) }
    }

    func read(at offset: UInt64) -> StoredLead? {
        guard let bytes = records.withLock({ Int(offset) < $0.count ? $0[Int(offset)] : nil }) else { return nil }
        return try? StoredLead(encoded: bytes)
    }
}

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

    /// Board equality compares every stored property: a new one cannot be forgotten.
    @Test func boardEqualityComparesEveryProperty() {
        #expect(Mirror(reflecting: Board()).children.count == Board.storedPropertyCount)
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

    /// Closed leads out of memory answer as in memory: two boards follow the same random
    /// requests, one keeping every lead, the other letting closed ones go to a store at
    /// each snapshot (as the server's snapshot thread does). Every decision is the same on
    /// both (a reopening, a note or a post-job call on a stored lead brings it back), the
    /// boards stay equal, and the lean one's snapshot, naming stored leads by where they
    /// lie, reads back equal.
    @Test(arguments: [0x5A9_0011, 0x5A9_0012] as [UInt64])
    func closedLeadsOutOfMemoryAnswerAsInMemory(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var generator = RequestGenerator()
        let policy = Policy(timeZone: Self.zone)
        let store = MemoryLeadStore()
        var live = Board(policy: policy)
        var lean = Board(policy: policy)
        lean.attachStore(store)
        var clock = Timestamp.parse("2026-11-23T07:55:00-06:00")!
        func record(_ changes: [Change], by: String?) throws {
            guard !changes.isEmpty else { return }
            let events = live.stamp(changes, by: by, at: Timestamp.truncatedToMillis(clock))
            try live.apply(events)
            try lean.apply(events)
        }
        for name in RequestGenerator.cast.keys.sorted() {
            try record([.personSaved(Person(name: name, role: RequestGenerator.cast[name]!, tokenHash: "$y$\(name)"))], by: nil)
        }
        var storedEver = 0, broughtBack = 0
        for step in 0..<1_200 {
            clock = clock.addingTimeInterval(Double(rng.below(3 * 3600)) + Double(rng.below(1000)) / 1000)
            let now = Timestamp.truncatedToMillis(clock)
            let due = live.dueChanges(at: now)
            #expect(lean.dueChanges(at: now) == due, "step \(step): the alerts due")
            try record(due, by: nil)
            var requests = [generator.next(&rng, board: live)]
            // Leads closing and coming back, more often than the random requests make them:
            // the owner closes or completes one, reopens one, notes one.
            if live.nextLeadID > 1, rng.below(2) == 0 {
                let id = 1 + rng.below(live.nextLeadID - 1)
                let words = ["STATUS \(id) completed", "STATUS \(id) disqualified reason=spam", "STATUS \(id) needs-callback",
                             "NOTE \(id) the customer called about it", "STATUS \(id) estimate-sent"]
                requests.append(("olive", rng.pick(words)))
            }
            for (who, line) in requests {
                guard case .success(let request)? = RequestDecoder.decode(line), case .command(let command) = request.request else { continue }
                let actor = who.flatMap { live.people[$0] }
                let decided = live.decide(command, by: actor, at: now)
                let storedBefore = lean.leads.keys.filter(lean.leads.isStored)
                #expect(lean.decide(command, by: actor, at: now) == decided, "step \(step): \(line)")
                if case .success(let decision) = decided {
                    try record(decision.changes, by: who)
                    broughtBack += storedBefore.filter { !lean.leads.isStored($0) }.count
                }
            }
            if step % 150 == 149 {
                // The snapshot thread's part: write the closed leads in memory, then let go.
                let written = lean.closedLeadsToStore().map { $0.written(at: store.add($0.bytes)) }
                storedEver += lean.letGo(of: written, store: store)
                #expect(lean == live, "step \(step): the boards are the same, wherever each holds its leads")
                var writer = SnapshotWriter()
                lean.writeSnapshot(to: &writer)
                var reader = SnapshotReader(writer.bytes)
                var loaded = try Board(snapshot: &reader, policy: policy)
                loaded.attachStore(store)
                #expect(loaded == live, "step \(step): read back from its snapshot")
                #expect(loaded.leads.keys.allSatisfy { loaded.history(of: $0) == live.history(of: $0) })
            }
        }
        #expect(storedEver > 20, "closed leads went out of memory: \(storedEver)")
        #expect(broughtBack > 0, "and some came back: \(broughtBack)")
    }
}

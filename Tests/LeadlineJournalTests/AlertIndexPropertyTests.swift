import Foundation
import LeadlineCore
import LeadlineWire
import Testing

/// The alert index gives the same alerts at the same instants as looking at every open
/// lead: random boards built from random requests, on a clock that crawls, jumps across
/// nights, weekends, holidays and both DST changes, and probes at random later moments.
/// A fixed seed makes every failure reproducible.
@Suite struct AlertIndexPropertyTests {
    static let zone = TimeZone(identifier: "America/Chicago")!

    static func policy() -> Policy {
        var policy = Policy(timeZone: zone)
        // Thanksgiving, Christmas and a Monday after a DST change are closed.
        policy.holidays = [LocalDate(year: 2026, month: 11, day: 26), LocalDate(year: 2026, month: 12, day: 25),
                           LocalDate(year: 2027, month: 3, day: 15)]
        return policy
    }

    /// Moments the clock jumps to: the nights DST ends and begins, a holiday's eve, a Friday's close.
    static let jumps = ["2026-10-31T16:50:00-05:00", "2026-11-01T01:30:00-05:00", "2027-03-13T16:55:00-06:00",
                        "2027-03-14T01:59:00-06:00", "2026-11-25T16:58:00-06:00", "2026-11-27T16:59:00-06:00",
                        "2026-12-24T07:59:00-06:00"].map { Timestamp.parse($0)! }

    @Test(arguments: [0xA1E7_0001, 0xA1E7_0002, 0xA1E7_0003] as [UInt64])
    func theIndexAgreesWithAScanOfEveryLead(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var generator = RequestGenerator()
        var live = Board(policy: Self.policy())
        var clock = Timestamp.parse("2026-11-23T07:55:00-06:00")!
        func record(_ changes: [Change], by: String?, at: Date) throws {
            guard !changes.isEmpty else { return }
            try live.apply(live.stamp(changes, by: by, at: at))
        }
        for name in RequestGenerator.cast.keys.sorted() {
            try record([.personSaved(Person(name: name, role: RequestGenerator.cast[name]!, tokenHash: "x"))], by: nil, at: clock)
        }
        var compared = 0
        var alertsSeen = 0
        for _ in 0..<600 {
            let before = clock
            switch rng.below(30) {
            case 0: clock = Self.jumps[rng.below(Self.jumps.count)]
            case 1: clock = clock.addingTimeInterval(Double(rng.below(3 * 86_400)))
            default: clock = clock.addingTimeInterval(Double(rng.below(40 * 60)) + Double(rng.below(1000)) / 1000)
            }
            let stamp = Timestamp.truncatedToMillis(clock)
            // A clock that steps back makes the server index afresh, as it does.
            if clock < before { live.reindexAlerts(asOf: stamp) }
            // Probe a few moments from now on, before anything is raised.
            for probe in [stamp, stamp.addingTimeInterval(Double(rng.below(7200))), stamp.addingTimeInterval(Double(rng.below(4 * 86_400)))] {
                let indexed = live.dueChanges(at: probe)
                let scanned = live.dueChangesByScan(at: probe)
                #expect(indexed == scanned, "alerts due at \(probe) differ: index \(indexed.count), scan \(scanned.count)")
                #expect(live.nextAlertTime(after: probe) == live.nextAlertTimeByScan(after: probe), "next alert after \(probe)")
                compared += 1
                if indexed != scanned { return }
            }
            let due = live.dueChanges(at: stamp)
            alertsSeen += due.count
            try record(due, by: nil, at: stamp)
            let (who, line) = generator.next(&rng, board: live)
            guard case .success(let request)? = RequestDecoder.decode(line), case .command(let command) = request.request,
                  case .success(let decision) = live.decide(command, by: who.flatMap { live.people[$0] }, at: stamp)
            else { continue }
            try record(decision.changes, by: who, at: stamp)
        }
        #expect(compared >= 1_800)
        #expect(alertsSeen > 100, "only \(alertsSeen) alerts were raised: the boards are too quiet to prove anything")
        #expect(live.alertIndex.count <= live.leads.values.filter(\.isOpen).count)
    }
}

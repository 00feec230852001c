import Foundation
import LeadlineCore
import Testing

/// The scorecard over a scripted week (Monday 23 to Sunday 29 November 2026) with a
/// known history, every figure asserted exactly, in total and per person. The
/// expected values are worked out by hand in the comments, from the definitions in
/// PROTOCOL.md, not read off the implementation.
@Suite struct ScorecardTests {
    /// The week's story. Backups: ana and ben back each other up, ana backs cara up;
    /// sam (sales) has nobody.
    static func week() -> Shop {
        var shop = Shop(start: Timestamp.parse("2026-11-18T08:00:00-06:00")!) {
            $0.backups.byPerson = ["ana": "ben", "ben": "ana", "cara": "ana"]
        }
        // Wednesday the 18th, the week before: estimate J sent, left open (9 days old at
        // the close of Friday the 27th), next step far off so it raises nothing.
        shop.go("2026-11-18T10:00")
        let j = shop.newLead(by: "sam", kind: .estimate, phone: "555-0110") {
            $0.sent = TimeSpec.parse("2026-11-18T10:00"); $0.owner = "sam"; $0.due = TimeSpec.parse("2026-12-10T10:00")
        }
        _ = j

        // Monday 23.
        shop.go("2026-11-23T09:00")
        let a = shop.newLead(by: "ana", kind: .newLead, phone: "555-0101")  // A: ana, 10 min
        shop.ok(.claim(a), by: "ana")
        shop.go("2026-11-23T09:10")
        shop.attempt(a, by: "ana")
        shop.close(a, by: "ana")

        shop.go("2026-11-23T09:30")
        let b = shop.newLead(by: "ben", kind: .missedCall, phone: "555-0102")  // B: due 09:35, backup ana
        shop.ok(.claim(b), by: "ben")
        shop.go("2026-11-23T09:40")  // the backup alert went to ana at 09:35
        shop.attempt(b, by: "ana")  // rescued within her 15 minutes; 10 min
        shop.close(b, by: "ana")

        shop.go("2026-11-23T10:00")
        let c = shop.newLead(by: "sam", kind: .newLead, phone: "555-0103")  // C: sam has no backup
        shop.ok(.claim(c), by: "sam")
        shop.go("2026-11-23T10:20")  // at 10:15 straight to ops: escalated, no-backup
        shop.attempt(c, by: "sam")  // 20 min
        shop.close(c, by: "sam")

        shop.go("2026-11-23T11:00")
        let h = shop.newLead(by: "sam", kind: .estimate, phone: "555-0108") {  // H: followed up at 30 business h
            $0.sent = TimeSpec.parse("2026-11-23T11:00"); $0.owner = "sam"; $0.due = TimeSpec.parse("2026-11-26T15:00")
        }
        shop.go("2026-11-23T11:30")
        let i = shop.newLead(by: "sam", kind: .estimate, phone: "555-0109") {  // I: followed up at 60 business h
            $0.sent = TimeSpec.parse("2026-11-23T11:30"); $0.owner = "sam"; $0.due = TimeSpec.parse("2026-12-02T09:00")
        }

        shop.go("2026-11-23T18:00")
        let e = shop.newLead(by: "ana", kind: .newLead, phone: "555-0105")  // E: after hours, counts on Tuesday
        shop.go("2026-11-23T19:00")
        shop.attempt(e, by: "olive", next: "2026-11-24T09:00")  // the owner's rescue; 0 business minutes

        // Tuesday 24.
        shop.go("2026-11-24T08:30")
        shop.ok(.claim(e), by: "ana")
        shop.close(e, by: "ana")

        shop.go("2026-11-24T10:00")
        let f = shop.newLead(by: "ana", kind: .newLead, phone: "555-0106")  // F: ana, 12 min
        shop.ok(.claim(f), by: "ana")
        shop.go("2026-11-24T10:05")
        let g = shop.newLead(by: "ben", kind: .newLead, phone: "555-0106")  // G: the customer called twice
        shop.go("2026-11-24T10:06")
        shop.ok(.merge(g, into: f), by: "ana")  // not an arrival of its own
        shop.go("2026-11-24T10:12")
        shop.attempt(f, by: "ana")
        shop.close(f, by: "ana")

        shop.go("2026-11-24T11:00")
        let d = shop.newLead(by: "ana", kind: .newLead, phone: "555-0104")  // D: escalated by ana; 10 min
        shop.ok(.claim(d), by: "ana")
        shop.go("2026-11-24T11:05")
        shop.ok(.escalate(d, reason: "angry customer"), by: "ana")
        shop.go("2026-11-24T11:10")
        shop.attempt(d, by: "ana")
        shop.close(d, by: "ana")

        // Wednesday 25.
        shop.go("2026-11-25T09:00")
        let k = shop.newLead(by: "ben", kind: .missedCall, phone: "555-0111")  // K: due 09:05, backup ana
        shop.ok(.claim(k), by: "ben")
        shop.go("2026-11-25T09:30")  // ana asked at 09:05, did nothing: escalated at 09:20
        shop.attempt(k, by: "ben")  // 30 min
        shop.close(k, by: "ben")

        shop.go("2026-11-25T12:00")  // an import: not an arrival, not a response
        let imported = shop.importLead(phone: "555-0112", owner: "ana", from: "jobber")
        shop.go("2026-11-25T12:30")
        shop.attempt(imported, by: "ana")
        shop.close(imported, by: "ana")

        // Thursday 26.
        shop.go("2026-11-26T14:00")
        shop.attempt(h, by: "sam", next: "2026-12-10T10:00")  // 30 business hours after sending
        shop.go("2026-11-26T16:00")
        let l = shop.newLead(by: "cara", kind: .newLead, phone: "555-0113")  // L: cara, 10 min
        shop.ok(.claim(l), by: "cara")
        shop.go("2026-11-26T16:10")
        shop.attempt(l, by: "cara", outcome: .connected)  // connected, no next step: the sweep lists it
        shop.go("2026-11-27T08:30")
        shop.close(l, by: "cara")

        // Friday 27.
        shop.go("2026-11-27T16:50")
        _ = shop.newLead(by: "dora", kind: .newLead, phone: "555-0114")  // M: nobody owns it at the close
        // The next Wednesday, estimate I is followed up, 60 business hours after sending.
        shop.go("2026-12-02T08:30")
        shop.attempt(i, by: "sam", next: "2026-12-10T10:00")
        shop.go("2026-12-02T09:00")
        return shop
    }

    @Test func aWeekOfEveryFigure() {
        let shop = Self.week()
        let business = shop.board.policy.business
        let period = ReportPeriod.week(holding: LocalDate("2026-11-25")!, in: business)
        #expect(period.first == LocalDate("2026-11-23") && period.last == LocalDate("2026-11-29"))
        let report = Score(shop.board.scorecard(period, now: shop.clock.now))
        // Arrivals: Mon A B C, Tue E F D (G merged away), Wed K (the import is not), Thu L,
        // Fri M: 9. First responses: 0 (E) 10 10 10 10 12 20 30: the median is the 4th
        // of 8, the p90 the 8th.
        #expect(report["first-response-median"] == "10.0 of=8")
        #expect(report["first-response-p90"] == "30.0 of=8")
        #expect(report["first-response-median person=ana"] == "10.0 of=4")
        #expect(report["first-response-p90 person=ana"] == "12.0 of=4")
        #expect(report["first-response-median person=ben"] == "30.0 of=1")
        #expect(report["first-response-median person=olive"] == "0.0 of=1")
        #expect(report["first-response-median person=sam"] == "20.0 of=1")
        #expect(report["first-response-median person=cara"] == "10.0 of=1")
        // Same business day: all 8 responses were; M was never called: 8 of 9.
        #expect(report["same-day-callback"] == "88.9 of=9")
        #expect(report["same-day-callback person=ana"] == "100.0 of=4")
        // B and K reached ben's backup trigger; ana rescued B.
        #expect(report["backup-triggered"] == "2")
        #expect(report["backup-triggered person=ben"] == "2")
        #expect(report["backup-rescued"] == "1 of=2")
        #expect(report["backup-rescued person=ana"] == "1")
        // C (no backup), D (ana's ESCALATE), K (ana let it pass).
        #expect(report["escalated"] == "3")
        #expect(report["escalated reason=no-backup"] == "1")
        #expect(report["escalated reason=exception"] == "1")
        #expect(report["escalated reason=backup-missed"] == "1")
        #expect(report["escalated person=sam"] == "1")
        #expect(report["escalated person=ana"] == "1")
        #expect(report["escalated person=ben"] == "1")
        #expect(report["unassigned-at-close"] == "1")
        #expect(report["called-twice"] == "1")
        #expect(report["called-twice person=ana"] == "1")
        #expect(report["owner-rescues"] == "1")
        #expect(report["owner-rescues person=olive"] == "1")
        // H followed up at 30 business hours, I at 60: 1 of 2.
        #expect(report["estimate-followup-48h"] == "50.0 of=2")
        #expect(report["estimate-followup-48h person=sam"] == "50.0 of=2")
        // J, sent on the 18th, open at Friday's close.
        #expect(report["estimates-open-7d"] == "1")
        #expect(report["estimates-open-7d person=sam"] == "1")
        // L, listed by Thursday's sweep.
        #expect(report["overnight-without-outcome"] == "1")
        #expect(report["overnight-without-outcome person=cara"] == "1")
        #expect(report.lines.count == report.byKey.count, "one line per figure, person and reason")
    }

    /// One day: Tuesday holds E (after hours on Monday), F and D, and the duplicate.
    @Test func aDay() {
        let shop = Self.week()
        let report = Score(shop.board.scorecard(.day(LocalDate("2026-11-24")!), now: shop.clock.now))
        #expect(report["first-response-median"] == "10.0 of=3")
        #expect(report["first-response-p90"] == "12.0 of=3")
        #expect(report["same-day-callback"] == "100.0 of=3")
        #expect(report["called-twice"] == "1")
        #expect(report["escalated"] == "1")
        #expect(report["owner-rescues"] == "0", "olive's rescue was on Monday evening")
        #expect(report["backup-triggered"] == "0")
    }

    /// Only the people asked for get lines of their own; the shop's totals stay.
    @Test func onlyThePeopleAskedFor() {
        let shop = Self.week()
        let period = ReportPeriod.week(holding: LocalDate("2026-11-25")!, in: shop.board.policy.business)
        let report = Score(shop.board.scorecard(period, now: shop.clock.now, people: ["ben"]))
        #expect(report["escalated"] == "3")
        #expect(report["escalated person=ben"] == "1")
        #expect(report["escalated person=ana"] == nil)
        #expect(Set(report.lines.compactMap(\.person)) == ["ben"])
    }

    /// Only the end-of-day sweep counts a lead as left overnight: a `SWEEP` asked during
    /// the day is a look, not the close, and the lead it listed is counted once, by the
    /// sweep at 16:30 that still finds it undocumented.
    @Test func aSweepAskedDuringTheDayIsNotTheNightsCount() {
        var shop = Shop()
        shop.go("2026-11-23T08:30")
        let lead = shop.newLead(by: "ana", kind: .newLead, phone: "555-0700")
        shop.ok(.claim(lead), by: "ana")
        shop.go("2026-11-23T09:00")
        #expect(shop.ok(.sweep, by: "omar").changes.count == 1, "the look alerts the ops lead")
        shop.go("2026-11-23T16:31")
        let day = ReportPeriod.day(LocalDate("2026-11-23")!)
        let report = Score(shop.board.scorecard(day, now: shop.clock.now))
        #expect(report["overnight-without-outcome"] == "1")
        #expect(report["overnight-without-outcome person=ana"] == "1")
        // A look before the day's first lead was even due counts nothing on its own.
        var early = Shop()
        early.go("2026-11-23T08:30")
        _ = early.newLead(by: "ana", kind: .newLead, phone: "555-0701")
        early.go("2026-11-23T08:40")
        _ = early.ok(.sweep, by: "omar")
        #expect(Score(early.board.scorecard(day, now: early.clock.now))["overnight-without-outcome"] == "0")
    }

    /// A customer who called twice counts once whichever lead `MERGE` keeps, waiting
    /// from the earlier call; a lead closed before anyone called it, then reopened and
    /// called, counts that call as its first response.
    @Test func mergesAndReopeningsCountTheCustomerOnce() {
        let day = ReportPeriod.day(LocalDate("2026-11-23")!)
        for keepNewer in [true, false] {
            var shop = Shop()
            shop.go("2026-11-23T08:00")
            let first = shop.newLead(by: "ana", kind: .newLead, phone: "555-0401")
            shop.go("2026-11-23T08:05")
            let second = shop.newLead(by: "ana", kind: .newLead, phone: "555-0401")
            let (gone, kept) = keepNewer ? (first, second) : (second, first)
            shop.ok(.merge(gone, into: kept), by: "ana")
            shop.ok(.claim(kept), by: "ana")
            shop.go("2026-11-23T08:10")
            shop.attempt(kept, by: "ana", outcome: .connected, next: "2026-11-23T15:00")
            let report = Score(shop.board.scorecard(day, now: shop.clock.now))
            #expect(report["same-day-callback"] == "100.0 of=1", "kept the \(keepNewer ? "newer" : "older"): \(report.lines)")
            #expect(report["first-response-median"] == "10.0 of=1", "from the first call, 08:00")
        }
        var shop = Shop()
        shop.go("2026-11-23T08:00")
        let lead = shop.newLead(by: "ana", kind: .newLead, phone: "555-0301")
        shop.go("2026-11-23T08:02")
        shop.close(lead, by: "dora")
        shop.go("2026-11-23T08:30")
        shop.ok(.setStatus(StatusRequest(lead: lead, status: .needsCallback)), by: "dora")
        shop.ok(.claim(lead), by: "ana")
        shop.go("2026-11-23T08:40")
        shop.attempt(lead, by: "ana", outcome: .connected, next: "2026-11-23T15:00")
        let report = Score(shop.board.scorecard(day, now: shop.clock.now))
        #expect(report["first-response-median"] == "40.0 of=1" && report["same-day-callback"] == "100.0 of=1", "\(report.lines)")
    }

    /// People added by the real clock on the 2nd of December, then a drill on simulated
    /// days a week earlier: each day's close is still counted, once.
    @Test func closesAreCountedAfterAnEventStampedAhead() {
        var shop = Shop(start: Timestamp.parse("2026-12-02T10:00:00-06:00")!)
        shop.clock.set(shop.at("2026-11-23T16:50"))
        _ = shop.newLead(by: "ana", kind: .newLead, phone: "555-0805")  // nobody claims it
        shop.go("2026-11-25T09:00")
        for day in ["2026-11-23", "2026-11-24"] {
            let report = Score(shop.board.scorecard(.day(LocalDate(day)!), now: shop.clock.now))
            #expect(report["unassigned-at-close"] == "1", "\(day)")
        }
        let both = ReportPeriod(span: .range, first: LocalDate("2026-11-23")!, last: LocalDate("2026-11-24")!)
        #expect(Score(shop.board.scorecard(both, now: shop.clock.now))["unassigned-at-close"] == "2")
    }

    /// Before the estimate's 48 business hours run out it is not counted either way.
    @Test func aPendingEstimateIsNotCountedYet() {
        var shop = Shop()
        shop.go("2026-11-23T11:00")
        _ = shop.newLead(by: "sam", kind: .estimate, phone: "555-0108") {
            $0.sent = TimeSpec.parse("2026-11-23T11:00"); $0.owner = "sam"; $0.due = TimeSpec.parse("2026-12-10T10:00")
        }
        let day = ReportPeriod.day(LocalDate("2026-11-23")!)
        #expect(Score(shop.board.scorecard(day, now: shop.at("2026-11-24T12:00")))["estimate-followup-48h"] == "0.0 of=0")
        #expect(Score(shop.board.scorecard(day, now: shop.at("2026-12-01T12:00")))["estimate-followup-48h"] == "0.0 of=1")
    }

    /// The tally is part of the board: a snapshot and a replay give the same report.
    @Test func theTallySurvivesASnapshot() throws {
        let shop = Self.week()
        var w = SnapshotWriter()
        shop.board.writeSnapshot(to: &w)
        var r = SnapshotReader(w.bytes)
        let loaded = try Board(snapshot: &r, policy: shop.board.policy)
        #expect(loaded.scores == shop.board.scores)
        var replayed = Board(policy: shop.board.policy)
        try replayed.apply(shop.events)
        #expect(replayed.scores == shop.board.scores)
    }

    @Test func businessTimeBetweenTwoInstants() {
        let shop = Shop()
        let business = shop.board.policy.business
        #expect(business.businessTime(from: shop.at("2026-11-23T16:50"), to: shop.at("2026-11-24T08:10")) == 20 * 60)
        #expect(business.businessTime(from: shop.at("2026-11-24T09:00"), to: shop.at("2026-11-23T19:00")) == 0)
        #expect(business.businessTime(from: shop.at("2026-11-27T16:00"), to: shop.at("2026-11-30T09:00")) == 2 * 3600)
    }
}

/// A report's lines by `figure [person=] [reason=]`, each read back as `value [of=]`.
struct Score {
    let lines: [ScoreLine]
    let byKey: [String: String]

    init(_ lines: [ScoreLine]) {
        self.lines = lines
        var byKey: [String: String] = [:]
        for line in lines {
            var key = line.figure.rawValue
            if let person = line.person { key += " person=\(person)" }
            if let reason = line.reason { key += " reason=\(reason.rawValue)" }
            byKey[key] = line.value + (line.of.map { " of=\($0)" } ?? "")
        }
        self.byKey = byKey
    }

    subscript(key: String) -> String? { byKey[key] }
}

extension Shop {
    /// Moves the clock to `time` (raising what falls due on the way).
    mutating func go(_ time: String) { advance(to: at(time)) }

    mutating func attempt(_ id: LeadID, by name: String, outcome: AttemptOutcome = .noAnswer, next: String? = nil) {
        let nextStep = next.flatMap(TimeSpec.parse) ?? (outcome == .connected ? nil : TimeSpec.parse("2026-12-20T10:00"))
        ok(.attempt(id, channel: .call, outcome: outcome, next: nextStep, note: nil), by: name)
    }

    mutating func close(_ id: LeadID, by name: String) {
        var request = StatusRequest(lead: id, status: .disqualified)
        request.reason = "test"
        ok(.setStatus(request), by: name)
    }

    /// A lead as `IMPORT` enters it (by ana, the VA), from a file naming its owner.
    mutating func importLead(phone: String, owner: String, from system: String) -> LeadID {
        var lead = NewLead()
        lead.phone = phone
        lead.owner = owner
        lead.due = TimeSpec.parse("2026-12-20T10:00")
        guard case .success(let decision) = board.decideImport([ImportRow(line: 2, lead: lead)], from: system,
                                                                by: person("ana"), at: clock.now) else { fatalError("import refused") }
        let stamped = board.stamp(decision.changes, by: "ana", at: clock.now)
        try! board.apply(stamped)
        recordExternally(stamped)
        return board.nextLeadID - 1
    }
}

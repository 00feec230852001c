import Foundation
import LeadlineCore
import Testing

@Suite struct BusinessCalendarTests {
    let policy = Policy(timeZone: Shop.zone)
    var business: BusinessCalendar { policy.business }

    func local(_ text: String) -> Date { Timestamp.parse(text)! }
    func show(_ date: Date) -> String { Timestamp.local(date, in: Shop.zone) }

    /// A date names a day its month has: a holiday typed as the 30th of February is
    /// refused, not kept as a day that never comes.
    @Test func aDayItsMonthDoesNotHaveIsNoDate() {
        #expect(LocalDate("2026-02-30") == nil)
        #expect(LocalDate("2026-04-31") == nil)
        #expect(LocalDate("2026-02-29") == nil)
        #expect(LocalDate("2028-02-29") == LocalDate(year: 2028, month: 2, day: 29))
        #expect(LocalDate("2100-02-29") == nil)
        #expect(LocalDate("2000-02-29") != nil)
        #expect(LocalDate("2026-12-31") != nil)
    }

    @Test func aWindowInsideTheDay() {
        #expect(show(business.add(15 * 60, to: local("2026-11-23T10:15:00-06:00"))) == "2026-11-23T10:30:00-06:00")
    }

    @Test func anAfterHoursMissedCallIsDueAtMondaysOpeningPlusItsWindow() {
        // 004: a homeowner calls at 19:42 on a Friday.
        #expect(show(business.add(5 * 60, to: local("2026-11-27T19:42:00-06:00"))) == "2026-11-30T08:05:00-06:00")
    }

    @Test func aWindowStartingBeforeCloseEndsAfterTheNextOpening() {
        // 15 minutes starting 10 minutes before close: 10 today, 5 tomorrow.
        #expect(show(business.add(15 * 60, to: local("2026-11-23T16:50:00-06:00"))) == "2026-11-24T08:05:00-06:00")
        // Exactly the rest of the day ends at close.
        #expect(show(business.add(10 * 60, to: local("2026-11-23T16:50:00-06:00"))) == "2026-11-23T17:00:00-06:00")
    }

    @Test func holidaysAreSkipped() {
        var p = policy
        p.holidays = [LocalDate("2026-11-26")!, LocalDate("2026-11-27")!]
        // Wednesday evening before Thanksgiving: due the next Monday.
        #expect(show(p.business.add(5 * 60, to: local("2026-11-25T18:00:00-06:00"))) == "2026-11-30T08:05:00-06:00")
        #expect(p.business.isOpen(local("2026-11-26T10:00:00-06:00")) == false)
    }

    @Test func daylightSavingNeitherLosesNorDoublesAnHour() {
        // Fall back: 2026-11-01 02:00 CDT -> 01:00 CST. Two business hours from Friday
        // 16:00 CDT: one on Friday, one on Monday from 08:00 CST.
        #expect(show(business.add(2 * 3600, to: local("2026-10-30T16:00:00-05:00"))) == "2026-11-02T09:00:00-06:00")
        // Spring forward: 2026-03-08 02:00 CST -> 03:00 CDT.
        #expect(show(business.add(2 * 3600, to: local("2026-03-06T16:00:00-06:00"))) == "2026-03-09T09:00:00-05:00")
        // And the day itself still has nine open hours in both seasons.
        for day in ["2026-11-02", "2026-03-09"] {
            let interval = business.openInterval(LocalDate(day)!)!
            #expect(interval.duration == 9 * 3600)
        }
    }

    @Test func openingsClosingsAndBlocks() {
        let saturday = local("2026-11-28T11:00:00-06:00")
        #expect(show(business.openOrNext(saturday)) == "2026-11-30T08:00:00-06:00")
        #expect(show(business.closing(local("2026-11-23T10:00:00-06:00"))) == "2026-11-23T17:00:00-06:00")
        #expect(show(business.closing(saturday)) == "2026-11-30T17:00:00-06:00")
        #expect(show(business.nextBlock(after: local("2026-11-23T11:00:00-06:00"), minutes: [630, 900])) == "2026-11-23T15:00:00-06:00")
        #expect(show(business.nextBlock(after: local("2026-11-23T15:00:00-06:00"), minutes: [630, 900])) == "2026-11-24T10:30:00-06:00")
        #expect(business.businessDay(1, after: local("2026-11-27T10:00:00-06:00")) == LocalDate("2026-11-30")!)
        #expect(show(business.nextSweep(after: local("2026-11-23T16:30:00-06:00"))!) == "2026-11-24T16:30:00-06:00")
        #expect(show(business.lastSweep(atOrBefore: local("2026-11-30T09:00:00-06:00"))!) == "2026-11-27T16:30:00-06:00")
    }
}

@Suite struct DuePlannerTests {
    let planner = DuePlanner(policy: Policy(timeZone: Shop.zone))
    func local(_ text: String) -> Date { Timestamp.parse(text)! }
    func show(_ date: Date?) -> String? { date.map { Timestamp.local($0, in: Shop.zone) } }

    @Test func estimatesBeforeTheCutoffAreFollowedUpTheSameDay() {
        let sent = local("2026-11-24T13:00:00-06:00")  // a Tuesday
        #expect(show(planner.estimateStep(0, sent: sent)) == "2026-11-24T17:00:00-06:00")
        #expect(show(planner.estimateStep(1, sent: sent)) == "2026-11-26T13:00:00-06:00")
        // Day 5 is a Sunday: the next opening.
        #expect(show(planner.estimateStep(2, sent: sent)) == "2026-11-30T08:00:00-06:00")
        #expect(planner.estimateStep(3, sent: sent) == nil)
    }

    @Test func estimatesAfterTheCutoffAreFollowedUpTheNextMorning() {
        // 002's roofer: the estimate goes out at 4:40 PM.
        #expect(show(planner.estimateStep(0, sent: local("2026-11-24T16:40:00-06:00"))) == "2026-11-25T10:00:00-06:00")
        // Sent on a Friday evening: Monday morning.
        #expect(show(planner.estimateStep(0, sent: local("2026-11-27T16:40:00-06:00"))) == "2026-11-30T10:00:00-06:00")
    }

    @Test func firstResponsesByKind() {
        let monday10 = local("2026-11-23T10:00:00-06:00")
        let plan = { (kind: LeadKind) in planner.firstResponse(kind: kind, arriving: monday10, requested: nil, job: nil) }
        #expect(show(plan(.missedCall).due) == "2026-11-23T10:05:00-06:00")
        #expect(show(plan(.newLead).due) == "2026-11-23T10:15:00-06:00")
        #expect(show(plan(.update).due) == "2026-11-23T17:00:00-06:00")
        #expect(show(plan(.reengage).due) == "2026-11-23T10:30:00-06:00")
        let postJob = planner.firstResponse(kind: .postJob, arriving: monday10, requested: nil, job: local("2026-11-23T09:00:00-06:00"))
        #expect(show(postJob.due) == "2026-11-24T09:00:00-06:00")
        #expect(show(postJob.late) == "2026-11-25T09:00:00-06:00")
        let promised = planner.firstResponse(kind: .promised, arriving: monday10, requested: local("2026-11-23T15:30:00-06:00"), job: nil)
        #expect(show(promised.due) == "2026-11-23T15:30:00-06:00")
    }

    @Test func theMissedCallRhythm() {
        let arrived = local("2026-11-23T10:00:00-06:00")
        let now = local("2026-11-23T10:03:00-06:00")
        let steps = (0..<5).map { planner.rhythmStep($0, started: arrived, now: now) }
        #expect(steps[0]?.action == "text")
        #expect(show(steps[0]?.due) == "2026-11-23T10:08:00-06:00")
        #expect(steps[1]?.action == "call")
        #expect(show(steps[1]?.due) == "2026-11-24T09:00:00-06:00")
        #expect(steps[2]?.action == "text")
        #expect(show(steps[2]?.due) == "2026-11-26T09:00:00-06:00")
        #expect(steps[3]?.action == "close")
        #expect(steps[4] == nil)
    }
}

import Foundation
import LeadlineCore
import Testing

/// Hand-offs by stage (002): office → dispatcher → technician and dispatcher →
/// sales/admin → the operations lead's daily review.
@Suite struct HandoffTests {
    func book(_ shop: inout Shop, _ id: LeadID, at time: String) {
        var request = StatusRequest(lead: id, status: .booked)
        request.appointment = TimeSpec.parse(time)
        request.tech = "tess"
        shop.ok(.setStatus(request), by: "dora")
    }

    /// An estimate sent hands the follow-up cadence to sales, the previous owner as
    /// backup, in an ownership event everyone sees.
    @Test func anEstimateSentGoesToSales() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        book(&shop, id, at: "13:00")
        var sent = OutcomeRequest(lead: id, result: .estimateSent)
        sent.value = 7200
        let decision = shop.ok(.outcome(sent), by: "tess")
        #expect(shop.lead(id).owner == "sam" && shop.lead(id).backup == "ana")
        #expect(decision.reply.contains(Field("stage", "estimate-follow-up")))
        #expect(decision.message == "handed to sam for the estimate follow-up; ana backs them up")
        guard case .assigned(let a) = shop.events.last?.change else { Issue.record("no ASSIGNED"); return }
        #expect(a.stage == .estimateFollowUp && a.owner == "sam" && a.backup == "ana")
        #expect(shop.lead(id).kind == .estimate && shop.lead(id).due != nil, "the cadence runs")
    }

    /// The policy may name the estimate owner, and its backup rule for estimates wins.
    @Test func thePolicyNamesTheStageOwners() {
        var shop = Shop { policy in
            policy.handoffs.estimate = .person("olive")
            policy.backups.byKind = [.estimate: KindBackup(backup: "omar", minValue: 5000)]
        }
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        var sent = OutcomeRequest(lead: id, result: .estimateSent)
        sent.value = 12_000
        shop.ok(.outcome(sent), by: "ana")
        #expect(shop.lead(id).owner == "olive" && shop.lead(id).backup == "omar")
    }

    /// The role's people take turns; an away one is passed over.
    @Test func salesPeopleTakeTurns() {
        var shop = Shop()
        _ = shop.run(.addPerson(name: "sue", role: .sales, tokenHash: "h"), by: nil)
        var owners: [String?] = []
        for i in 0..<3 {
            let id = shop.newLead(phone: "555-010\(i)")
            shop.ok(.claim(id), by: "ana")
            shop.ok(.outcome(OutcomeRequest(lead: id, result: .estimateSent)), by: "ana")
            owners.append(shop.lead(id).owner)
        }
        #expect(owners == ["sam", "sue", "sam"])
        shop.ok(.away(reason: "out"), by: "sue")
        let id = shop.newLead(phone: "555-0110")
        shop.ok(.claim(id), by: "ana")
        shop.ok(.outcome(OutcomeRequest(lead: id, result: .estimateSent)), by: "ana")
        #expect(shop.lead(id).owner == "sam", "sue is away")
    }

    /// Work approved goes to the dispatcher to schedule, due by the day's close.
    @Test func approvedWorkGoesToTheDispatcher() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        book(&shop, id, at: "10:00")
        shop.clock.set(shop.at("11:00"))
        let decision = shop.ok(.outcome(OutcomeRequest(lead: id, result: .workApproved)), by: "tess")
        #expect(shop.lead(id).owner == "dora" && shop.lead(id).backup == "ana")
        #expect(shop.lead(id).due == shop.at("17:00") && shop.lead(id).nextAction == "schedule")
        #expect(decision.reply.contains(Field("stage", "scheduling")))
    }

    /// Completing a job makes the post-job call: a callback of its own, linked both
    /// ways, in the office queue, due 24 h later and late at 48 h.
    @Test func aCompletedJobMakesThePostJobCall() {
        var shop = Shop()
        let id = shop.newLead { $0.name = "Jane Roe"; $0.address = "12 Elm St" }
        shop.ok(.claim(id), by: "ana")
        book(&shop, id, at: "10:00")
        shop.clock.set(shop.at("11:00"))
        let decision = shop.ok(.setStatus(StatusRequest(lead: id, status: .completed)), by: "tess")
        let call = id + 1
        #expect(decision.reply.contains(Field("post-job", call)))
        #expect(!shop.lead(id).isOpen && shop.lead(id).postJobLead == call)
        let postJob = shop.lead(call)
        #expect(postJob.kind == .postJob && postJob.jobLead == id && postJob.owner == nil)
        #expect(postJob.name == "Jane Roe" && postJob.address == "12 Elm St")
        #expect(postJob.due == shop.at("tomorrow 11:00") && postJob.late == shop.at("wed 11:00"))
        #expect(shop.refused(.setStatus(StatusRequest(lead: call, status: .completed)), by: "tess")?.code == .denied,
                "a technician completes only her own visit")
        // Reopened (the job is not done after all): the call stays, and the reply says
        // it is there to close; once it is closed, nothing more is said.
        let reopened = shop.ok(.setStatus(StatusRequest(lead: id, status: .inProgress)), by: "dora")
        #expect(reopened.message?.contains("post-job call of its completed job, lead \(call), still is") == true, "\(reopened)")
        #expect(shop.lead(call).isOpen)
        shop.ok(.setStatus(StatusRequest(lead: id, status: .completed)), by: "dora")
        #expect(shop.lead(id).postJobLead == call, "completed again: the same call, not a second one")
        shop.setStatus(call, .disqualified, reason: "job reopened", by: "dora")
        let again = shop.ok(.setStatus(StatusRequest(lead: id, status: .inProgress)), by: "dora")
        #expect(again.message?.contains("post-job") != true)
        // Done at last: its call closed, the job gets a new one.
        let done = shop.ok(.setStatus(StatusRequest(lead: id, status: .completed)), by: "dora")
        #expect(done.reply.contains(Field("post-job", call + 1)) && shop.lead(id).postJobLead == call + 1, "\(done)")
    }

    /// A post-job call's backup is asked at its late bound (48 h), not at its due time,
    /// unless the call is moved past that bound: then at the new due time, not at once.
    @Test func aPostJobCallMovedPastItsLateBoundTriggersAtItsNewDueTime() {
        var shop = Shop()
        let id = shop.newLead { $0.name = "Jane Roe" }
        shop.ok(.claim(id), by: "ana")
        book(&shop, id, at: "10:00")
        shop.clock.set(shop.at("11:00"))
        shop.ok(.setStatus(StatusRequest(lead: id, status: .completed)), by: "tess")
        let call = id + 1
        shop.ok(.assign(call, owner: .person("ana"), backup: .person("ben")), by: "dora")
        #expect(shop.lead(call).triggerTime == shop.at("wed 11:00"), "the late bound")
        let thursday = shop.at("thu 10:00")
        var later = StatusRequest(lead: call, status: .followUpScheduled)
        later.next = TimeSpec.parse("thu 10:00")
        shop.ok(.setStatus(later), by: "ana")
        #expect(shop.lead(call).triggerTime == thursday)
        let raised = shop.advance(to: thursday.addingTimeInterval(10 * 60))
            .filter { $0.alert.lead == call && [.backup, .escalation].contains($0.alert.kind) }
        #expect(raised.map { $0.alert.kind } == [.backup] && raised.first?.at == thursday,
                "asked at the new due time, not at the old bound (Wed 11:00): \(raised.map { ($0.at, $0.alert.kind) })")
    }

    /// The daily open-loop review: estimate-sent and no-decision, oldest first, the stuck
    /// flagged; the ops lead is alerted at the review time when the list is not empty.
    @Test func theDailyOpenLoopReview() {
        var shop = Shop()
        let first = shop.newLead(phone: "555-0101")
        let second = shop.newLead(phone: "555-0102")
        for id in [first, second] { shop.ok(.claim(id), by: "ana") }
        shop.ok(.outcome(OutcomeRequest(lead: first, result: .estimateSent)), by: "ana")
        shop.clock.set(shop.at("08:30"))
        var undecided = OutcomeRequest(lead: second, result: .noDecision)
        undecided.followUp = TimeSpec.parse("thu")
        shop.ok(.outcome(undecided), by: "ana")
        shop.ok(.assign(second, owner: .nobody, backup: .keep), by: "dora")
        #expect(shop.board.reviewList().map(\.id) == [first, second])
        #expect(Board.reviewGaps(shop.lead(second)) == ["owner"])
        let alerts = shop.advance(to: shop.at("09:30")).filter { $0.alert.kind == .sweep && $0.alert.lead == nil }
        #expect(alerts.count == 1 && alerts[0].at == shop.at("09:00"))
        #expect(alerts[0].alert.text.contains("2 leads in estimate-sent or no-decision, 1 with no owner or no date"))
        #expect(shop.advance(to: shop.at("tomorrow 08:59")).filter { $0.alert.lead == nil }.isEmpty, "once a day")
        #expect(shop.advance(to: shop.at("09:01")).filter { $0.alert.lead == nil }.count == 1)
    }
}

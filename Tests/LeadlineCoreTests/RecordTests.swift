import Foundation
import LeadlineCore
import Testing

@Suite struct RecordTests {
    /// Every change a board can make reads back from its record unchanged.
    @Test func everyChangeRoundTrips() throws {
        let at = Shop.monday8
        let changes: [Change] = [
            .created(Intake(lead: 7, kind: .promised, source: .referral, urgency: .urgent, name: "Jane \"JJ\" Roe",
                            phone: "555-0100", email: "j@example.com", service: "no heat", area: "60614",
                            due: at, owner: "ana", backup: "ben", note: "call after 5")),
            .created(Intake(lead: 8, kind: .missedCall, source: .voicemail, urgency: .normal)),
            .created({
                var i = Intake(lead: 9, kind: .postJob, source: .phone, urgency: .normal, due: at)
                i.late = at.addingTimeInterval(86_400)
                i.job = at
                i.sent = at
                i.value = 4500
                i.action = "call"
                i.ackOwed = true
                i.appointment = Appointment(at: at, tech: "tess")
                return i
            }()),
            .claimed(Claim(lead: 7, owner: "ana")),
            .claimed(Claim(lead: 7, owner: "ben", from: "ana", backup: .set("ana"), isTakeover: true)),
            .claimed(Claim(lead: 7, owner: "ben", backup: .set(nil))),
            .claimed(Claim(lead: 7, owner: "ben", from: "ana", backup: .set("ana"), isTakeover: true, due: at)),
            .released(lead: 7, from: "ben", reason: "job site"),
            .released(lead: 7, from: "ben", reason: nil),
            .assigned(Assignment(lead: 7, owner: "cara", backup: nil)),
            .assigned(Assignment(lead: 7, owner: "cara", backup: "ben", due: Date(timeIntervalSince1970: 1_795_000_000), backupByRule: true)),
            .acknowledged(lead: 7, note: "auto-text sent, first call 7:30"),
            .swept(at: Date(timeIntervalSince1970: 1_795_000_000), listed: 2),
            .voided(through: 12, reason: "set aside"),
            .noted(lead: 7, text: "spoke: estimate Wed"),
            .attempted(AttemptChange(lead: 7, channel: .call, outcome: .noAnswer, status: .leftMessage, due: at,
                                     action: "text", step: 1, note: "vm")),
            .attempted(AttemptChange(lead: 7, channel: .text, outcome: .replied, status: .customerReplied, due: nil)),
            .statusChanged(StatusChange(lead: 7, status: .booked, due: nil, appointment: Appointment(at: at, tech: "tess"))),
            .statusChanged(StatusChange(lead: 7, status: .disqualified, reason: "duplicate of lead 8", mergedInto: 8)),
            .statusChanged(StatusChange(lead: 7, status: .followUpScheduled, due: at, action: "follow-up", note: "thursday")),
            .statusChanged(StatusChange(lead: 7, status: .estimateSent, due: at, action: "follow-up", kind: .estimate)),
            .statusChanged(StatusChange(lead: 7, status: .disqualified, reason: "out of area")),
            .outcome(OutcomeChange(lead: 7, result: .noDecision, due: at, action: "follow-up", value: 8900, note: "spouse")),
            .outcome(OutcomeChange(lead: 7, result: .workApproved, due: nil, action: nil)),
            .alert(Alert(kind: .backup, lead: 7, owner: "ana", backup: "ben", ask: ["ben"], anchor: at, text: "take it")),
            .alert(Alert(kind: .duplicate, lead: 8, owner: nil, backup: nil, ask: ["ana", "dora"], anchor: nil, of: 7, text: "twice")),
            .alert(Alert(kind: .away, lead: 7, person: "ana", owner: "ana", backup: nil, ask: [], anchor: at, text: "away")),
            .presence(person: "ana", away: true, reason: "in the field"),
            .presence(person: "ana", away: false, reason: nil),
            .personSaved(Person(name: "zed", role: .sales, tokenHash: "$y$abc")),
            .personRemoved(name: "zed"),
        ]
        for change in changes {
            let back = try Change(record: change.record)
            #expect(back == change)
        }
    }

    @Test func recordsAreChecked() {
        #expect(throws: RecordError.self) { try Change(record: EventRecord(type: "CLAIMED", fields: [Field("lead", 1)])) }
        #expect(throws: RecordError.self) { try Change(record: EventRecord(type: "BOGUS")) }
        #expect(throws: RecordError.self) {
            try Change(record: EventRecord(type: "CREATED", fields: [
                Field("lead", 1), Field("kind", "nope"), Field("source", "phone"), Field("urgency", "normal"),
            ]))
        }
        #expect(throws: RecordError.self) {
            try Change(record: EventRecord(type: "CLOSED", fields: [Field("lead", 1), Field("status", "booked")]))
        }
    }
}

@Suite struct ReplayTests {
    /// Applying a day's events to a fresh board gives the same board: live state and
    /// replayed state cannot differ.
    @Test func replayingEventsRebuildsTheSameBoard() throws {
        var shop = Shop()
        let a = shop.newLead(kind: .missedCall)
        let b = shop.newLead { $0.name = "Bob"; $0.source = .lsa }
        shop.ok(.claim(a), by: "ana")
        shop.ok(.assign(b, owner: .person("ben"), backup: .person("cara")), by: "dora")
        shop.clock.advance(by: 20 * 60)
        shop.ok(.attempt(a, channel: .call, outcome: .noAnswer, next: TimeSpec.parse("+1h"), note: nil), by: "ana")
        shop.ok(.takeover(b), by: "cara")
        var status = StatusRequest(lead: a, status: .disqualified)
        status.reason = "duplicate"
        shop.ok(.setStatus(status), by: "ana")

        var replayed = Board(policy: shop.board.policy)
        try replayed.apply(shop.events)
        #expect(replayed.leads == shop.board.leads)
        #expect(replayed.people == shop.board.people)
        #expect(replayed.lastSeq == shop.board.lastSeq)
        #expect(replayed.nextLeadID == shop.board.nextLeadID)
    }

    @Test func outOfOrderEventsDoNotApply() {
        var board = Board()
        let event = Event(seq: 5, at: Date(), by: nil, change: .personRemoved(name: "x"))
        #expect(throws: RecordError.self) { try board.apply(event) }
    }

    @Test func eventsForUnknownLeadsDoNotApply() {
        var board = Board()
        let event = Event(seq: 1, at: Date(), by: "ana", change: .noted(lead: 3, text: "x"))
        #expect(throws: RecordError.self) { try board.apply(event) }
    }
}

@Suite struct LedgerAndPriorityTests {
    @Test func taggedRepliesAreRememberedPerPerson() {
        var ledger = TagLedger()
        ledger.remember(person: "ana", tag: "@a1", reply: "OK CLAIM lead=1 seq=7", at: Shop.monday8)
        #expect(ledger.reply(person: "ana", tag: "@a1") == "OK CLAIM lead=1 seq=7")
        #expect(ledger.reply(person: "ben", tag: "@a1") == nil)
    }

    /// Past the capacity, a tag is still kept for a day: a phone off all day while its
    /// person worked elsewhere gets its first answer when it retries.
    @Test func theLedgerKeepsADayAndThenTheLastThousand() {
        var ledger = TagLedger()
        let many = TagLedger.capacity + 10
        for i in 0..<many {
            ledger.remember(person: "ana", tag: "@t\(i)", reply: "r\(i)", at: Shop.monday8.addingTimeInterval(Double(i)))
        }
        #expect(ledger.reply(person: "ana", tag: "@t0") == "r0", "within the day, nothing is forgotten")
        ledger.remember(person: "ana", tag: "@late", reply: "late", at: Shop.monday8.addingTimeInterval(TagLedger.retention + 5))
        #expect(ledger.reply(person: "ana", tag: "@t0") == nil, "a day later, the oldest beyond the last \(TagLedger.capacity) go")
        #expect(ledger.reply(person: "ana", tag: "@t5") != nil)
        #expect(ledger.reply(person: "ana", tag: "@t\(many - 1)") == "r\(many - 1)")
        #expect(ledger.count(person: "ana") == many + 1 - 5)
    }

    @Test func emergenciesThenMissedCallsThenTheRest() {
        var shop = Shop()
        let reengage = shop.newLead(kind: .reengage)
        let newLead = shop.newLead(kind: .newLead)
        let missed = shop.newLead(kind: .missedCall)
        let emergency = shop.newLead(kind: .update) { $0.urgency = .emergency }
        let order = shop.board.list(.open, for: "ana", at: shop.clock.now).leads.map(\.id)
        #expect(order == [emergency, missed, newLead, reengage])
    }

    @Test func listFilters() {
        var shop = Shop()
        let mine = shop.newLead()
        let unowned = shop.newLead(kind: .reengage)
        shop.ok(.claim(mine), by: "ana")
        #expect(shop.board.list(.mine, for: "ana", at: shop.clock.now).leads.map(\.id) == [mine])
        #expect(shop.board.list(.unowned, for: "ana", at: shop.clock.now).leads.map(\.id) == [unowned])
        #expect(shop.board.list(.overdue, for: "ana", at: shop.clock.now).leads.isEmpty)
        shop.clock.advance(by: 3600)
        #expect(shop.board.list(.overdue, for: "ana", at: shop.clock.now).leads.map(\.id) == [mine])
    }
}

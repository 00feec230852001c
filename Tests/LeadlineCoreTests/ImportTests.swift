import Foundation
import LeadlineCore
import Testing

/// `IMPORT leads` in the core: every row checked as `NEW` checks a lead, all or nothing.
@Suite struct ImportTests {
    func row(_ line: Int, phone: String? = nil, name: String? = nil, _ adjust: (inout ImportRow) -> Void = { _ in }) -> ImportRow {
        var lead = NewLead()
        lead.phone = phone
        lead.name = name
        var row = ImportRow(line: line, lead: lead)
        adjust(&row)
        return row
    }

    /// A row with several problems is named once for each, in the order `NEW` checks
    /// them: one answer lists everything to fix in the file.
    @Test func everyProblemOfARowIsNamed() {
        let shop = Shop()
        let rows = [
            row(2, phone: "call me") { $0.lead.owner = "zed"; $0.lead.backup = "yan"; $0.arrived = shop.at("2199-01-01T09:00") },
            row(3, phone: "555-0103") { $0.lead.owner = "ben"; $0.lead.backup = "ben" },
            row(4, phone: "555-0104") {
                $0.status = .completed; $0.arrived = shop.at("2026-11-10T09:00"); $0.closed = shop.at("2026-11-09T09:00")
            },
            row(5, phone: "555-0105") { $0.lead.kind = .estimate; $0.lead.sent = TimeSpec.parse("+2d") },
        ]
        guard case .failure(let refusal) = shop.board.decideImport(rows, from: "csv", by: shop.person("ana"), at: shop.clock.now) else {
            Issue.record("accepted")
            return
        }
        #expect(refusal.problems.map(\.line) == [2, 2, 2, 2, 3, 4, 5])
        #expect(refusal.problems.map { $0.error.fields.first { $0.key == "arg" }?.value }
                == ["phone", "owner", "backup", "created_at", "backup", "closed_at", "sent_at"].map { .text($0) })
        #expect(refusal.problems.last?.error.message.hasPrefix("sent_at ") == true, "named by the file's column")
    }

    @Test func goodRowsBecomeLeadsAndOneSummary() throws {
        var shop = Shop()
        shop.ok(.newLead({ var n = NewLead(); n.phone = "555-0100"; return n }()), by: "ana")
        let rows = [
            row(2, phone: "555-0100"),  // the phone of an open lead: no duplicate alert for a file
            row(3, name: "Pat") { $0.lead.owner = "ben"; $0.lead.kind = .estimate; $0.lead.sent = TimeSpec.parse("2026-11-20T10:00") },
            row(4, phone: "555-0102") { $0.status = .completed; $0.arrived = shop.at("2026-11-02T09:00"); $0.closed = shop.at("2026-11-03T12:00") },
            row(5, phone: "555-0105") { $0.lead.owner = "ben"; $0.status = .estimateSent },
        ]
        guard case .success(let decision) = shop.board.decideImport(rows, from: "jobber", by: shop.person("ana"), at: shop.clock.now) else {
            Issue.record("refused")
            return
        }
        #expect(decision.changes.count == 5)
        #expect(decision.changes.last == .imported(ImportSummary(count: 4, first: 2, last: 5, system: "jobber")))
        #expect(!decision.changes.contains { if case .alert = $0 { true } else { false } }, "a file is not a call: no alerts")
        let stamped = shop.board.stamp(decision.changes, by: "ana", at: shop.clock.now)
        try shop.board.apply(stamped)
        #expect(shop.lead(2).importedFrom == "jobber" && shop.lead(2).ackOwed == false)
        #expect(shop.lead(3).owner == "ben", "the file names the owner; the importer need not be a supervisor")
        #expect(shop.lead(4).isOpen == false && shop.lead(4).closedAt == shop.at("2026-11-03T12:00"))
        #expect(shop.lead(4).createdAt == shop.at("2026-11-02T09:00"))
        #expect(shop.lead(2).imported === shop.lead(3).imported, "one origin for the leads of one import")
        // An estimate already out when it came in is in the daily review from then.
        #expect(shop.board.reviewList().map(\.id) == [5])
        #expect(shop.lead(5).reviewSince == shop.clock.now)
        // The journal round trip keeps what the file said.
        for event in stamped {
            #expect(try Change(record: event.record) == event.change)
        }
    }

    /// A booked lead comes in with its visit (`appointment_at`, `technician`), as
    /// `STATUS booked appt= tech=` sets it: two hours after the visit began with no
    /// result, its technician is chased. A booked row without the visit's time, a visit
    /// on a lead not booked, a technician without a visit and one nobody is called are
    /// each named.
    @Test func aBookedLeadComesInWithItsVisit() throws {
        var shop = Shop()
        let rows = [row(2, phone: "555-2001") {
            $0.lead.owner = "ana"; $0.status = .booked; $0.appointment = TimeSpec.parse("2026-11-23T09:00"); $0.technician = "tess"
        }]
        guard case .success(let decision) = shop.board.decideImport(rows, from: "csv", by: shop.person("ana"), at: shop.clock.now) else {
            Issue.record("refused")
            return
        }
        let stamped = shop.board.stamp(decision.changes, by: "ana", at: shop.clock.now)
        try shop.board.apply(stamped)
        for event in stamped { #expect(try Change(record: event.record) == event.change) }
        #expect(shop.lead(1).appointment == Appointment(at: shop.at("9:00"), tech: "tess") && shop.lead(1).hasPendingVisit)
        let chased = shop.advance(to: shop.at("11:30")).filter { $0.alert.appointment != nil }
        #expect(chased.map(\.at) == [shop.at("11:00")] && chased.first?.alert.ask == ["tess", "dora"], "\(chased)")

        let bad = [
            row(2, phone: "555-2002") { $0.status = .booked },
            row(3, phone: "555-2003") { $0.appointment = TimeSpec.parse("2026-11-24T09:00") },
            row(4, phone: "555-2004") { $0.technician = "tess" },
            row(5, phone: "555-2005") { $0.status = .booked; $0.appointment = TimeSpec.parse("2026-11-24T09:00"); $0.technician = "zed" },
        ]
        guard case .failure(let refusal) = shop.board.decideImport(bad, from: "csv", by: shop.person("ana"), at: shop.clock.now) else {
            Issue.record("accepted")
            return
        }
        #expect(refusal.problems.map(\.line) == [2, 3, 4, 5])
        #expect(refusal.problems.map { $0.error.fields.first { $0.key == "arg" }?.value }
                == ["appointment_at", "appointment_at", "technician", "technician"].map { .text($0) })
        #expect(refusal.problems[1].error.message == "appointment_at is for a booked lead; this one is needs-callback")
    }

    /// A lead the file says arrived weeks ago came onto the board at its import: the
    /// sweeps before then did not leave it overnight (none is raised for a past day,
    /// nor counted in the scorecard); the day's own sweep lists it if it waits undone.
    @Test func anImportedLeadIsSweptFromItsImportOn() throws {
        var shop = Shop()
        let rows = [row(2, phone: "555-1001") { $0.arrived = shop.at("2026-11-01T09:00") }]
        guard case .success(let decision) = shop.board.decideImport(rows, from: "csv", by: shop.person("ana"), at: shop.clock.now) else {
            Issue.record("refused")
            return
        }
        try shop.board.apply(shop.board.stamp(decision.changes, by: "ana", at: shop.clock.now))
        #expect(shop.lead(1).createdAt == shop.at("2026-11-01T09:00") && shop.lead(1).enteredAt == shop.clock.now)
        #expect(shop.raiseDue().filter { $0.kind == .sweep }.isEmpty, "Friday's sweep was before the import")
        let friday = shop.board.scorecard(.day(LocalDate("2026-11-20")!), now: shop.clock.now)
        #expect(friday.filter { $0.figure == .overnightWithoutOutcome && $0.person == nil }.map(\.tenths) == [0], "\(friday)")
        let sweeps = shop.advance(to: shop.at("16:30")).filter { $0.alert.kind == .sweep }
        #expect(sweeps.map(\.alert.lead) == [1] && sweeps.map(\.at) == [shop.at("16:30")], "\(sweeps)")
        // A snapshot keeps when it came onto the board.
        var w = SnapshotWriter()
        shop.board.writeSnapshot(to: &w)
        var r = SnapshotReader(w.bytes, from: 0)
        #expect(try Board(snapshot: &r, policy: shop.board.policy).lead(1)?.enteredAt == shop.lead(1).enteredAt)
    }

    @Test func everyBadRowIsRefusedAndNothingApplies() {
        let shop = Shop()
        let rows = [
            row(2, phone: "555-0100"),
            row(3),  // neither phone nor name
            row(4, phone: "555-0101") { $0.lead.owner = "ghost" },
            row(5, phone: "call me") ,
        ]
        guard case .failure(let refusal) = shop.board.decideImport(rows, from: "csv", by: shop.person("ana"), at: shop.clock.now) else {
            Issue.record("accepted")
            return
        }
        #expect(refusal.problems.map(\.line) == [3, 4, 5])
        #expect(refusal.problems.map { $0.error.fields.first } == [Field("arg", "phone"), Field("arg", "owner"), Field("arg", "phone")])
    }

    /// Decided off the server's queue, an import is renumbered when others' leads came
    /// in meanwhile, and then applies as if decided now.
    @Test func anImportDecidedEarlierIsRenumbered() throws {
        var shop = Shop()
        guard case .success(let early) = shop.board.decideImport([row(2, phone: "555-0100"), row(3, name: "Pat")], from: "csv",
                                                                  by: shop.person("ana"), at: shop.clock.now) else {
            Issue.record("refused")
            return
        }
        shop.newLead(phone: "555-0199")  // lead 1 arrives meanwhile
        let decision = shop.board.renumberingImport(early)
        #expect(decision.changes.last == .imported(ImportSummary(count: 2, first: 2, last: 3, system: "csv")))
        #expect(decision.reply.contains(Field("first", 2)))
        try shop.board.apply(shop.board.stamp(decision.changes, by: "ana", at: shop.clock.now))
        #expect(shop.lead(2).phone == "555-0100" && shop.lead(3).name == "Pat" && shop.lead(1).phone == "555-0199")
    }

    @Test func aTechnicianCannotImport() {
        let shop = Shop()
        guard case .failure(let refusal) = shop.board.decideImport([row(2, phone: "555-0100")], from: "csv",
                                                                   by: shop.person("tess"), at: shop.clock.now) else {
            Issue.record("accepted")
            return
        }
        #expect(refusal.problems.first?.error.code == .denied)
    }
}

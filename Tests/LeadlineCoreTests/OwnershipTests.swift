import Foundation
import LeadlineCore
import Testing

@Suite struct OwnershipTests {
    @Test func claimMakesThePrimaryOwner() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        #expect(shop.lead(id).owner == "ana")
    }

    @Test func secondClaimConflictsNamingTheWinner() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        let error = shop.refused(.claim(id), by: "ben")
        #expect(error?.code == .conflict)
        #expect(error?.fields.contains(Field("owner", "ana")) == true)
        #expect(error?.message == "lead 1 is already claimed by ana")
    }

    @Test func claimingYourOwnLeadChangesNothing() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        let before = shop.board.lastSeq
        let decision = shop.ok(.claim(id), by: "ana")
        #expect(decision.changes.isEmpty)
        #expect(shop.board.lastSeq == before)
    }

    @Test func unknownLeadIsNotFound() {
        var shop = Shop()
        #expect(shop.refused(.claim(99), by: "ana")?.code == .notFound)
    }

    @Test func techniciansDoNotClaim() {
        var shop = Shop()
        let id = shop.newLead()
        let error = shop.refused(.claim(id), by: "tess")
        #expect(error?.code == .denied)
        #expect(error?.fields.contains { $0.key == "need" } == true)
    }

    @Test func releaseIsForTheOwnerOrASupervisor() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        #expect(shop.refused(.release(id, reason: nil), by: "ben")?.code == .denied)
        shop.ok(.release(id, reason: "going to a job site"), by: "ana")
        #expect(shop.lead(id).owner == nil)
        #expect(shop.refused(.release(id, reason: nil), by: "ana")?.code == .conflict)
        shop.ok(.claim(id), by: "ben")
        shop.ok(.release(id, reason: "reassigning"), by: "omar")
        #expect(shop.lead(id).owner == nil)
    }

    @Test func assignIsForSupervisors() {
        var shop = Shop()
        let id = shop.newLead()
        let error = shop.refused(.assign(id, owner: .person("ben"), backup: .keep), by: "ana")
        #expect(error?.code == .denied)
        #expect(error?.fields.contains(Field("need", "dispatcher,ops,owner")) == true)
        shop.ok(.assign(id, owner: .person("ben"), backup: .person("cara")), by: "dora")
        #expect(shop.lead(id).owner == "ben")
        #expect(shop.lead(id).backup == "cara")
        shop.ok(.assign(id, owner: .keep, backup: .nobody), by: "dora")
        #expect(shop.lead(id).backup == nil)
        #expect(shop.lead(id).owner == "ben")
    }

    @Test func assignRefusesTheSamePersonTwice() {
        var shop = Shop()
        let id = shop.newLead()
        let error = shop.refused(.assign(id, owner: .person("ben"), backup: .person("ben")), by: "dora")
        #expect(error?.code == .invalid)
    }

    @Test func assignNeedsSomethingToSet() {
        var shop = Shop()
        let id = shop.newLead()
        #expect(shop.refused(.assign(id, owner: .keep, backup: .keep), by: "dora")?.code == .invalid)
    }

    @Test func backupTakesOverOnlyOnceOverdue() {
        var shop = Shop()
        let id = shop.newLead(kind: .missedCall)
        shop.ok(.assign(id, owner: .person("ana"), backup: .person("ben")), by: "dora")
        let early = shop.refused(.takeover(id), by: "ben")
        #expect(early?.code == .denied)
        #expect(early?.message.contains("08:05") == true)
        shop.clock.advance(by: 6 * 60)
        shop.ok(.takeover(id), by: "ben")
        let lead = shop.lead(id)
        #expect(lead.owner == "ben")
        #expect(lead.backup == "ana")
        guard case .claimed(let claim) = shop.events.last?.change else { Issue.record("no claim"); return }
        #expect(claim.isTakeover)
        #expect(claim.from == "ana")
    }

    @Test func supervisorsTakeOverAnyTime() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        shop.ok(.takeover(id), by: "omar")
        #expect(shop.lead(id).owner == "omar")
        #expect(shop.lead(id).backup == "ana")
        // A lead that already had a backup: the previous owner becomes the backup all the same.
        let backed = shop.newLead(phone: "555-0199")
        shop.ok(.assign(backed, owner: .person("ben"), backup: .person("ana")), by: "dora")
        shop.ok(.takeover(backed), by: "omar")
        #expect(shop.lead(backed).owner == "omar")
        #expect(shop.lead(backed).backup == "ben")
        // Unless the previous owner is away: the backup at hand stays.
        let away = shop.newLead(phone: "555-0198")
        shop.ok(.assign(away, owner: .person("cara"), backup: .person("ana")), by: "dora")
        shop.ok(.away(reason: "out"), by: "cara")
        shop.ok(.takeover(away), by: "omar")
        #expect(shop.lead(away).owner == "omar")
        #expect(shop.lead(away).backup == "ana")
    }

    @Test func othersCannotTakeOver() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        shop.clock.advance(by: 3600)
        #expect(shop.refused(.takeover(id), by: "cara")?.code == .denied)
    }

    @Test func backupClaimingAnUnownedLeadStopsBeingBackup() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.assign(id, owner: .keep, backup: .person("ben")), by: "dora")
        shop.ok(.claim(id), by: "ben")
        #expect(shop.lead(id).owner == "ben")
        #expect(shop.lead(id).backup == nil)
    }

    @Test func closedLeadsCannotBeClaimed() {
        var shop = Shop()
        let id = shop.newLead()
        shop.ok(.claim(id), by: "ana")
        var status = StatusRequest(lead: id, status: .disqualified)
        status.reason = "out of area"
        shop.ok(.setStatus(status), by: "ana")
        let error = shop.refused(.claim(id), by: "ben")
        #expect(error?.code == .conflict)
        #expect(error?.message == "lead 1 is closed (disqualified)")
        #expect(shop.refused(.release(id, reason: nil), by: "ana")?.code == .conflict)
    }
}

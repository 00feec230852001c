import LeadlineCore
import Testing

@Suite struct PeopleTests {
    @Test func onlyTheOwnerManagesPeople() {
        var shop = Shop()
        let error = shop.refused(.addPerson(name: "zed", role: .csr, tokenHash: "h"), by: "omar")
        #expect(error?.code == .denied)
        #expect(error?.fields.contains(Field("need", "owner")) == true)
        shop.ok(.addPerson(name: "Zed", role: .csr, tokenHash: "h"), by: "olive")
        #expect(shop.board.people["zed"]?.role == .csr)
    }

    @Test func namesAreCheckedAndUnique() {
        var shop = Shop()
        #expect(shop.refused(.addPerson(name: "ana", role: .csr, tokenHash: "h"), by: "olive")?.code == .conflict)
        #expect(shop.refused(.addPerson(name: "9lives", role: .csr, tokenHash: "h"), by: "olive")?.code == .invalid)
        #expect(shop.refused(.addPerson(name: "none", role: .csr, tokenHash: "h"), by: "olive")?.code == .invalid)
        #expect(shop.refused(.addPerson(name: "has space", role: .csr, tokenHash: "h"), by: "olive")?.code == .invalid)
    }

    @Test func theLastOwnerStays() {
        var shop = Shop()
        #expect(shop.refused(.removePerson(name: "olive"), by: "olive")?.code == .conflict)
        shop.ok(.addPerson(name: "otto", role: .owner, tokenHash: "h"), by: "olive")
        shop.ok(.removePerson(name: "olive"), by: "otto")
        #expect(shop.board.people["olive"] == nil)
    }

    @Test func tokensAreReplaced() {
        var shop = Shop()
        shop.ok(.replaceToken(name: "ana", tokenHash: "new"), by: "olive")
        #expect(shop.board.people["ana"]?.tokenHash == "new")
        #expect(shop.refused(.replaceToken(name: "ghost", tokenHash: "x"), by: "olive")?.code == .notFound)
    }

    @Test func personEventsArePrivate() {
        var shop = Shop()
        shop.ok(.addPerson(name: "zed", role: .csr, tokenHash: "h"), by: "olive")
        #expect(shop.events.last?.isPrivate == true)
    }
}

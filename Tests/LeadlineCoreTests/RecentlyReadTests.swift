import LeadlineCore
import Testing

@Suite struct RecentlyReadTests {
    @Test func itHoldsAtMostItsCapacity() {
        var recent = RecentlyRead<String>(capacity: 10)
        for key in UInt64(1)...100 { recent.keep("line \(key)", as: key) }
        #expect(recent.count <= 10)
        #expect(recent.value(100) == "line 100")
        #expect(recent.value(1) == nil)
    }

    @Test func whatIsAskedForAgainStaysWhileTheRestAgesOut() {
        var recent = RecentlyRead<String>(capacity: 4)
        recent.keep("one", as: 1)
        recent.keep("two", as: 2)
        recent.keep("three", as: 3)  // 1 and 2 are now the old generation
        #expect(recent.value(1) == "one")  // asked for again: back in the young one
        recent.keep("four", as: 4)
        recent.keep("five", as: 5)  // the generation holding 2 is dropped
        #expect(recent.value(1) == "one")
        #expect(recent.value(2) == nil)
    }

    @Test func noCapacityKeepsNothing() {
        var recent = RecentlyRead<String>(capacity: 0)
        recent.keep("one", as: 1)
        #expect(recent.count == 0)
        #expect(recent.value(1) == nil)
    }
}

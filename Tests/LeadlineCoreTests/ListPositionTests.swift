import Foundation
import LeadlineCore
import Testing

/// A list position is packed into two words; its order must be the one the protocol
/// states, field by field: open before closed, then the class, then the due time (none
/// last), then the id; closed leads by id. And a cursor reads back to its position.
@Suite struct ListPositionTests {
    struct Place: Comparable {
        let closed: Bool, rank: Int, due: Int64?, id: Int

        static func < (a: Place, b: Place) -> Bool {
            if a.closed != b.closed { return !a.closed }
            if a.closed { return a.id < b.id }
            if a.rank != b.rank { return a.rank < b.rank }
            switch (a.due, b.due) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.id < b.id
            }
        }

        var cursor: String { closed ? "c.\(id)" : "\(rank).\(due.map(String.init) ?? "-").\(id)" }
    }

    @Test func packedOrderIsTheFieldByFieldOrder() throws {
        var random = SeededRandom(seed: 0x0051_7105)
        let dues: [Int64] = [-1, 0, 1, 1_764_512_345_000, 1_764_512_345_001, -62_135_596_800_000, 7_258_118_400_000]
        var places: [Place] = []
        for _ in 0..<3_000 {
            let closed = Int.random(in: 0..<5, using: &random) == 0
            let due: Int64? = Int.random(in: 0..<4, using: &random) == 0 ? nil
                : Bool.random(using: &random) ? dues.randomElement(using: &random)!
                : Int64.random(in: 946_684_800_000..<7_258_118_400_000, using: &random)
            places.append(Place(closed: closed, rank: closed ? 0 : Int.random(in: 0...7, using: &random), due: closed ? nil : due,
                                id: Int.random(in: 1...40, using: &random) == 1 ? Int.random(in: 1...Int.max, using: &random) : Int.random(in: 1...500, using: &random)))
        }
        let positions = try places.map { try #require(ListPosition(cursor: $0.cursor)) }
        for (place, position) in zip(places, positions) { #expect(position.cursor == place.cursor) }
        for _ in 0..<20_000 {
            let i = Int.random(in: 0..<places.count, using: &random), j = Int.random(in: 0..<places.count, using: &random)
            #expect((positions[i] < positions[j]) == (places[i] < places[j]), "\(places[i].cursor) against \(places[j].cursor)")
        }
        #expect(positions.sorted().map(\.cursor) == places.sorted().map(\.cursor))
    }

    /// Only a hand-made cursor has a class beyond the seven or a due time millions of
    /// years off: it is taken as the nearest the position holds, never as a closed lead.
    @Test func outOfRangeCursorsAreClamped() throws {
        let far = try #require(ListPosition(cursor: "99.-.5"))
        let closed = try #require(ListPosition(cursor: "c.1"))
        #expect(far < closed)
        #expect(far.cursor == "14.-.5")
        let ancient = try #require(ListPosition(cursor: "0.-9223372036854775808.3"))
        #expect(ancient.cursor == "0.-576460752303423488.3")
        #expect(try #require(ListPosition(cursor: ancient.cursor)) == ancient)
    }
}

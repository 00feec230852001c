import Foundation
import LeadlineCore
import Testing

@Suite struct ZoneOffsetsTests {
    /// Zones with yearly DST, half-hour DST, none, DST abolished midway, and UTC.
    static let zones = ["America/Chicago", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata",
                        "America/Sao_Paulo", "Pacific/Apia", "UTC"]

    /// The table gives what the zone itself gives, at random instants across the
    /// table and beyond both its ends.
    @Test(arguments: zones) func agreesWithTheZoneAtRandomInstants(_ name: String) throws {
        let zone = try #require(TimeZone(identifier: name))
        let table = ZoneOffsets(zone)
        var random = SeededRandom(seed: 0x5EED_0FF5)
        let low = Date(timeIntervalSince1970: 0).timeIntervalSince1970
        let high = Date(timeIntervalSince1970: 8_000_000_000).timeIntervalSince1970
        for _ in 0..<4_000 {
            let date = Date(timeIntervalSince1970: Double.random(in: low..<high, using: &random).rounded())
            #expect(table.secondsFromGMT(for: date) == zone.secondsFromGMT(for: date), "\(name) at \(date)")
        }
    }

    /// Around every transition between 2000 and 2200: the second before it has the old
    /// offset, the transition itself and the second after the new one.
    @Test(arguments: zones) func agreesAtEveryTransition(_ name: String) throws {
        let zone = try #require(TimeZone(identifier: name))
        let table = ZoneOffsets(zone)
        var at = TimeBounds.earliest
        var seen = 0
        while let next = zone.nextDaylightSavingTimeTransition(after: at), next < TimeBounds.end {
            for delta in [-1.0, 0, 1] {
                let date = next.addingTimeInterval(delta)
                #expect(table.secondsFromGMT(for: date) == zone.secondsFromGMT(for: date), "\(name) at \(date)")
            }
            at = next
            seen += 1
        }
        if name == "America/Chicago" { #expect(seen > 300, "two transitions a year for two centuries") }
    }

    /// The wire's times read the same through the table as through the zone.
    @Test func aWrittenTimeCarriesTheZonesOffset() throws {
        let zone = try #require(TimeZone(identifier: "America/Chicago"))
        let summer = try #require(Timestamp.parse("2026-07-01T12:00:00Z"))
        let winter = try #require(Timestamp.parse("2026-12-01T12:00:00Z"))
        #expect(Timestamp.local(summer, in: zone) == "2026-07-01T07:00:00-05:00")
        #expect(Timestamp.local(winter, in: zone) == "2026-12-01T06:00:00-06:00")
        #expect(ZoneOffsets.of(zone) === ZoneOffsets.of(zone), "made once per zone")
    }
}

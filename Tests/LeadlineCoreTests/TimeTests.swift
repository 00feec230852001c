import Foundation
import LeadlineCore
import Testing

@Suite struct TimestampTests {
    @Test func localTimeCarriesTheOffset() {
        let date = Timestamp.parse("2026-11-23T14:05:00Z")!
        #expect(Timestamp.local(date, in: Shop.zone) == "2026-11-23T08:05:00-06:00")
        #expect(Timestamp.local(date, in: TimeZone(identifier: "UTC")!) == "2026-11-23T14:05:00Z")
        #expect(Timestamp.local(date, in: TimeZone(identifier: "Asia/Kolkata")!) == "2026-11-23T19:35:00+05:30")
    }

    @Test func utcKeepsMilliseconds() {
        let date = Date(timeIntervalSince1970: 1_795_000_000.123)
        let text = Timestamp.utc(date)
        #expect(text.hasSuffix(".123Z"))
        #expect(Timestamp.parse(text)!.timeIntervalSince1970 == 1_795_000_000.123)
    }

    @Test func parsesWhatItWrites() {
        for seconds in stride(from: -2_000_000_000, to: 4_000_000_000, by: 77_777_777) {
            let date = Date(timeIntervalSince1970: Double(seconds))
            #expect(Timestamp.parse(Timestamp.local(date, in: Shop.zone)) == date)
            #expect(Timestamp.parse(Timestamp.utc(date)) == date)
        }
    }

    /// Years outside 0–9999 are written in ISO 8601's expanded form and read back, so
    /// no stored instant, however odd, makes the journal unreadable.
    @Test func expandedYearsRoundTrip() {
        let cases = ["-0001-12-31T23:59:00.000Z", "+10000-01-01T00:00:00.000Z", "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"]
        for text in cases {
            let date = Timestamp.parse(text)
            #expect(date != nil, "\(text)")
            if let date { #expect(Timestamp.utc(date) == text) }
        }
        for seconds in [-70_000_000_000.0, -62_167_219_260, 253_402_300_800, 400_000_000_000] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Timestamp.parse(Timestamp.utc(date)) == date)
            #expect(Timestamp.parse(Timestamp.local(date, in: TimeZone(identifier: "UTC")!)) == date)
        }
        #expect(Timestamp.parse("+999-01-01T00:00Z") == nil, "a sign needs four digits or more")
    }

    @Test func refusesNonsense() {
        for text in ["", "2026-11-23", "2026-13-01T00:00Z", "2026-11-23T25:00Z", "2026-11-23T10:00", "2026-11-23T10:00:00+0600", "x",
                     "2026-11-23T10:00+25:00", "2026-11-23T10:00+99:99", "2026-11-23T10:00-05:60"] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
    }

    @Test func civilDaysRoundTrip() {
        for days in stride(from: -800_000, to: 800_000, by: 997) {
            let (y, m, d) = Timestamp.civilFromDays(days)
            #expect(Timestamp.daysFromCivil(y, m, d) == days)
        }
    }
}

@Suite struct TimeSpecTests {
    let policy = Policy(timeZone: Shop.zone)
    let now = Timestamp.parse("2026-11-23T10:15:00-06:00")!  // a Monday

    func resolve(_ text: String) -> String? {
        TimeSpec.parse(text)?.resolve(now: now, policy: policy).map { Timestamp.local($0, in: Shop.zone) }
    }

    @Test func clockTimesAreToday() {
        #expect(resolve("15:30") == "2026-11-23T15:30:00-06:00")
        #expect(resolve("9:05") == "2026-11-23T09:05:00-06:00")
        #expect(resolve("3pm") == "2026-11-23T15:00:00-06:00")
        #expect(resolve("3:30PM") == "2026-11-23T15:30:00-06:00")
        #expect(resolve("12am") == "2026-11-23T00:00:00-06:00")
    }

    @Test func daysAreAtOpening() {
        #expect(resolve("tomorrow") == "2026-11-24T08:00:00-06:00")
        #expect(resolve("thu") == "2026-11-26T08:00:00-06:00")
        #expect(resolve("monday") == "2026-11-30T08:00:00-06:00")
        #expect(resolve("2026-12-01") == "2026-12-01T08:00:00-06:00")
        #expect(resolve("today") == "2026-11-23T08:00:00-06:00")
    }

    /// A day the shop is shut has no opening: a day alone names the next opening after
    /// it. A time given with the day is taken as said.
    @Test func aClosedDayMeansTheNextOpening() {
        #expect(resolve("sat") == "2026-11-30T08:00:00-06:00")
        #expect(resolve("sunday") == "2026-11-30T08:00:00-06:00")
        #expect(resolve("2026-11-28") == "2026-11-30T08:00:00-06:00")
        #expect(resolve("sat 10:00") == "2026-11-28T10:00:00-06:00", "a time given is taken as said")
        var holiday = policy
        holiday.holidays = [LocalDate("2026-11-24")!]
        #expect(TimeSpec.parse("tomorrow")?.resolve(now: now, policy: holiday).map { Timestamp.local($0, in: Shop.zone) }
                == "2026-11-25T08:00:00-06:00")
    }

    @Test func dayAndTime() {
        #expect(resolve("tomorrow 9am") == "2026-11-24T09:00:00-06:00")
        #expect(resolve("thu 14:00") == "2026-11-26T14:00:00-06:00")
        #expect(resolve("2026-11-26T10:00") == "2026-11-26T10:00:00-06:00")
        #expect(resolve("2026-11-26 10:00") == "2026-11-26T10:00:00-06:00")
    }

    @Test func relativeAndAbsolute() {
        #expect(resolve("+30m") == "2026-11-23T10:45:00-06:00")
        #expect(resolve("+2h") == "2026-11-23T12:15:00-06:00")
        #expect(resolve("+1d") == "2026-11-24T10:15:00-06:00")
        #expect(resolve("2026-11-23T20:00:00Z") == "2026-11-23T14:00:00-06:00")
        #expect(resolve("now") == "2026-11-23T10:15:00-06:00")
    }

    @Test func nonsenseIsNotATime() {
        for text in ["15", "25:00", "3:7", "13pm", "someday", "+3x", "+", "2026-02-30x", "thu 25:00", "a b c"] {
            #expect(TimeSpec.parse(text) == nil, "\(text)")
        }
        #expect(TimeSpec.parse("2026-02-30")?.resolve(now: now, policy: policy) == nil)
    }

    @Test func daylightSavingKeepsLocalTimes() {
        // The Friday before DST ends (Nov 1 2026 in the US); "mon 9am" is after it.
        let friday = Timestamp.parse("2026-10-30T10:00:00-05:00")!
        let monday = TimeSpec.parse("mon 9am")!.resolve(now: friday, policy: policy)!
        #expect(Timestamp.local(monday, in: Shop.zone) == "2026-11-02T09:00:00-06:00")
    }
}

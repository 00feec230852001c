import Foundation
import LeadlineCore
import Testing

/// The writer remembers its last two days and its last offset span; one writer used for
/// a long run of times must write each exactly as a reading of Foundation's own calendar
/// would, across days, years and DST transitions.
@Suite struct LocalTimeWriterTests {
    /// `YYYY-MM-DDTHH:MM:SS±HH:MM` (or `Z`) from Foundation's calendar in `zone`.
    static func reference(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = zone.secondsFromGMT(for: date)
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        var text = "\(c.year!)-\(two(c.month!))-\(two(c.day!))T\(two(c.hour!)):\(two(c.minute!)):\(two(c.second!))"
        if offset == 0 {
            text += "Z"
        } else {
            let minutes = abs(offset) / 60
            text += (offset < 0 ? "-" : "+") + two(minutes / 60) + ":" + two(minutes % 60)
        }
        return text
    }

    static func written(_ writer: inout LocalTimeWriter, _ date: Date) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Timestamp.maxWrittenBytes) { buffer in
            let count = writer.write(date, at: buffer.baseAddress!)
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    @Test(arguments: ["America/Chicago", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"])
    func oneWriterOverManyTimesAgreesWithTheCalendar(_ name: String) throws {
        let zone = try #require(TimeZone(identifier: name))
        var writer = LocalTimeWriter(ZoneOffsets.of(zone))
        var random = SeededRandom(seed: 0x7123_5EED)
        var times: [Date] = []
        // Pairs on two days, as a row's due and created times alternate.
        let base = try #require(Timestamp.parse("2026-03-01T00:00:00Z")).timeIntervalSince1970
        for _ in 0..<2_000 {
            let due = base + Double(Int.random(in: 0..<(90 * 86_400), using: &random))
            times.append(Date(timeIntervalSince1970: due))
            times.append(Date(timeIntervalSince1970: due - Double(Int.random(in: 0..<(5 * 86_400), using: &random))))
        }
        // Every second around each transition of 2026, in order and back again.
        var at = Date(timeIntervalSince1970: base - 120 * 86_400)
        while let next = zone.nextDaylightSavingTimeTransition(after: at), next.timeIntervalSince1970 < base + 300 * 86_400 {
            for delta in [-2.0, -1, 0, 1, 2, -1, 0] { times.append(next.addingTimeInterval(delta)) }
            at = next
        }
        // Anywhere from 2000 to 2200.
        for _ in 0..<2_000 {
            times.append(Date(timeIntervalSince1970: Double(Int.random(in: 946_684_800..<7_258_118_400, using: &random))))
        }
        // Before 1970 (negative days), fractions of a second (written down to the second,
        // below zero too), and back into the table after a time beyond it.
        for seconds in [0, -0.5, -86_400.5, -1_000_000_000, 1e9 + 0.999, 9_000_000_000, 1_790_000_000.25, -0.5] {
            times.append(Date(timeIntervalSince1970: seconds))
        }
        for time in times {
            #expect(Self.written(&writer, time) == Self.reference(time, zone), "\(name) at \(time.timeIntervalSince1970)")
        }
    }
}

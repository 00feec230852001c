import Foundation

/// Writes instants in the shop's local time with their offset
/// (`2026-11-23T08:05:00-06:00`), remembering the last two days it wrote and the span
/// of the last offset.
///
/// A `LIST` writes two times on each of thousands of rows (when it is due, when it came
/// in), most of them on a few days and under one offset. Working the date out again for
/// each (a dozen divisions) and finding the offset again (a binary search of the zone's
/// transitions) was a tenth of that reply's CPU; the writer remembers the last two days
/// (a row's two times alternate between two) and the offset's span. What it writes is
/// exactly ``Timestamp/local(_:in:)``.
public struct LocalTimeWriter {
    public let offsets: ZoneOffsets
    /// The offset last used and the instants it holds between.
    private var span: ZoneOffsets.Span?
    /// The last two local days written (days since 1970) and their dates, the latest first.
    private var days = (Int.min, Int.min)
    private var dates = ((year: 0, month: 0, day: 0), (year: 0, month: 0, day: 0))

    public init(_ offsets: ZoneOffsets) {
        self.offsets = offsets
    }

    /// Writes `instant` at `start`, which has room for ``Timestamp/maxWrittenBytes``;
    /// returns how many bytes it wrote.
    public mutating func write(_ instant: Date, at start: UnsafeMutablePointer<UInt8>) -> Int {
        let seconds = Int(floor(instant.timeIntervalSince1970))
        let offset = offset(at: instant, seconds: seconds)
        let local = seconds + offset
        let day = local.floorDiv(86_400)
        var w = DigitCursor(start)
        w.civil(date(of: day), secondOfDay: local - day * 86_400)
        w.offset(offset)
        return w.count
    }

    private mutating func date(of day: Int) -> (year: Int, month: Int, day: Int) {
        if day == days.0 { return dates.0 }
        if day != days.1 {
            days.1 = day
            dates.1 = Timestamp.civilFromDays(day)
        }
        swap(&days.0, &days.1)
        swap(&dates.0, &dates.1)
        return dates.0
    }

    private mutating func offset(at instant: Date, seconds: Int) -> Int {
        if let span, span.contains(Int64(seconds)) { return span.offset }
        span = offsets.span(at: instant)
        return span?.offset ?? offsets.zone.secondsFromGMT(for: instant)
    }
}

import Foundation

/// Time as the shop counts it: open hours per weekday, holidays, in the shop's zone.
///
/// A window of business time only runs while the shop is open, so a 5-minute window on
/// a missed call at 19:42 on a Friday ends at 08:05 on Monday, and a 15-minute window
/// starting 10 minutes before close ends 5 minutes after the next opening. Each day's
/// hours are built from local wall-clock times through the calendar, so a
/// daylight-saving change neither loses nor doubles an hour of business time.
public struct BusinessCalendar: Sendable {
    public let policy: Policy
    private let calendar: Calendar

    public init(policy: Policy) {
        self.policy = policy
        calendar = policy.calendar
    }

    /// The local calendar day of an instant.
    public func localDate(_ date: Date) -> LocalDate {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return LocalDate(year: c.year!, month: c.month!, day: c.day!)
    }

    /// The instant of a local date and minute after midnight.
    public func instant(_ day: LocalDate, minute: Int) -> Date {
        var c = DateComponents(year: day.year, month: day.month, day: day.day)
        c.hour = minute / 60
        c.minute = minute % 60
        return calendar.date(from: c)!
    }

    /// The day after `day`.
    public func nextDay(_ day: LocalDate) -> LocalDate {
        let noon = instant(day, minute: 12 * 60)
        return localDate(calendar.date(byAdding: .day, value: 1, to: noon)!)
    }

    /// The day `n` calendar days after `day` (before it, for negative `n`).
    public func adding(_ n: Int, to day: LocalDate) -> LocalDate {
        let noon = instant(day, minute: 12 * 60)
        return localDate(calendar.date(byAdding: .day, value: n, to: noon)!)
    }

    public func weekday(_ day: LocalDate) -> Int {
        calendar.component(.weekday, from: instant(day, minute: 12 * 60))
    }

    /// The open interval of a local day, or nil when closed (weekend, holiday).
    public func openInterval(_ day: LocalDate) -> DateInterval? {
        guard !policy.holidays.contains(day), let hours = policy.hours.days[weekday(day)], hours.close > hours.open else {
            return nil
        }
        let start = instant(day, minute: hours.open)
        let end = instant(day, minute: hours.close)
        return end > start ? DateInterval(start: start, end: end) : nil
    }

    public func isOpen(_ date: Date) -> Bool {
        guard let interval = openInterval(localDate(date)) else { return false }
        return date >= interval.start && date < interval.end
    }

    /// The open interval holding `date`, or the next one after it.
    public func currentOrNextInterval(_ date: Date) -> DateInterval? {
        var day = localDate(date)
        for _ in 0..<800 {
            if let interval = openInterval(day), interval.end > date { return interval }
            day = nextDay(day)
        }
        return nil
    }

    /// `date` if the shop is open then, else the next opening.
    public func openOrNext(_ date: Date) -> Date {
        guard let interval = currentOrNextInterval(date) else { return date }
        return max(date, interval.start)
    }

    /// `duration` of business time after `start`.
    public func add(_ duration: TimeInterval, to start: Date) -> Date {
        var remaining = max(0, duration)
        var t = start
        for _ in 0..<2000 {
            guard let interval = currentOrNextInterval(t) else { return t.addingTimeInterval(remaining) }
            if t < interval.start { t = interval.start }
            let available = interval.end.timeIntervalSince(t)
            if remaining <= available { return t.addingTimeInterval(remaining) }
            remaining -= available
            t = interval.end
        }
        return t.addingTimeInterval(remaining)
    }

    /// The business time between `start` and `end` (zero when `end` is not later): the
    /// open hours they span, so a lead that arrived at 16:50 and was called at 08:10 the
    /// next morning waited 20 business minutes, not 15 hours.
    public func businessTime(from start: Date, to end: Date) -> TimeInterval {
        var total: TimeInterval = 0
        var t = start
        for _ in 0..<2000 where t < end {
            guard let interval = currentOrNextInterval(t), interval.start < end else { break }
            let from = max(t, interval.start)
            total += min(end, interval.end).timeIntervalSince(from)
            t = interval.end
        }
        return total
    }

    /// When the business day holding `date` closes (the next one's close when closed now).
    public func closing(_ date: Date) -> Date {
        currentOrNextInterval(date)?.end ?? date
    }

    /// Whether the shop is closed at `date` (after hours, a weekend, a holiday).
    public func isAfterHours(_ date: Date) -> Bool { !isOpen(date) }

    /// The `n`th business day after the local day of `date` (n ≥ 1), or that day itself for 0.
    public func businessDay(_ n: Int, after date: Date) -> LocalDate {
        var day = localDate(date)
        var count = 0
        for _ in 0..<800 where count < n {
            day = nextDay(day)
            if openInterval(day) != nil { count += 1 }
        }
        return day
    }

    /// A local minute on `day`, moved into its open hours (or to the next opening).
    public func within(_ day: LocalDate, minute: Int) -> Date {
        openOrNext(instant(day, minute: minute))
    }

    /// The next business-day instant at one of the local `minutes` strictly after `date`.
    public func nextBlock(after date: Date, minutes: [Int]) -> Date {
        var day = localDate(date)
        for _ in 0..<800 {
            if let interval = openInterval(day) {
                for minute in minutes.sorted() {
                    let t = instant(day, minute: minute)
                    if t > date, interval.contains(t) { return t }
                }
            }
            day = nextDay(day)
        }
        return date
    }

    /// The instant of a daily routine (the sweep, the open-loop review) at local `minute`
    /// on `day`, if that day is a business day.
    public func daily(_ minute: Int, on day: LocalDate) -> Date? {
        guard openInterval(day) != nil else { return nil }
        return instant(day, minute: minute)
    }

    /// The first instant of the daily routine at `minute` strictly after `date`.
    public func nextDaily(_ minute: Int, after date: Date) -> Date? {
        var day = localDate(date)
        for _ in 0..<800 {
            if let t = daily(minute, on: day), t > date { return t }
            day = nextDay(day)
        }
        return nil
    }

    /// The latest instant of the daily routine at `minute` at or before `date`.
    public func lastDaily(_ minute: Int, atOrBefore date: Date) -> Date? {
        var day = localDate(date)
        for _ in 0..<800 {
            if let t = daily(minute, on: day), t <= date { return t }
            let noon = instant(day, minute: 12 * 60)
            day = localDate(calendar.date(byAdding: .day, value: -1, to: noon)!)
        }
        return nil
    }

    /// The sweep instant of `day`, if it is a business day.
    public func sweep(on day: LocalDate) -> Date? { daily(policy.sweepMinute, on: day) }

    /// The first sweep instant strictly after `date`.
    public func nextSweep(after date: Date) -> Date? { nextDaily(policy.sweepMinute, after: date) }

    /// The latest sweep instant at or before `date`.
    public func lastSweep(atOrBefore date: Date) -> Date? { lastDaily(policy.sweepMinute, atOrBefore: date) }
}

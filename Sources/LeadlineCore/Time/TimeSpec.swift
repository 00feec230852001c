import Foundation

/// A time as a person types it: `15:30`, `3pm`, `+2h`, `tomorrow`, `thu 9am`,
/// `2026-11-26`, `2026-11-26T10:00` or a full ISO instant.
///
/// Parsing is separate from resolving: the words are the same everywhere, while
/// "today" and "opening" depend on the clock and the shop's policy.
public enum TimeSpec: Sendable, Equatable {
    case now
    case relative(TimeInterval)
    case instant(Date)
    /// A day, and a time of day in minutes (nil = the day's opening time).
    case local(day: DaySpec, minute: Int?)

    /// Which local day a spec names.
    public enum DaySpec: Sendable, Equatable {
        case today, tomorrow
        /// The next such weekday after today (1 = Sunday ... 7 = Saturday).
        case weekday(Int)
        case date(year: Int, month: Int, day: Int)
    }

    public static let help = "a time like 15:30, 3pm, +2h, +30m, tomorrow, thu, \"thu 9am\", 2026-11-26 or 2026-11-26T10:00"

    /// Reads what a person typed, or nil if it is not a time.
    public static func parse(_ raw: String) -> TimeSpec? {
        let text = raw.trimmingBlanks.lowercased()
        if text == "now" { return .now }
        if text.hasPrefix("+") { return parseRelative(text.dropFirst()) }
        if let instant = Timestamp.parse(text) { return .instant(instant) }
        // "thu 9am" splits at the space; "2026-11-26T10:00" (local, no offset) at the T.
        var spaced = Array(text)
        if spaced.count > 11, spaced[10] == "t", spaced[4] == "-", spaced[7] == "-" { spaced[10] = " " }
        let parts = String(spaced).split(separator: " ").map(String.init)
        switch parts.count {
        case 1:
            if let day = parseDay(parts[0]) { return .local(day: day, minute: nil) }
            if let minute = parseClock(parts[0]) { return .local(day: .today, minute: minute) }
            return nil
        case 2:
            guard let day = parseDay(parts[0]), let minute = parseClock(parts[1]) else { return nil }
            return .local(day: day, minute: minute)
        default:
            return nil
        }
    }

    /// The instant this spec names, seen from `now` in the shop described by `policy`;
    /// nil when the local time does not exist (a calendar date like 2026-02-30).
    public func resolve(now: Date, policy: Policy) -> Date? {
        switch self {
        case .now: return now
        case .relative(let interval): return now.addingTimeInterval(interval)
        case .instant(let date): return date
        case .local(let daySpec, let minute):
            let calendar = policy.calendar
            let today = calendar.dateComponents([.year, .month, .day, .weekday], from: now)
            var date: DateComponents
            switch daySpec {
            case .today:
                date = today
            case .tomorrow:
                guard let t = calendar.date(byAdding: .day, value: 1, to: now) else { return nil }
                date = calendar.dateComponents([.year, .month, .day, .weekday], from: t)
            case .weekday(let wanted):
                let ahead = ((wanted - (today.weekday ?? 1)) + 7) % 7
                guard let t = calendar.date(byAdding: .day, value: ahead == 0 ? 7 : ahead, to: now) else { return nil }
                date = calendar.dateComponents([.year, .month, .day, .weekday], from: t)
            case .date(let y, let m, let d):
                guard Timestamp.isCivilDate(y, m, d) else { return nil }
                date = DateComponents(year: y, month: m, day: d)
                guard let probe = calendar.date(from: date) else { return nil }
                date.weekday = calendar.component(.weekday, from: probe)
            }
            var wanted = DateComponents(year: date.year, month: date.month, day: date.day)
            guard let minute else {
                // A day alone is its opening; a day the shop is shut (a weekend, a
                // holiday) has none, and means the next opening after it: a callback
                // "tomorrow" on a Friday is due on Monday morning, not on Saturday.
                wanted.hour = 0
                return calendar.date(from: wanted).map(policy.business.openOrNext)
            }
            wanted.hour = minute / 60
            wanted.minute = minute % 60
            return calendar.date(from: wanted)
        }
    }

    private static func parseRelative(_ s: Substring) -> TimeSpec? {
        duration(s).map { .relative($0) }
    }

    /// A duration as people and config files write it: `90s`, `5m`, `2h`, `5d`.
    public static func duration(_ text: some StringProtocol) -> TimeInterval? {
        guard let unit = text.last, let n = Double(text.dropLast()), n >= 0, n <= 1_000_000 else { return nil }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86_400
        default: return nil
        }
    }

    private static let weekdays: [String: Int] = [
        "sun": 1, "sunday": 1, "mon": 2, "monday": 2, "tue": 3, "tues": 3, "tuesday": 3,
        "wed": 4, "wednesday": 4, "thu": 5, "thur": 5, "thurs": 5, "thursday": 5,
        "fri": 6, "friday": 6, "sat": 7, "saturday": 7,
    ]

    private static func parseDay(_ s: String) -> DaySpec? {
        if s == "today" { return .today }
        if s == "tomorrow" { return .tomorrow }
        if let w = weekdays[s] { return .weekday(w) }
        let parts = s.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        return .date(year: y, month: m, day: d)
    }

    /// `15:30`, `9:05`, `3pm`, `3:30pm`, `12am` → minutes after midnight.
    private static func parseClock(_ s: String) -> Int? {
        var body = Substring(s)
        var meridiem: String?
        if body.hasSuffix("am") || body.hasSuffix("pm") {
            meridiem = String(body.suffix(2))
            body = body.dropLast(2)
        }
        let pieces = body.split(separator: ":", omittingEmptySubsequences: false)
        guard pieces.count <= 2, let hourText = pieces.first, (1...2).contains(hourText.count),
              let hour = Int(hourText) else { return nil }
        var minute = 0
        if pieces.count == 2 {
            guard pieces[1].count == 2, let m = Int(pieces[1]), m < 60 else { return nil }
            minute = m
        } else if meridiem == nil {
            return nil  // a bare "15" is too ambiguous to be a time
        }
        var h = hour
        if let meridiem {
            guard (1...12).contains(hour) else { return nil }
            h = hour % 12 + (meridiem == "pm" ? 12 : 0)
        } else {
            guard hour < 24 else { return nil }
        }
        return h * 60 + minute
    }
}

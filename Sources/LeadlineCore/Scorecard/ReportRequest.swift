import Foundation

/// What `REPORT` asks for, before the clock says what "today" is: `REPORT day [DAY]`,
/// `REPORT week [DAY]`, `REPORT range FROM TO`, with `person=` a name or a role.
public struct ReportRequest: Sendable, Equatable {
    public var span: ReportPeriod.Span
    public var first: ReportDay
    /// The range's last day (ranges only).
    public var last: ReportDay?
    /// `person=`: someone's figures, or a role's people.
    public var person: String?

    public init(span: ReportPeriod.Span, first: ReportDay = .today, last: ReportDay? = nil, person: String? = nil) {
        self.span = span
        self.first = first
        self.last = last
        self.person = person
    }

    /// The longest range a report covers.
    public static let maxDays = 366

    /// Reads `day|week|range` and the days after it, as typed.
    public static func parse(_ words: [String], person: String?) throws(CommandError) -> ReportRequest {
        let usage = "REPORT day [date], REPORT week [date] or REPORT range FROM TO (dates like 2026-11-23, today, yesterday, last)"
        guard let first = words.first, let span = ReportPeriod.Span(rawValue: first.lowercased()) else {
            throw CommandError.invalid(argument: "period", "say which period: \(usage)")
        }
        let days = try words.dropFirst().map { w throws(CommandError) in try ReportDay.parse(w) }
        switch span {
        case .day, .week:
            guard days.count <= 1 else { throw CommandError.invalid(argument: "date", "REPORT \(span.rawValue) takes one date; \(usage)") }
            return ReportRequest(span: span, first: days.first ?? .today, person: person)
        case .range:
            guard days.count == 2 else { throw CommandError.invalid(argument: "date", "REPORT range takes two dates, FROM and TO; \(usage)") }
            return ReportRequest(span: span, first: days[0], last: days[1], person: person)
        }
    }

    /// The period meant, with `today` the clock's day; or why it is not one.
    public func period(today: LocalDate, in business: BusinessCalendar) throws(CommandError) -> ReportPeriod {
        switch span {
        case .day:
            return .day(first.resolve(today: today, step: 1, business))
        case .week:
            return .week(holding: first.resolve(today: today, step: 7, business), in: business)
        case .range:
            let from = first.resolve(today: today, step: 1, business)
            let to = (last ?? .today).resolve(today: today, step: 1, business)
            guard from <= to else {
                throw CommandError.invalid(argument: "date", "the range ends (\(to)) before it starts (\(from))")
            }
            let period = ReportPeriod(span: .range, first: from, last: to)
            guard period.days(in: business).count <= Self.maxDays else {
                throw CommandError.invalid(argument: "date", "a range covers at most \(Self.maxDays) days; ask for less")
            }
            return period
        }
    }
}

/// A day as a report names it: a date, today, yesterday, or `last` (the day or week before).
public enum ReportDay: Sendable, Equatable {
    case date(LocalDate)
    case today, yesterday, last

    public static func parse(_ word: String) throws(CommandError) -> ReportDay {
        switch word.lowercased() {
        case "today", "this": return .today
        case "yesterday": return .yesterday
        case "last": return .last
        default:
            guard let day = LocalDate(word) else {
                throw CommandError.invalid(argument: "date", "a report's date is like 2026-11-23 (or today, yesterday, last); got \"\(word)\"")
            }
            guard day.year >= 2000, day.year <= 2199 else {
                throw CommandError.invalid(argument: "date", "a report's date is a day \(TimeBounds.spoken); got \(word)")
            }
            return .date(day)
        }
    }

    /// The day meant; `last` is `step` days before today (a day, or a week).
    func resolve(today: LocalDate, step: Int, _ business: BusinessCalendar) -> LocalDate {
        switch self {
        case .date(let day): return day
        case .today: return today
        case .yesterday: return business.adding(-1, to: today)
        case .last: return business.adding(-step, to: today)
        }
    }
}

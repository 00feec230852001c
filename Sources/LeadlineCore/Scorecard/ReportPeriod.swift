import Foundation

/// The days a report covers, in the shop's calendar: one day, a Monday-to-Sunday week,
/// or a range of days, first and last included.
public struct ReportPeriod: Sendable, Equatable {
    public enum Span: String, Sendable {
        case day, week, range
    }

    public let span: Span
    public let first: LocalDate
    public let last: LocalDate

    public init(span: Span, first: LocalDate, last: LocalDate) {
        self.span = span
        self.first = first
        self.last = last
    }

    /// The report of `day`.
    public static func day(_ day: LocalDate) -> ReportPeriod { ReportPeriod(span: .day, first: day, last: day) }

    /// The Monday-to-Sunday week holding `day`.
    public static func week(holding day: LocalDate, in business: BusinessCalendar) -> ReportPeriod {
        // Calendar weekdays run 1 (Sunday) to 7 (Saturday): days back to Monday.
        let back = (business.weekday(day) + 5) % 7
        let monday = business.adding(-back, to: day)
        return ReportPeriod(span: .week, first: monday, last: business.adding(6, to: monday))
    }

    public func contains(_ day: LocalDate) -> Bool { first <= day && day <= last }

    /// Every day of the period, in order.
    public func days(in business: BusinessCalendar) -> [LocalDate] {
        var out: [LocalDate] = []
        var day = first
        while day <= last, out.count < 3700 {
            out.append(day)
            day = business.nextDay(day)
        }
        return out
    }

    /// The instant the period ends: midnight after its last day.
    public func end(in business: BusinessCalendar) -> Date {
        business.instant(business.nextDay(last), minute: 0)
    }

    /// The instant the period starts: midnight of its first day.
    public func start(in business: BusinessCalendar) -> Date {
        business.instant(first, minute: 0)
    }
}

import Foundation

/// The shop's procedure settings: its time zone, opening hours and response windows.
///
/// Every field has the default of PRODUCT.md, so a server with no config runs the
/// documented procedure; the server's config file overrides any of them.
public struct Policy: Sendable, Equatable {
    /// The shop's time zone: every local time people type or read is in it.
    public var timeZone: TimeZone
    /// Opening hours per weekday.
    public var hours: WeeklyHours
    /// The first-response window of each kind (elapsed time after the lead arrives).
    public var windows: [LeadKind: TimeInterval]

    public init(timeZone: TimeZone = .current, hours: WeeklyHours = .standard,
                windows: [LeadKind: TimeInterval] = Policy.defaultWindows) {
        self.timeZone = timeZone
        self.hours = hours
        self.windows = windows
    }

    /// PRODUCT.md's windows: missed calls 5 min, new leads 15 min; the others until
    /// the SOP clock schedules them by business time.
    public static let defaultWindows: [LeadKind: TimeInterval] = [
        .missedCall: 5 * 60,
        .newLead: 15 * 60,
        .promised: 0,
        .update: 2 * 3600,
        .estimate: 24 * 3600,
        .postJob: 24 * 3600,
        .reengage: 7 * 86_400,
    ]

    /// A Gregorian calendar in the shop's zone.
    public var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        return c
    }
}

/// Opening hours per weekday, as minutes after local midnight.
public struct WeeklyHours: Sendable, Equatable {
    /// Index 1 = Sunday ... 7 = Saturday (Foundation's weekday numbering).
    public var days: [Int: OpeningHours]

    public init(days: [Int: OpeningHours]) { self.days = days }

    /// Monday to Friday, 08:00 to 17:00.
    public static let standard = WeeklyHours(days: Dictionary(
        uniqueKeysWithValues: (2...6).map { ($0, OpeningHours(open: 8 * 60, close: 17 * 60)) }))

    /// The opening minute of `weekday`, or the first opening of the week when closed.
    public func openingMinute(weekday: Int) -> Int {
        days[weekday]?.open ?? days.values.map(\.open).min() ?? 8 * 60
    }
}

/// One day's opening and closing time, in minutes after local midnight.
public struct OpeningHours: Sendable, Equatable {
    public var open: Int
    public var close: Int

    public init(open: Int, close: Int) {
        self.open = open
        self.close = close
    }
}

import Foundation

/// The instants Leadline accepts from people and programs: from 2000-01-01 to the end of
/// 2199 (UTC).
///
/// A callback is due within days or weeks, a sent estimate or a finished job lies a
/// little in the past; nothing a shop types means year 1 or year 10000. Refusing such
/// times at the door keeps every stored time, and every time computed from one (a due
/// time five days after an estimate), far inside what the journal reads back.
public enum TimeBounds {
    /// 2000-01-01T00:00:00Z.
    public static let earliest = Date(timeIntervalSince1970: 946_684_800)
    /// 2200-01-01T00:00:00Z, the first instant no longer accepted.
    public static let end = Date(timeIntervalSince1970: 7_258_118_400)

    /// Whether `date` is a time a request may name.
    public static func contains(_ date: Date) -> Bool { date >= earliest && date < end }

    /// How a refusal says the range: "between 2000 and 2199".
    public static let spoken = "between the years 2000 and 2199"
}

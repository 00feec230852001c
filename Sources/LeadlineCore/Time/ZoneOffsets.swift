import Foundation
import Synchronization

/// A time zone's offset from UTC at any instant, looked up in a table made once.
///
/// Every time on the wire is written in the shop's zone with its offset, two for each
/// row of a `LIST` of thousands, one for every event. Asking Foundation's `TimeZone`
/// each time goes through ICU behind a lock; a zone's offset changes only at its
/// transitions (a few a year), so the transitions from 2000 to 2200 (``TimeBounds``,
/// the instants a request may name, with room on both sides) are listed once and
/// each lookup is a binary search. Instants outside the table ask the zone itself.
public final class ZoneOffsets: Sendable {
    public let zone: TimeZone
    /// The instants (seconds since 1970) from which each offset holds, ascending; the
    /// first is where the table starts.
    private let starts: [Int64]
    /// The offset in seconds from `starts[i]` up to the next start.
    private let offsets: [Int32]
    /// Where the table ends (exclusive).
    private let end: Int64

    /// The table's span: a year either side of the times requests may name.
    static let first = TimeBounds.earliest.addingTimeInterval(-366 * 86_400)
    static let last = TimeBounds.end.addingTimeInterval(366 * 86_400)

    public init(_ zone: TimeZone) {
        self.zone = zone
        var starts = [Int64(Self.first.timeIntervalSince1970)]
        var offsets = [Int32(zone.secondsFromGMT(for: Self.first))]
        var at = Self.first
        while let next = zone.nextDaylightSavingTimeTransition(after: at), next < Self.last, next > at {
            let offset = Int32(zone.secondsFromGMT(for: next))
            if offset != offsets[offsets.count - 1] {
                starts.append(Int64(next.timeIntervalSince1970.rounded(.down)))
                offsets.append(offset)
            }
            at = next
        }
        self.starts = starts
        self.offsets = offsets
        end = Int64(Self.last.timeIntervalSince1970)
    }

    /// The zone's offset from UTC, in seconds, at `date`.
    public func secondsFromGMT(for date: Date) -> Int {
        span(at: date)?.offset ?? zone.secondsFromGMT(for: date)
    }

    /// One offset and the instants it holds between: a writer of many times keeps the
    /// last span it was given and asks again only for a time outside it.
    public struct Span: Sendable {
        public let offset: Int
        /// Seconds since 1970, the first it holds from and the first it no longer does.
        public let from: Int64
        public let until: Int64

        public func contains(_ seconds: Int64) -> Bool { seconds >= from && seconds < until }
    }

    /// The span holding `date`, nil outside the table (ask ``zone`` then).
    public func span(at date: Date) -> Span? {
        let t = date.timeIntervalSince1970
        guard t >= Double(starts[0]), t < Double(end) else { return nil }
        let seconds = Int64(t.rounded(.down))
        // The last start at or before `seconds`.
        var low = 0, high = starts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= seconds { low = mid } else { high = mid - 1 }
        }
        return Span(offset: Int(offsets[low]), from: starts[low], until: low + 1 < starts.count ? starts[low + 1] : end)
    }

    /// The table for `zone`, made the first time it is asked for and shared after
    /// (for callers that hold only a `TimeZone`).
    public static func of(_ zone: TimeZone) -> ZoneOffsets {
        made.withLock { tables in
            if let table = tables[zone.identifier] { return table }
            let table = ZoneOffsets(zone)
            tables[zone.identifier] = table
            return table
        }
    }

    private static let made = Mutex<[String: ZoneOffsets]>([:])
}

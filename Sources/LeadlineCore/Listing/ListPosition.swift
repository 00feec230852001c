import Foundation

/// A lead's place in a `LIST`: open leads first, most urgent first
/// (``CallbackPriority``), then closed leads by id. Compared as plain numbers, so a
/// list of ten thousand sorts without touching a calendar; and written as a cursor,
/// so a long list can be read a page at a time (`LIST open limit=100 after=CURSOR`).
///
/// The place is packed into two words compared in turn: the first holds the class
/// (4 bits; all ones for a closed lead) and the due time in milliseconds (60 bits,
/// all ones for none, so no due time sorts last), the second the id. A sort of ten
/// thousand then moves 16 bytes a lead and compares two integers, where comparing
/// the fields one by one was most of choosing a `LIST`'s order. Due times beyond
/// ±18 million years (only a hand-made journal holds one) are taken as that bound,
/// and order among themselves by id; the cursor carries the bound, and reads back to
/// the same place.
public struct ListPosition: Comparable, Hashable, Sendable {
    private let high: UInt64
    private let low: UInt64

    private static let closedHigh = UInt64.max
    private static let classShift: UInt64 = 60
    /// The highest class an open lead may have: one less than all ones, which is closed.
    private static let highestClass = 14
    /// The due-time bits of a lead with no due time.
    private static let noDue: UInt64 = (1 << 60) - 1
    /// Added to a due time (milliseconds since 1970, perhaps negative) to store it.
    private static let dueBias: Int64 = 1 << 59

    var closed: Bool { high == Self.closedHigh }
    var rank: Int { closed ? 0 : Int(high >> Self.classShift) }
    var id: LeadID { LeadID(Int64(bitPattern: low ^ (1 << 63))) }
    /// The due time in milliseconds, as the cursor writes it.
    var due: Int64? {
        let bits = high & Self.noDue
        return closed || bits == Self.noDue ? nil : Int64(bits) - Self.dueBias
    }

    public static func < (a: ListPosition, b: ListPosition) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }

    /// The cursor a client passes back: `RANK.DUE.ID` (DUE in epoch milliseconds, `-`
    /// for none) for an open lead, `c.ID` for a closed one.
    public var cursor: String {
        closed ? "c.\(id)" : "\(rank).\(due.map(String.init) ?? "-").\(id)"
    }

    public init?(cursor: String) {
        let parts = cursor.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 2, parts[0] == "c", let id = Int(parts[1]) {
            self.init(closed: true, rank: 0, due: nil, id: id)
        } else if parts.count == 3, let rank = Int(parts[0]), let id = Int(parts[2]) {
            let due: Int64?
            if parts[1] == "-" { due = nil } else if let millis = Int64(parts[1]) { due = millis } else { return nil }
            self.init(closed: false, rank: rank, due: due, id: id)
        } else {
            return nil
        }
    }

    /// A class outside 0 to 14 (only a hand-made cursor has one) is taken as the nearest.
    init(closed: Bool, rank: Int, due: Int64?, id: LeadID) {
        // The id's sign bit flipped: unsigned order is then the ids' order.
        low = UInt64(bitPattern: Int64(id)) ^ (1 << 63)
        guard !closed else {
            high = Self.closedHigh
            return
        }
        let rankBits = UInt64(min(max(rank, 0), Self.highestClass)) << Self.classShift
        let dueBits = due.map { UInt64(min(max($0, -Self.dueBias), Self.dueBias - 2) + Self.dueBias) } ?? Self.noDue
        high = rankBits | dueBits
    }

    /// Where `lead` stands, given the bounds of the shop's today (a missed call from
    /// today outranks an older one).
    init(_ lead: borrowing Lead, today: Range<Date>) {
        if !lead.isOpen {
            self.init(closed: true, rank: 0, due: nil, id: lead.id)
        } else {
            let rank = CallbackPriority.rank(kind: lead.kind, urgency: lead.urgency, today: today.contains(lead.createdAt))
            self.init(closed: false, rank: rank, due: lead.due.map(Self.millis), id: lead.id)
        }
    }

    /// `date` in whole milliseconds since 1970, within what the position can hold (so
    /// that no due time, however far, traps on the way to an integer).
    private static func millis(_ date: Date) -> Int64 {
        let millis = (date.timeIntervalSince1970 * 1000).rounded()
        let bound = Double(dueBias)
        return millis >= bound ? dueBias : millis <= -bound ? -dueBias : Int64(millis)
    }
}

/// One page of a `LIST`: its leads (by id, from the board they were chosen on), how
/// many the filter selects in all, and the position to continue after when there are
/// more.
public struct LeadPage: Sendable {
    public let ids: [LeadID]
    public let total: Int
    public let next: ListPosition?
    /// The board the page was chosen on (a value: later changes do not reach it).
    public let board: Board

    public var leads: [Lead] { ids.compactMap { board.lead($0) } }
}

extension Board {
    /// The start and end of the shop's day around `now`.
    func today(at now: Date) -> Range<Date> {
        let business = policy.business
        let day = business.localDate(now)
        return business.instant(day, minute: 0)..<business.instant(business.nextDay(day), minute: 0)
    }

    /// A page of the leads `filter` selects for `person`, in ``ListPosition`` order,
    /// starting after `after`, at most `limit` of them. Costs one pass over the leads
    /// and a sort of plain numbers; no calendar per comparison.
    public func list(_ filter: LeadFilter, for person: String, at now: Date,
                     after: ListPosition? = nil, limit: Int? = nil) -> LeadPage {
        let today = today(at: now)
        // Positions only (each holds its lead's id): sorting moves 40 bytes a lead, not
        // whole leads.
        var chosen: [ListPosition] = []
        var total = 0
        // Each lead is read where it lies, not copied out (see ``forEachOpenLead(_:)``).
        func consider(_ lead: UnsafePointer<Lead>) {
            guard filter.matches(lead.pointee, person: person, now: now) else { return }
            total += 1
            let position = ListPosition(lead.pointee, today: today)
            if let after, !(after < position) { return }
            chosen.append(position)
        }
        // Only the closed and all filters need what is closed; the rest read what is open.
        if filter == .closed || filter == .all {
            leads.forEachResidentLead(consider)
            // A lead out of memory is closed, and a closed lead's place is its id: it is
            // placed without being read back (only the rows of the page are).
            leads.forEachStoredID { id in
                total += 1
                let position = ListPosition(closed: true, rank: 0, due: nil, id: id)
                if let after, !(after < position) { return }
                chosen.append(position)
            }
        } else {
            forEachOpenLead(consider)
        }
        chosen.sort()
        guard let limit, chosen.count > limit else {
            return LeadPage(ids: chosen.map(\.id), total: total, next: nil, board: self)
        }
        let page = chosen.prefix(limit)
        return LeadPage(ids: page.map(\.id), total: total, next: page.last, board: self)
    }

    /// `leads`, most urgent first: positions computed once each, then plain comparisons.
    public func mostUrgentFirst(_ leads: [Lead], at now: Date) -> [Lead] {
        let today = today(at: now)
        let order = leads.indices.map { (ListPosition(leads[$0], today: today), $0) }.sorted { $0.0 < $1.0 }
        return order.map { leads[$0.1] }
    }
}

import Foundation

/// A lead's place in a `LIST`: open leads first, most urgent first
/// (``CallbackPriority``), then closed leads by id. Compared as plain numbers, so a
/// list of ten thousand sorts without touching a calendar; and written as a cursor,
/// so a long list can be read a page at a time (`LIST open limit=100 after=CURSOR`).
public struct ListPosition: Comparable, Hashable, Sendable {
    let closed: Bool
    /// For an open lead, its place in the callback queue (the due time to the
    /// millisecond, as the cursor carries it); for a closed one, only its id counts.
    let priority: CallbackPriority

    var rank: Int { priority.rank }
    var id: LeadID { priority.id }
    /// The due time in milliseconds, as the cursor writes it.
    var due: Int64? { priority.due.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } }

    public static func < (a: ListPosition, b: ListPosition) -> Bool {
        if a.closed != b.closed { return !a.closed }
        if a.closed { return a.id < b.id }
        return a.priority < b.priority
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

    init(closed: Bool, rank: Int, due: Int64?, id: LeadID) {
        self.closed = closed
        priority = CallbackPriority(rank: rank, due: due.map { Date(timeIntervalSince1970: Double($0) / 1000) }, id: id)
    }

    /// Where `lead` stands, given the bounds of the shop's today (a missed call from
    /// today outranks an older one).
    init(_ lead: borrowing Lead, today: Range<Date>) {
        if !lead.isOpen {
            self.init(closed: true, rank: 0, due: nil, id: lead.id)
        } else {
            let rank = CallbackPriority.rank(kind: lead.kind, urgency: lead.urgency, today: today.contains(lead.createdAt))
            self.init(closed: false, rank: rank, due: lead.due.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }, id: lead.id)
        }
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
            leads.forEachLead(consider)
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

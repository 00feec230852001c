import Foundation

/// Which leads `LIST` shows.
public enum LeadFilter: String, Vocabulary {
    /// Every lead not closed.
    case open
    /// Open leads the asker owns or backs up, or whose booked visit is theirs (technicians).
    case mine
    /// Open leads with no primary owner.
    case unowned
    /// Open leads whose due time has passed.
    case overdue
    /// Closed leads.
    case closed
    /// Everything.
    case all

    public static let argumentName = "filter"

    public func matches(_ lead: Lead, person: String, now: Date) -> Bool {
        switch self {
        case .open: return lead.isOpen
        case .mine: return lead.isOpen && lead.concerns(person)
        case .unowned: return lead.isOpen && lead.owner == nil
        case .overdue: return lead.isOpen && (lead.due.map { $0 < now } ?? false)
        case .closed: return !lead.isOpen
        case .all: return true
        }
    }
}

extension Board {
    /// A technician's visits, in time order: the open leads booked with them, on `day`
    /// (in the shop's zone) or on any day.
    public func agenda(for person: String, on day: LocalDate? = nil) -> [Lead] {
        let business = policy.business
        return openLeads { lead in
            guard let appt = lead.appointment, appt.tech == person else { return false }
            return day.map { business.localDate(appt.at) == $0 } ?? true
        }.sorted { ($0.appointment!.at, $0.id) < ($1.appointment!.at, $1.id) }
    }
}

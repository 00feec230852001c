import Foundation
import LeadlineCore

/// The columns of a leads file, by their stable snake_case names: what `EXPORT leads`
/// writes and `IMPORT leads` reads. Times are ISO 8601 in the shop's zone with their
/// offset; values whole dollars; an empty cell is "none".
public enum LeadColumn: String, CaseIterable, Sendable {
    case id, origin, system, kind, status, source, urgency, name, phone, email, address, area, service
    case owner, backup, due, value
    case sentAt = "sent_at"
    case appointmentAt = "appointment_at"
    case technician
    case createdAt = "created_at"
    case closedAt = "closed_at"

    /// `id` and `origin` say where a row came from: they differ after a round trip.
    public var describesOrigin: Bool { self == .id || self == .origin || self == .system }

    /// The header row.
    public static var header: [String] { allCases.map(\.rawValue) }

    /// A lead as a row, in ``allCases`` order.
    public static func row(_ lead: Lead, zone: TimeZone) -> [String] {
        func time(_ date: Date?) -> String { date.map { Timestamp.local($0, in: zone) } ?? "" }
        return allCases.map { column in
            switch column {
            case .id: String(lead.id)
            case .origin: lead.importedFrom == nil ? "live" : "import"
            case .system: lead.importedFrom ?? ""
            case .kind: lead.kind.rawValue
            case .status: lead.status.rawValue
            case .source: lead.source.rawValue
            case .urgency: lead.urgency.rawValue
            case .name: lead.name ?? ""
            case .phone: lead.phone ?? ""
            case .email: lead.email ?? ""
            case .address: lead.address ?? ""
            case .area: lead.area ?? ""
            case .service: lead.service ?? ""
            case .owner: lead.owner ?? ""
            case .backup: lead.backup ?? ""
            case .due: time(lead.due)
            case .value: lead.value.map(String.init) ?? ""
            case .sentAt: time(lead.kind == .estimate ? lead.cadenceStart : nil)
            // A visit still to be reported on: one whose result is posted is history.
            case .appointmentAt: time(lead.hasPendingVisit ? lead.appointment?.at : nil)
            case .technician: lead.hasPendingVisit ? lead.appointment?.tech ?? "" : ""
            case .createdAt: time(lead.createdAt)
            case .closedAt: time(lead.closedAt)
            }
        }
    }
}

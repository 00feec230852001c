import LeadlineCore
import LeadlineWire

/// Fan-out: each durable event is encoded once and its bytes pushed to every logged-in
/// connection whose `WATCH` selects it.
extension Hub {
    /// Event types of the default `board` stream: leads entering and leaving the
    /// board, ownership changes (a booked visit hands the lead to the field), and alerts.
    static let boardTypes: Set<String> = ["CREATED", "CLAIMED", "RELEASED", "ASSIGNED", "BOOKED", "CLOSED", "ALERT", "IMPORTED"]

    /// Sends durable events to every connection that watches them, and tells a
    /// technician of a visit booked, moved or called off wherever they are logged in.
    func published(_ events: [Event], audiences: [Audience]) {
        for (index, event) in events.enumerated() {
            if event.isPrivate {
                peopleChanged(event)
                continue
            }
            // An import's leads go out as its one IMPORTED summary, not thousands of
            // lines (each stays in the journal: SINCE and SHOW have them).
            if case .created(let intake) = event.change, intake.importedFrom != nil { continue }
            let type = event.type
            let bytes = encoder.event(event)
            let audience = index < audiences.count ? audiences[index] : Audience(before: nil, after: nil)
            // Decided once per event, not once per connection: what the common modes take.
            let onBoard = Self.boardTypes.contains(type)
            for c in connections.values where c.isOpen {
                let watch = c.session.watch
                guard watch != .none, c.session.person != nil else { continue }
                if watch == .all || (watch == .board && onBoard) {
                    c.push(bytes)
                    continue
                }
                guard let person = c.session.person else { continue }
                let told = !audience.visitTechs.isEmpty && audience.visitTechs.contains(person.name)
                guard told || wants(watch, event, type, person.name, formerHolders: audience.formerHolders) else { continue }
                c.push(bytes)
            }
        }
    }

    /// Whether a connection watching `mode` receives `event` (of type `type`).
    func wants(_ mode: WatchMode, _ event: Event, _ type: String, _ person: String,
               formerHolders: Set<String> = []) -> Bool {
        switch mode {
        case .board: return Self.boardTypes.contains(type)
        case .all: return true
        case .alerts: return type == "ALERT"
        case .none: return false
        case .mine: return formerHolders.contains(person) || concerns(event, person)
        }
    }

    /// Whether an event is about `person`: a lead they hold now, or one the event
    /// names them on.
    private func concerns(_ event: Event, _ person: String) -> Bool {
        if let id = event.lead, shop.durable.lead(id)?.concerns(person) == true { return true }
        return event.record.fields.contains { field in
            guard ["owner", "backup", "from", "tech", "ask", "person"].contains(field.key), case .text(let value) = field.value else {
                return false
            }
            return value == person || (field.key == "ask" && value.split(separator: ",").contains { $0 == person })
        }
    }
}

/// Who an event concerns beyond the `WATCH` modes, from its lead just before and after it.
struct Audience {
    /// Who held the lead (owner, backup, the visit's technician) just before: `WATCH mine`
    /// also tells a person about a lead taken from them.
    let formerHolders: Set<String>
    /// Technicians whose visit the event booked, moved or called off (or whose lead
    /// closed with a visit booked): told wherever they are logged in.
    let visitTechs: Set<String>

    init(before: Lead?, after: Lead?) {
        let visitTech = before?.hasPendingVisit == true ? before?.appointment?.tech : nil
        formerHolders = Set([before?.owner, before?.backup, visitTech].compactMap { $0 })
        let visitChanged = before?.appointment != after?.appointment
            || (before?.appointment != nil && before?.isOpen == true && after?.isOpen == false)
        visitTechs = visitChanged ? Set([before?.appointment?.tech, after?.appointment?.tech].compactMap { $0 }) : []
    }
}

import LeadlineCore
import LeadlineWire

/// Fan-out: each durable event is encoded once and its bytes pushed to every logged-in
/// connection whose `WATCH` selects it.
extension Hub {
    /// Event types of the default `board` stream: leads entering and leaving the
    /// board, ownership changes, and alerts.
    static let boardTypes: Set<String> = ["CREATED", "CLAIMED", "RELEASED", "ASSIGNED", "CLOSED", "ALERT"]

    /// Sends durable events to every connection that watches them.
    /// - Parameter formerHolders: per event, the lead's owner and backup just before it.
    func published(_ events: [Event], formerHolders: [Set<String>]) {
        for (index, event) in events.enumerated() {
            if event.isPrivate {
                peopleChanged(event)
                continue
            }
            let type = event.type
            let bytes = encoder.event(event)
            let former = index < formerHolders.count ? formerHolders[index] : []
            for c in connections.values where c.isOpen {
                guard let person = c.session.person,
                      wants(c.session.watch, event, type, person.name, formerHolders: former) else { continue }
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
        if let id = event.lead, durable.lead(id)?.isHeld(by: person) == true { return true }
        return event.record.fields.contains { field in
            guard ["owner", "backup", "from", "tech", "ask", "person"].contains(field.key), case .text(let value) = field.value else {
                return false
            }
            return value == person || (field.key == "ask" && value.split(separator: ",").contains { $0 == person })
        }
    }
}

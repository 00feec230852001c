import LeadlineCore
import LeadlineWire

/// Fan-out: each durable event is encoded once and its bytes pushed to every logged-in
/// connection whose `WATCH` selects it.
extension Hub {
    /// Event types of the default `board` stream: leads entering and leaving the
    /// board, ownership changes, and alerts.
    static let boardTypes: Set<String> = ["CREATED", "CLAIMED", "RELEASED", "ASSIGNED", "CLOSED", "ALERT"]

    func published(_ events: [Event]) {
        for event in events {
            if event.isPrivate {
                peopleChanged(event)
                continue
            }
            let type = event.type
            let bytes = encoder.event(event)
            for c in connections.values where c.isOpen {
                guard let person = c.session.person, wants(c.session.watch, event, type, person.name) else { continue }
                c.push(bytes)
            }
        }
    }

    /// Whether a connection watching `mode` receives `event` (of type `type`).
    func wants(_ mode: WatchMode, _ event: Event, _ type: String, _ person: String) -> Bool {
        switch mode {
        case .board: return Self.boardTypes.contains(type)
        case .all: return true
        case .alerts: return type == "ALERT"
        case .none: return false
        case .mine: return concerns(event, person)
        }
    }

    /// Whether an event is about `person`: a lead they hold now, or one the event
    /// gives to them or takes from them.
    private func concerns(_ event: Event, _ person: String) -> Bool {
        if let id = event.lead, durable.lead(id)?.isHeld(by: person) == true { return true }
        return event.record.fields.contains { field in
            ["owner", "backup", "from", "tech", "ask"].contains(field.key) && field.value == .text(person)
        }
    }
}

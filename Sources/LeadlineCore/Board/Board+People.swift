extension Board {
    /// `USER ADD / TOKEN / REMOVE`: only the owner role (or the server's console) manages people.
    /// The last owner cannot be removed: someone must always be able to manage people.
    func decidePeople(_ command: Command, by actor: Person?) throws(CommandError) -> Decision {
        if let actor, actor.role != .owner {
            throw CommandError.denied(need: [.owner], "managing people needs the owner role; you are \(actor.role.rawValue)")
        }
        switch command {
        case .addPerson(let raw, let role, let hash):
            let name = try Person.validateName(raw)
            guard people[name] == nil else {
                throw CommandError(.conflict, fields: [Field("person", name)],
                                   "\(name) already exists; USER TOKEN \(name) issues a new token")
            }
            return Decision(changes: [.personSaved(Person(name: name, role: role, tokenHash: hash))],
                            reply: [Field("person", name), Field("role", role.rawValue)])
        case .replaceToken(let raw, let hash):
            let person = try requirePerson(raw)
            var updated = person
            updated.tokenHash = hash
            return Decision(changes: [.personSaved(updated)],
                            reply: [Field("person", person.name), Field("role", person.role.rawValue)])
        case .removePerson(let raw):
            let person = try requirePerson(raw)
            if person.role == .owner, people.values.filter({ $0.role == .owner }).count == 1 {
                throw CommandError(.conflict, fields: [Field("person", person.name)],
                                   "\(person.name) is the last owner; add another owner before removing them")
            }
            if let named = policy.namedPeople.first(where: { $0.name == person.name }) {
                throw CommandError(.conflict, fields: [Field("person", person.name), Field("policy", named.field)],
                                   "the policy names \(person.name) (policy.\(named.field)); change the policy first, then remove them")
            }
            let handBack = leadsLeftBy(person.name)
            var message: String?
            if !handBack.isEmpty {
                message = "\(person.name) held \(handBack.count) open lead\(handBack.count == 1 ? "" : "s"), now without them: "
                    + "they go back to the queue (unassigned, or without a backup or a technician) for a dispatcher to reassign"
            }
            return Decision(changes: handBack + [.personRemoved(name: person.name)], reply: [Field("person", person.name)],
                            message: message)
        default:
            preconditionFailure("not a people command")
        }
    }

    /// What removing `name` does to the open leads they hold: an owner's lead becomes
    /// unowned, a backup's loses its backup, a technician's visit loses its technician —
    /// each an event everyone sees, so no alert ever asks someone who is gone.
    private func leadsLeftBy(_ name: String) -> [Change] {
        var changes: [Change] = []
        for lead in leads.residentValues.sorted(by: { $0.id < $1.id }) where lead.isOpen {
            if lead.owner == name || lead.backup == name {
                changes.append(.assigned(Assignment(
                    lead: lead.id, owner: lead.owner == name ? nil : lead.owner, backup: lead.backup == name ? nil : lead.backup,
                    backupByRule: lead.backup == name ? false : lead.backupByRule)))
            }
            if lead.hasPendingVisit, let appt = lead.appointment, appt.tech == name {
                changes.append(.statusChanged(StatusChange(
                    lead: lead.id, status: lead.status, due: lead.due, action: lead.nextAction,
                    appointment: Appointment(at: appt.at, tech: nil), note: "\(name) was removed; the visit needs a technician")))
            }
        }
        return changes
    }

    func requirePerson(_ raw: String) throws(CommandError) -> Person {
        let name = raw.lowercased()
        guard let person = people[name] else {
            throw CommandError(.notFound, fields: [Field("person", name)], "there is no one called \(name)")
        }
        return person
    }
}

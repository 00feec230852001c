import Foundation

/// The one mapping between changes and their `TYPE key=value :text` form, shared by
/// the wire (`EVENT`, `HISTORY` lines) and the journal (JSON lines).
extension Change {
    public var record: EventRecord {
        switch self {
        case .created(let i):
            var r = EventRecord(type: "CREATED", fields: [
                Field("lead", i.lead), Field("kind", i.kind.rawValue),
                Field("source", i.source.rawValue), Field("urgency", i.urgency.rawValue),
            ])
            r.add("name", i.name)
            r.add("phone", i.phone)
            r.add("email", i.email)
            r.add("service", i.service)
            r.add("area", i.area)
            r.fields.append(Field.time("due", i.due))
            r.add("owner", i.owner)
            r.add("backup", i.backup)
            r.text = i.note
            return r
        case .claimed(let c):
            var r = EventRecord(type: "CLAIMED", fields: [Field("lead", c.lead), Field("owner", c.owner)])
            r.add("from", c.from)
            if case .set(let backup) = c.backup { r.fields.append(Field.person("backup", backup)) }
            if c.isTakeover { r.fields.append(Field("via", "takeover")) }
            return r
        case .released(let lead, let from, let reason):
            return EventRecord(type: "RELEASED", fields: [Field("lead", lead), Field("from", from)], text: reason)
        case .assigned(let lead, let owner, let backup):
            return EventRecord(type: "ASSIGNED", fields: [
                Field("lead", lead), Field.person("owner", owner), Field.person("backup", backup),
            ])
        case .noted(let lead, let text):
            return EventRecord(type: "NOTED", fields: [Field("lead", lead)], text: text)
        case .attempted(let lead, let channel, let outcome, let status, let due, let note):
            return EventRecord(type: "ATTEMPTED", fields: [
                Field("lead", lead), Field("channel", channel.rawValue), Field("outcome", outcome.rawValue),
                Field("status", status.rawValue), Field.time("due", due),
            ], text: note)
        case .statusChanged(let s):
            var r = EventRecord(
                type: s.status.closesLead ? "CLOSED" : "STATUS",
                fields: [Field("lead", s.lead), Field("status", s.status.rawValue)])
            r.add("reason", s.reason)
            if !s.status.closesLead { r.fields.append(Field.time("due", s.due)) }
            if let appt = s.appointment {
                r.add("appt", appt.at)
                r.add("tech", appt.tech)
            }
            r.text = s.note
            return r
        case .personSaved(let p):
            return EventRecord(type: "PERSON", fields: [
                Field("name", p.name), Field("role", p.role.rawValue), Field("hash", p.tokenHash),
            ])
        case .personRemoved(let name):
            return EventRecord(type: "PERSON", fields: [Field("name", name), Field("removed", "yes")])
        }
    }

    /// Reads a change back from its record, checking every field it needs.
    public init(record r: EventRecord) throws(RecordError) {
        switch r.type {
        case "CREATED":
            self = .created(Intake(
                lead: try r.number("lead"), kind: try r.word("kind", as: LeadKind.self),
                source: try r.word("source", as: LeadSource.self), urgency: try r.word("urgency", as: Urgency.self),
                name: try r.optionalText("name"), phone: try r.optionalText("phone"),
                email: try r.optionalText("email"), service: try r.optionalText("service"),
                area: try r.optionalText("area"), due: try r.optionalTime("due"),
                owner: try r.person("owner"), backup: try r.person("backup"), note: r.text))
        case "CLAIMED":
            let backup: BackupUpdate = r.value("backup") == nil ? .unchanged : .set(try r.person("backup"))
            self = .claimed(Claim(
                lead: try r.number("lead"), owner: try r.text("owner"), from: try r.person("from"),
                backup: backup, isTakeover: try r.optionalText("via") == "takeover"))
        case "RELEASED":
            self = .released(lead: try r.number("lead"), from: try r.text("from"), reason: r.text)
        case "ASSIGNED":
            self = .assigned(lead: try r.number("lead"), owner: try r.person("owner"), backup: try r.person("backup"))
        case "NOTED":
            self = .noted(lead: try r.number("lead"), text: r.text ?? "")
        case "ATTEMPTED":
            self = .attempted(
                lead: try r.number("lead"), channel: try r.word("channel", as: AttemptChannel.self),
                outcome: try r.word("outcome", as: AttemptOutcome.self),
                status: try r.word("status", as: LeadStatus.self), due: try r.optionalTime("due"), note: r.text)
        case "STATUS", "CLOSED":
            let status = try r.word("status", as: LeadStatus.self)
            guard status.closesLead == (r.type == "CLOSED") else {
                throw RecordError("\(r.type) with status \(status.rawValue)")
            }
            var appointment: Appointment?
            if let at = try r.optionalTime("appt") { appointment = Appointment(at: at, tech: try r.optionalText("tech")) }
            self = .statusChanged(StatusChange(
                lead: try r.number("lead"), status: status, reason: try r.optionalText("reason"),
                due: try r.optionalTime("due"), appointment: appointment, note: r.text))
        case "PERSON":
            let name = try r.text("name")
            if try r.optionalText("removed") == "yes" {
                self = .personRemoved(name: name)
            } else {
                self = .personSaved(Person(name: name, role: try r.word("role", as: Role.self), tokenHash: try r.text("hash")))
            }
        default:
            throw RecordError("unknown event type \(r.type)")
        }
    }
}

extension Field {
    /// A person, or `none` for nobody.
    public static func person(_ key: String, _ name: String?) -> Field { Field(key, name ?? "none") }

    /// A time, or `none` when there is none.
    public static func time(_ key: String, _ date: Date?) -> Field {
        date.map { Field(key, $0) } ?? Field(key, "none")
    }
}

import Foundation

/// The one mapping between changes and their `TYPE key=value :text` form, shared by
/// the wire (`EVENT`, `HISTORY` lines) and the journal (JSON lines).
extension Change {
    /// The event's `TYPE`, without the rest of its record (the fan-out asks it of every
    /// event to know which streams take it).
    public var type: String {
        switch self {
        case .created: "CREATED"
        case .claimed: "CLAIMED"
        case .released: "RELEASED"
        case .assigned: "ASSIGNED"
        case .acknowledged: "ACKNOWLEDGED"
        case .noted: "NOTED"
        case .attempted: "ATTEMPTED"
        case .statusChanged(let s): s.status.closesLead ? "CLOSED" : s.status == .booked ? "BOOKED" : "STATUS"
        case .outcome: "OUTCOME"
        case .alert: "ALERT"
        case .presence: "PRESENCE"
        case .personSaved, .personRemoved: "PERSON"
        case .swept: "SWEPT"
        case .imported: "IMPORTED"
        case .voided: "VOID"
        }
    }

    public var record: EventRecord {
        switch self {
        case .created(let i):
            var r = EventRecord(type: type, fields: [
                Field("lead", i.lead), Field("kind", i.kind.rawValue),
                Field("source", i.source.rawValue), Field("urgency", i.urgency.rawValue),
            ])
            r.add("name", i.name)
            r.add("phone", i.phone)
            r.add("email", i.email)
            r.add("service", i.service)
            r.add("area", i.area)
            r.add("address", i.address)
            if let value = i.value { r.fields.append(Field("value", value)) }
            r.add("sent", i.sent)
            r.add("job", i.job)
            if let job = i.jobLead { r.fields.append(Field("job-lead", job)) }
            r.fields.append(Field.time("due", i.due))
            r.add("late", i.late)
            r.add("action", i.action)
            r.add("owner", i.owner)
            r.add("backup", i.backup)
            if i.backupByRule { r.fields.append(Field("backup-by", "rule")) }
            if i.ackOwed { r.fields.append(Field("ack", "owed")) }
            if let system = i.importedFrom { r.fields += [Field("origin", "import"), Field("system", system)] }
            r.add("arrived", i.arrived)
            r.add("status", i.status?.rawValue)
            r.add("closed", i.closed)
            r.add("appt", i.appointment?.at)
            r.add("tech", i.appointment?.tech)
            r.text = i.note
            return r
        case .claimed(let c):
            var r = EventRecord(type: type, fields: [Field("lead", c.lead), Field("owner", c.owner)])
            r.add("from", c.from)
            if case .set(let backup) = c.backup { r.fields.append(Field.person("backup", backup)) }
            if c.backupByRule { r.fields.append(Field("backup-by", "rule")) }
            if c.isTakeover { r.fields.append(Field("via", "takeover")) }
            r.add("due", c.due)
            return r
        case .released(let lead, let from, let reason):
            return EventRecord(type: type, fields: [Field("lead", lead), Field("from", from)], text: reason)
        case .assigned(let a):
            var r = EventRecord(type: type, fields: [
                Field("lead", a.lead), Field.person("owner", a.owner), Field.person("backup", a.backup),
            ])
            if a.backupByRule { r.fields.append(Field("backup-by", "rule")) }
            r.add("due", a.due)
            r.add("stage", a.stage?.rawValue)
            return r
        case .acknowledged(let lead, let note):
            return EventRecord(type: type, fields: [Field("lead", lead)], text: note)
        case .noted(let lead, let text):
            return EventRecord(type: type, fields: [Field("lead", lead)], text: text)
        case .attempted(let a):
            var r = EventRecord(type: type, fields: [
                Field("lead", a.lead), Field("channel", a.channel.rawValue), Field("outcome", a.outcome.rawValue),
                Field("status", a.status.rawValue), Field.time("due", a.due),
            ], text: a.note)
            r.add("action", a.action)
            if let step = a.step { r.fields.append(Field("step", step)) }
            return r
        case .statusChanged(let s):
            var r = EventRecord(
                type: type,
                fields: [Field("lead", s.lead), Field("status", s.status.rawValue)])
            r.add("kind", s.kind?.rawValue)
            r.add("reason", s.reason)
            if !s.status.closesLead {
                r.fields.append(Field.time("due", s.due))
                r.add("action", s.action)
            }
            if let appt = s.appointment {
                r.add("appt", appt.at)
                r.add("tech", appt.tech)
            } else if s.unbooks {
                r.fields.append(Field("appt", "none"))
            }
            if let value = s.value { r.fields.append(Field("value", value)) }
            if s.reopens { r.fields.append(Field("reopened", "yes")) }
            if let target = s.mergedInto { r.fields.append(Field("into", target)) }
            r.text = s.note
            return r
        case .outcome(let o):
            var r = EventRecord(type: type, fields: [
                Field("lead", o.lead), Field("result", o.result.rawValue), Field.time("due", o.due),
            ], text: o.note)
            r.add("action", o.action)
            if let value = o.value { r.fields.append(Field("value", value)) }
            return r
        case .alert(let a):
            var r = EventRecord(type: type, fields: [Field("kind", a.kind.rawValue)], text: a.text)
            if let lead = a.lead { r.fields.append(Field("lead", lead)) }
            r.add("person", a.person)
            if a.lead != nil {
                r.fields.append(Field.person("owner", a.owner))
                r.fields.append(Field.person("backup", a.backup))
            }
            r.fields.append(Field("ask", a.ask.isEmpty ? "none" : a.ask.joined(separator: ",")))
            if let key = a.kind.anchorKey, let anchor = a.anchor { r.fields.append(Field(key, anchor)) }
            if let appt = a.appointment { r.fields.append(Field("appt", appt)) }
            if let of = a.of { r.fields.append(Field("of", of)) }
            return r
        case .presence(let person, let away, let reason):
            return EventRecord(type: type, fields: [Field("person", person), Field("presence", away ? "away" : "back")],
                               text: reason)
        case .personSaved(let p):
            return EventRecord(type: type, fields: [
                Field("name", p.name), Field("role", p.role.rawValue), Field("hash", p.tokenHash),
            ])
        case .personRemoved(let name):
            return EventRecord(type: type, fields: [Field("name", name), Field("removed", "yes")])
        case .swept(let at, let listed):
            return EventRecord(type: type, fields: [Field("sweep", at), Field("listed", listed)])
        case .imported(let summary):
            return EventRecord(type: type, fields: [
                Field("count", summary.count), Field("first", summary.first), Field("last", summary.last),
                Field("system", summary.system),
            ])
        case .voided(let through, let reason):
            return EventRecord(type: type, fields: [Field("through", Int(through))], text: reason)
        }
    }

    /// Reads a change back from its record, checking every field it needs.
    public init(record r: EventRecord) throws(RecordError) {
        switch r.type {
        case "CREATED":
            var intake = Intake(
                lead: try r.number("lead"), kind: try r.word("kind", as: LeadKind.self),
                source: try r.word("source", as: LeadSource.self), urgency: try r.word("urgency", as: Urgency.self),
                name: try r.optionalText("name"), phone: try r.optionalText("phone"),
                email: try r.optionalText("email"), service: try r.optionalText("service"),
                area: try r.optionalText("area"), due: try r.optionalTime("due"),
                owner: try r.person("owner"), backup: try r.person("backup"), note: r.text)
            intake.value = r.value("value") == nil ? nil : try r.number("value")
            intake.sent = try r.optionalTime("sent")
            intake.job = try r.optionalTime("job")
            intake.late = try r.optionalTime("late")
            intake.action = try r.optionalText("action")
            intake.ackOwed = try r.optionalText("ack") == "owed"
            intake.address = try r.optionalText("address")
            intake.jobLead = r.value("job-lead") == nil ? nil : try r.number("job-lead")
            intake.backupByRule = try r.optionalText("backup-by") == "rule"
            if try r.optionalText("origin") == "import" { intake.importedFrom = try r.optionalText("system") ?? "csv" }
            intake.arrived = try r.optionalTime("arrived")
            intake.status = try r.optionalWord("status", as: LeadStatus.self)
            intake.closed = try r.optionalTime("closed")
            if let at = try r.optionalTime("appt") { intake.appointment = Appointment(at: at, tech: try r.optionalText("tech")) }
            self = .created(intake)
        case "CLAIMED":
            let backup: BackupUpdate = r.value("backup") == nil ? .unchanged : .set(try r.person("backup"))
            self = .claimed(Claim(
                lead: try r.number("lead"), owner: try r.text("owner"), from: try r.person("from"),
                backup: backup, isTakeover: try r.optionalText("via") == "takeover", due: try r.optionalTime("due"),
                backupByRule: try r.optionalText("backup-by") == "rule"))
        case "RELEASED":
            self = .released(lead: try r.number("lead"), from: try r.text("from"), reason: r.text)
        case "ASSIGNED":
            self = .assigned(Assignment(lead: try r.number("lead"), owner: try r.person("owner"), backup: try r.person("backup"),
                                        due: try r.optionalTime("due"), backupByRule: try r.optionalText("backup-by") == "rule",
                                        stage: try r.optionalWord("stage", as: Stage.self)))
        case "ACKNOWLEDGED":
            self = .acknowledged(lead: try r.number("lead"), note: r.text)
        case "NOTED":
            self = .noted(lead: try r.number("lead"), text: r.text ?? "")
        case "ATTEMPTED":
            self = .attempted(AttemptChange(
                lead: try r.number("lead"), channel: try r.word("channel", as: AttemptChannel.self),
                outcome: try r.word("outcome", as: AttemptOutcome.self),
                status: try r.word("status", as: LeadStatus.self), due: try r.optionalTime("due"),
                action: try r.optionalText("action"), step: r.value("step") == nil ? nil : try r.number("step"),
                note: r.text))
        case "STATUS", "CLOSED", "BOOKED":
            let status = try r.word("status", as: LeadStatus.self)
            guard status.closesLead == (r.type == "CLOSED"), (status == .booked) == (r.type == "BOOKED") else {
                throw RecordError("\(r.type) with status \(status.rawValue)")
            }
            var appointment: Appointment?
            if let at = try r.optionalTime("appt") { appointment = Appointment(at: at, tech: try r.optionalText("tech")) }
            self = .statusChanged(StatusChange(
                lead: try r.number("lead"), status: status, reason: try r.optionalText("reason"),
                due: try r.optionalTime("due"), action: try r.optionalText("action"), appointment: appointment,
                unbooks: r.value("appt") == .text("none"), kind: try r.optionalWord("kind", as: LeadKind.self),
                value: r.value("value") == nil ? nil : try r.number("value"), note: r.text,
                reopens: r.value("reopened") == .text("yes"), mergedInto: r.value("into") == nil ? nil : try r.number("into")))
        case "OUTCOME":
            self = .outcome(OutcomeChange(
                lead: try r.number("lead"), result: try r.word("result", as: OutcomeResult.self),
                due: try r.optionalTime("due"), action: try r.optionalText("action"),
                value: r.value("value") == nil ? nil : try r.number("value"), note: r.text))
        case "ALERT":
            let kind = try r.word("kind", as: AlertKind.self)
            let ask = try r.text("ask")
            self = .alert(Alert(
                kind: kind, lead: r.value("lead") == nil ? nil : try r.number("lead"), person: try r.optionalText("person"),
                owner: try r.person("owner"), backup: try r.person("backup"),
                ask: ask == "none" ? [] : ask.split(separator: ",").map(String.init),
                anchor: try kind.anchorKey.map { key throws(RecordError) in try r.optionalTime(key) } ?? nil,
                of: r.value("of") == nil ? nil : try r.number("of"), appointment: try r.optionalTime("appt"), text: r.text ?? ""))
        case "PRESENCE":
            let presence = try r.text("presence")
            guard presence == "away" || presence == "back" else { throw RecordError("PRESENCE presence=\(presence)") }
            self = .presence(person: try r.text("person"), away: presence == "away", reason: r.text)
        case "PERSON":
            let name = try r.text("name")
            if try r.optionalText("removed") == "yes" {
                self = .personRemoved(name: name)
            } else {
                self = .personSaved(Person(name: name, role: try r.word("role", as: Role.self), tokenHash: try r.text("hash")))
            }
        case "SWEPT":
            self = .swept(at: try r.time("sweep"), listed: try r.number("listed"))
        case "IMPORTED":
            self = .imported(ImportSummary(count: try r.number("count"), first: try r.number("first"), last: try r.number("last"),
                                           system: try r.text("system")))
        case "VOID":
            let through = try r.number("through")
            guard through >= 0 else { throw RecordError("VOID through=\(through)") }
            self = .voided(through: UInt64(through), reason: r.text ?? "")
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

import Foundation

/// One lead of an import file, read into a `NEW` request and what the file says of
/// its past (see ``Intake/arrived``).
public struct ImportRow: Sendable, Equatable {
    /// The row's line number in the file (the header is line 1).
    public var line: Int
    public var lead: NewLead
    public var status: LeadStatus?
    public var arrived: Date?
    public var closed: Date?
    /// A booked lead's visit (`appointment_at`) and its technician (`technician`).
    public var appointment: TimeSpec?
    public var technician: String?

    public init(line: Int, lead: NewLead, status: LeadStatus? = nil, arrived: Date? = nil, closed: Date? = nil,
                appointment: TimeSpec? = nil, technician: String? = nil) {
        self.line = line
        self.lead = lead
        self.status = status
        self.arrived = arrived
        self.closed = closed
        self.appointment = appointment
        self.technician = technician
    }
}

/// Why an import was refused: every bad row (line 0: the file as a whole).
public struct ImportRefusal: Sendable, Equatable, Error {
    public var problems: [ImportProblem]
    public init(_ problems: [ImportProblem]) { self.problems = problems }

    /// How many rows are refused (a row may have several problems).
    public var badRows: Int { Set(problems.map(\.line)).count }

    /// What is wrong with the file as a whole (it has no rows), when nothing else is:
    /// a file whose only line was refused (too long) reads as empty too, and then the
    /// line is what to name.
    public var aboutTheWholeFile: CommandError? {
        problems.allSatisfy { $0.line == 0 } ? problems.first?.error : nil
    }

    /// The problems of rows, without those of the file as a whole (which follow from them).
    public var ofRows: ImportRefusal { ImportRefusal(problems.filter { $0.line != 0 }) }

    /// "1 bad row", "3 problems in 2 bad rows": how an answer counts them.
    public var counted: String {
        let rows = badRows
        let rowText = "\(rows) bad row\(rows == 1 ? "" : "s")"
        return problems.count == rows ? rowText : "\(problems.count) problems in \(rowText)"
    }
}

/// A row an import refuses: its line, and why.
public struct ImportProblem: Sendable, Equatable {
    public var line: Int
    public var error: CommandError

    public init(line: Int, error: CommandError) {
        self.line = line
        self.error = error
    }
}

/// What `IMPORTED` says happened: how many leads, numbered from `first` to `last`,
/// from which system.
public struct ImportSummary: Sendable, Equatable {
    public var count: Int
    public var first: LeadID
    public var last: LeadID
    public var system: String

    public init(count: Int, first: LeadID, last: LeadID, system: String) {
        self.count = count
        self.first = first
        self.last = last
        self.system = system
    }
}

extension Board {
    /// `IMPORT leads`: every row checked as `NEW` checks a lead (a file's owners,
    /// backups and past dates are taken as the file says), all or nothing. Good rows
    /// become one `CREATED` each (origin import, no alerts raised) and one `IMPORTED`
    /// summary; any bad row refuses the whole file, with every bad row named.
    /// - Parameter unreadable: rows the file reader could not read: refused with the
    ///   rest, in line order, so one answer names every bad row.
    public func decideImport(_ rows: [ImportRow], unreadable: [ImportProblem] = [], from system: String, by actor: Person,
                             at now: Date) -> Result<Decision, ImportRefusal> {
        guard actor.role.isOffice else {
            return .failure(ImportRefusal([ImportProblem(line: 0, error: .denied(need: Role.office, "IMPORT is for office roles; you are \(actor.role.rawValue)"))]))
        }
        var problems = unreadable
        var changes: [Change] = []
        changes.reserveCapacity(rows.count + 1)
        for row in rows {
            let checked = checkedIntake(for: row.lead, id: nextLeadID + changes.count, by: actor, at: now, importedFrom: system)
            var refused = CommandErrors()
            if case .failure(let found) = checked { refused = found }
            if let arrived = row.arrived, !TimeBounds.contains(arrived) || arrived > now.addingTimeInterval(60) {
                refused.append(.invalid(argument: "created_at", "created_at must be a past time \(TimeBounds.spoken)"))
            }
            let closes = row.status?.closesLead == true
            if closes, let closed = row.closed, !TimeBounds.contains(closed) {
                refused.append(.invalid(argument: "closed_at", "closed_at must be a time \(TimeBounds.spoken)"))
            } else if closes, let closed = row.closed, let arrived = row.arrived, closed < arrived {
                refused.append(.invalid(argument: "closed_at", "closed_at is before created_at: a lead closes after it arrives"))
            }
            let visit = importedVisit(row, at: now, refused: &refused)
            guard case .success(var intake) = checked, refused.isEmpty else {
                problems += refused.errors.map { ImportProblem(line: row.line, error: Self.namingColumns($0)) }
                continue
            }
            intake.status = row.status
            intake.appointment = visit
            intake.arrived = row.arrived.map(Timestamp.truncatedToMillis)
            if closes {
                intake.closed = Timestamp.truncatedToMillis(row.closed ?? now)
                intake.due = nil
                intake.late = nil
                intake.action = nil
            } else if row.status == .booked, row.lead.due == nil {
                // As after `STATUS booked`: the visit is the next step, and a due time
                // only one the file gives.
                intake.due = nil
                intake.late = nil
            }
            changes.append(.created(intake))
        }
        guard problems.isEmpty else {
            // Stably, so that a row's problems keep the order they were found in.
            var byLine = problems.enumerated().map { ($0.offset, $0.element) }
            byLine.sort { ($0.1.line, $0.0) < ($1.1.line, $1.0) }
            return .failure(ImportRefusal(byLine.map(\.1)))
        }
        guard !changes.isEmpty else {
            return .failure(ImportRefusal([ImportProblem(line: 0, error: .invalid(argument: "file", "the file has no leads in it (a header and no rows)"))]))
        }
        let summary = ImportSummary(count: changes.count, first: nextLeadID, last: nextLeadID + changes.count - 1, system: system)
        changes.append(.imported(summary))
        return .success(Self.importDecision(changes, summary))
    }

    /// The visit a row brings, as `STATUS booked appt= tech=` would set it: a booked lead
    /// needs one, and only a lead waiting on its visit (booked, or escalated with the
    /// visit still on) has one. The time may be past: a visit that happened and whose
    /// result was never posted is chased as soon as the lead is on the board.
    func importedVisit(_ row: ImportRow, at now: Date, refused: inout CommandErrors) -> Appointment? {
        let status = row.status ?? .needsCallback
        guard let spec = row.appointment else {
            if status.requiresAppointment {
                refused.append(.invalid(argument: "appointment_at", "a booked lead needs its visit's time: an appointment_at column"))
            }
            if row.technician != nil {
                refused.append(.invalid(argument: "technician", "technician goes with appointment_at, the time of the visit"))
            }
            return nil
        }
        guard status.requiresAppointment || status == .escalated else {
            refused.append(.invalid(argument: "appointment_at", "appointment_at is for a booked lead; this one is \(status.rawValue)"))
            return nil
        }
        let at = refused.note { () throws(CommandError) in try resolveAny(spec, argument: "appointment_at", now: now) }
        let tech = refused.note { () throws(CommandError) in
            try row.technician.map { name throws(CommandError) in try requirePerson(name, argument: "technician").name }
        }
        return at.map { Appointment(at: $0, tech: tech) }
    }

    /// A problem `NEW` found, named by the file's column where the two names differ
    /// (`NEW`'s `sent` is a file's `sent_at`).
    static func namingColumns(_ error: CommandError) -> CommandError {
        guard error.fields.contains(Field("arg", "sent")) else { return error }
        let fields = error.fields.map { $0 == Field("arg", "sent") ? Field("arg", "sent_at") : $0 }
        return CommandError(error.code, fields: fields, error.message.replacingOccurrences(of: "sent=", with: "sent_at "))
    }

    /// An import decided against a board whose leads are since numbered further on
    /// (others' leads came in meanwhile), moved to start at this board's next id. Only
    /// the numbers move: an import depends on the people, presence and policy, not on
    /// the other leads, so a caller that knows those unchanged need not decide again.
    public func renumberingImport(_ decision: Decision) -> Decision {
        guard case .imported(var summary)? = decision.changes.last, summary.first != nextLeadID else { return decision }
        let offset = nextLeadID - summary.first
        var changes = decision.changes.dropLast().map { change -> Change in
            guard case .created(var intake) = change else { return change }
            intake.lead += offset
            return .created(intake)
        }
        summary.first += offset
        summary.last += offset
        changes.append(.imported(summary))
        return Self.importDecision(changes, summary)
    }

    private static func importDecision(_ changes: [Change], _ summary: ImportSummary) -> Decision {
        Decision(changes: changes, reply: [
            Field("count", summary.count), Field("first", summary.first), Field("last", summary.last), Field("system", summary.system),
        ])
    }
}

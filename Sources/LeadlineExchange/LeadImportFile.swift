import Foundation
import LeadlineCore

/// A leads file read for `IMPORT leads`: its header matched against our columns and
/// the common CRM exports' names, each row read into an ``ImportRow``.
///
/// Header names are matched case-insensitively, spaces and punctuation folded:
/// Jobber (`Display Name`, `Mobile Phone #s`, `Service Street 1`, ...), Housecall Pro
/// (`Customer`, `Mobile Phone`, `Street`, ...), ServiceTitan lead exports (`name`,
/// `phone`, `followUpDate`, `createdOn`, `campaign`). A column we do not know is named
/// in the answer and its values kept in the lead's note (refused with `strict`).
public struct LeadImportFile: Sendable {
    public let rows: [ImportRow]
    /// Rows that could not be read (a bad date, an unknown kind): every one, by line.
    /// The board's own checks (a person who does not exist) come on top, so one
    /// answer names every bad row.
    public let problems: [ImportProblem]
    /// Header names no column matched, as the file wrote them.
    public let unknownColumns: [String]
    /// The CRM the header looks like (jobber, housecall-pro, servicetitan), else csv.
    public let system: String

    /// What a field of ours is called in the exports we know (folded: lower case,
    /// only letters and digits).
    static let aliases: [String: Field] = {
        var map: [String: Field] = [:]
        let table: [(Field, [String])] = [
            (.name, ["name", "displayname", "customer", "customername", "fullname", "client", "clientname"]),
            (.phone, ["phone", "mobilephones", "mainphones", "mobilephone", "phonenumber", "mainphone", "homephone", "workphone"]),
            (.email, ["email", "emails", "emailaddress"]),
            (.address, ["address", "servicestreet1", "street", "streetaddress", "serviceaddress", "street1"]),
            (.address2, ["servicestreet2", "streetline2", "address2", "addressline2", "street2"]),
            (.city, ["city", "servicecity"]),
            (.state, ["state", "servicestate", "province"]),
            (.zip, ["zip", "zipcode", "servicezipcode", "postalcode", "postcode"]),
            (.area, ["area", "servicearea"]),
            (.service, ["service", "jobtype", "servicetype"]),
            (.source, ["source", "leadsource", "campaign"]),
            (.kind, ["kind"]), (.status, ["status"]), (.urgency, ["urgency", "priority"]),
            (.owner, ["owner"]), (.backup, ["backup"]),
            (.due, ["due", "followupdate", "followup", "nextfollowup", "nextfollowupdate"]),
            (.value, ["value", "amount", "estimatevalue"]),
            (.sentAt, ["sentat", "estimatesent", "sent"]),
            (.appointment, ["appointmentat", "appointment", "appt", "appointmentdate", "scheduledstart"]),
            (.technician, ["technician", "tech", "assignedtechnician"]),
            (.createdAt, ["createdat", "createddate", "createdon", "created"]),
            (.closedAt, ["closedat", "closed"]),
            (.tags, ["tags", "customertags"]),
            (.note, ["note", "notes", "description", "summary"]),
            (.ignored, ["id", "origin", "system"]),
        ]
        for (field, names) in table { for name in names { map[name] = field } }
        return map
    }()

    /// What a column carries.
    enum Field: Sendable {
        case name, phone, email, address, address2, city, state, zip, area, service, source, kind, status, urgency
        case owner, backup, due, value, sentAt, appointment, technician, createdAt, closedAt, tags, note, ignored
    }

    /// `Mobile Phone #s` → `mobilephones`.
    static func fold(_ header: String) -> String {
        String(header.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) && $0.isASCII })
    }

    /// Reads `records` (the header first); a row of empty cells is a blank line. `now` and `policy` resolve dates without a
    /// zone (in the shop's) and the default due times.
    public static func read(_ records: [CSV.Record], strict: Bool, policy: Policy, now: Date) -> Result<LeadImportFile, ImportRefusal> {
        guard let header = records.first else {
            return .failure(ImportRefusal([ImportProblem(line: 0, error: .invalid(argument: "file", "the file is empty: it needs a header row"))]))
        }
        var columns: [Field?] = []
        var unknown: [String] = []
        for name in header.fields {
            let field = aliases[fold(name)]
            columns.append(field)
            if field == nil, !name.isAllBlanks { unknown.append(name.trimmingBlanks) }
        }
        guard columns.contains(where: { $0 == .name || $0 == .phone }) else {
            return .failure(ImportRefusal([ImportProblem(line: header.line, error: .invalid(
                argument: "header", "the header has no name or phone column (it reads: \(header.fields.joined(separator: ", ")))"))]))
        }
        if strict, !unknown.isEmpty {
            return .failure(ImportRefusal([ImportProblem(line: header.line, error: .invalid(
                argument: "header", "strict: unknown columns \(unknown.joined(separator: ", "))"))]))
        }
        var rows: [ImportRow] = []
        var problems: [ImportProblem] = []
        for record in records.dropFirst() where record.fields.contains(where: { !$0.isAllBlanks }) {
            switch row(record, header: header.fields, columns: columns, policy: policy, now: now) {
            case .success(let row): rows.append(row)
            case .failure(let refused): problems += refused.errors.map { ImportProblem(line: record.line, error: $0) }
            }
        }
        return .success(LeadImportFile(rows: rows, problems: problems, unknownColumns: unknown, system: system(of: Set(columns.indices.map { fold(header.fields[$0]) }))))
    }

    /// The CRM a header comes from, by the names only it uses.
    static func system(of names: Set<String>) -> String {
        if names.contains("displayname") || names.contains("servicestreet1") || names.contains("mobilephones") { return "jobber" }
        if names.contains("customertags") || names.contains("streetline2") || (names.contains("customer") && names.contains("leadsource")) {
            return "housecall-pro"
        }
        if names.contains("followupdate") || names.contains("createdon") || names.contains("campaign") { return "servicetitan" }
        return "csv"
    }

    private static func row(_ record: CSV.Record, header: [String], columns: [Field?], policy: Policy, now: Date) -> Result<ImportRow, CommandErrors> {
        var values: [Field: String] = [:]
        var extras: [String] = []
        for (index, raw) in record.fields.enumerated() {
            let value = raw.replacingOccurrences(of: "\r\n", with: " / ").replacingOccurrences(of: "\n", with: " / ")
                .replacingOccurrences(of: "\r", with: " / ").trimmingBlanks
            guard !value.isEmpty else { continue }
            guard index < columns.count, let field = columns[index] else {
                extras.append("\(index < header.count ? header[index].trimmingBlanks : "column \(index + 1)"): \(value)")
                continue
            }
            if values[field] == nil {
                values[field] = value  // the first of two columns for one field wins (two phone columns)
            } else if values[field] != value {
                // The other is kept in the note, not lost: a second number to call.
                extras.append("\(index < header.count ? header[index].trimmingBlanks : "column \(index + 1)"): \(value)")
            }
        }
        var lead = NewLead()
        lead.name = values[.name]
        lead.phone = values[.phone].map(firstNumber)
        lead.email = values[.email].map { firstItem($0) }
        let street = [values[.address], values[.address2], values[.city], values[.state]].compactMap { $0 }
        lead.address = street.isEmpty ? nil : street.joined(separator: ", ")
        lead.area = values[.area] ?? values[.zip]
        lead.service = values[.service]
        var notes: [String] = []
        if let text = values[.source] {
            if let source = LeadSource(rawValue: text.lowercased()) { lead.source = source } else { notes.append("source: \(text)") }
        }
        var refused = CommandErrors()
        if let text = values[.kind] { lead.kind = refused.note { () throws(CommandError) in try LeadKind.parse(text.lowercased()) } }
        let status = refused.note { () throws(CommandError) in try values[.status].map { text throws(CommandError) in try LeadStatus.parse(text.lowercased()) } }
        if let text = values[.urgency] { lead.urgency = refused.note { () throws(CommandError) in try Urgency.parse(text.lowercased()) } }
        lead.owner = values[.owner]?.lowercased()
        lead.backup = values[.backup]?.lowercased()
        lead.due = refused.note { () throws(CommandError) in try values[.due].map { text throws(CommandError) in try Self.time(text, column: "due") } }
        lead.sent = refused.note { () throws(CommandError) in try values[.sentAt].map { text throws(CommandError) in try Self.time(text, column: "sent_at") } }
        let appointment = refused.note { () throws(CommandError) in
            try values[.appointment].map { text throws(CommandError) in try Self.time(text, column: "appointment_at") }
        }
        if let text = values[.value] {
            let digits = text.replacingOccurrences(of: "$", with: "").replacingOccurrences(of: ",", with: "")
            if let dollars = Double(digits), dollars >= 0, dollars < 1e12 {
                lead.value = Int(dollars.rounded())
            } else {
                refused.append(CommandError.invalid(argument: "value", "value is dollars, like 8900; got \"\(text)\""))
            }
        }
        let arrived = refused.note { () throws(CommandError) in
            try values[.createdAt].map { text throws(CommandError) in try Self.instant(text, column: "created_at", policy: policy, now: now) }
        }
        let closed = refused.note { () throws(CommandError) in
            try values[.closedAt].map { text throws(CommandError) in try Self.instant(text, column: "closed_at", policy: policy, now: now) }
        }
        guard refused.isEmpty else { return .failure(refused) }
        if let tags = values[.tags] { notes.append("tags: \(tags)") }
        notes += extras
        if let note = values[.note] { notes.insert(note, at: 0) }
        lead.note = notes.isEmpty ? nil : notes.joined(separator: "; ")
        return .success(ImportRow(line: record.line, lead: lead, status: status, arrived: arrived, closed: closed,
                                  appointment: appointment, technician: values[.technician]?.lowercased()))
    }

    /// `(555) 010-0100, 555-0101` → `(555) 010-0100`: the first number of a list.
    static func firstNumber(_ text: String) -> String { firstItem(text) }

    private static func firstItem(_ text: String) -> String {
        let separators: Set<Character> = [",", ";", "/", "|"]
        let first = text.split(whereSeparator: { separators.contains($0) }).first.map(String.init) ?? text
        return first.trimmingBlanks
    }

    /// A time cell: ISO 8601 (with or without a zone), `2026-11-23`, `2026-11-23 14:05`,
    /// or US style `11/23/2026`, `11/23/2026 2:05 PM`; without a zone, in the shop's.
    static func time(_ text: String, column: String) throws(CommandError) -> TimeSpec {
        if let spec = TimeSpec.parse(text.replacingOccurrences(of: " ", with: "T", options: [], range: nil)), isDate(text) {
            return spec
        }
        if let spec = usDate(text) { return spec }
        throw CommandError.invalid(argument: column, "\(column) is not a date: \"\(text)\" (write 2026-11-23, 2026-11-23T14:05 or 11/23/2026)")
    }

    static func instant(_ text: String, column: String, policy: Policy, now: Date) throws(CommandError) -> Date {
        let spec = try time(text, column: column)
        guard let date = spec.resolve(now: now, policy: policy) else {
            throw CommandError.invalid(argument: column, "\(column) names a day that does not exist: \"\(text)\"")
        }
        return date
    }

    /// Whether a cell starts like an ISO date (so `tomorrow` or `3pm` are not taken).
    private static func isDate(_ text: String) -> Bool {
        let head = Array(text.utf8.prefix(10))
        return head.count == 10 && head[4] == 0x2D && head[7] == 0x2D
    }

    /// `11/23/2026`, `11/23/26`, with `2:05 PM` or `14:05` after it.
    private static func usDate(_ text: String) -> TimeSpec? {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        let date = parts[0].split(separator: "/").compactMap { Int($0) }
        guard date.count == 3, (1...12).contains(date[0]), (1...31).contains(date[1]) else { return nil }
        let year = date[2] < 100 ? 2000 + date[2] : date[2]
        var minute: Int?
        if parts.count == 2 {
            var clock = parts[1].uppercased().replacingOccurrences(of: " ", with: "")
            var add = 0
            if clock.hasSuffix("AM") || clock.hasSuffix("PM") {
                add = clock.hasSuffix("PM") ? 12 * 60 : 0
                clock.removeLast(2)
            }
            let hm = clock.split(separator: ":").compactMap { Int($0) }
            guard hm.count >= 2, (0...23).contains(hm[0]), (0...59).contains(hm[1]) else { return nil }
            let hour = add > 0 || parts[1].uppercased().hasSuffix("AM") ? hm[0] % 12 : hm[0]
            minute = hour * 60 + hm[1] + add
        }
        return .local(day: .date(year: year, month: date[0], day: date[1]), minute: minute)
    }
}

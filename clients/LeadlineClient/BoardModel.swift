import Foundation
import LeadlineCore
import LeadlineWire

/// The open leads as the board shows them, kept current by applying events in order.
///
/// Loaded from `LIST open`, then every event updates it: the events carry the state
/// after each change (owner, backup, due, status), which is what makes a client's
/// picture equal the server's. Backup triggers and escalations are remembered per
/// lead and due time, to colour the row.
public struct BoardModel: Sendable {
    public struct Row: Sendable, Equatable {
        public let id: Int
        public var kind: String
        public var urgency: String
        public var status: String
        public var owner: String?
        public var backup: String?
        /// ISO time as the server wrote it, or nil.
        public var due: String?
        public var name: String?
        public var phone: String?
        public var service: String?
        public var created: String?
        /// The due time an alert of the backup trigger (or an escalation) was raised for.
        public var triggeredFor: String?
        /// Attempts logged on the lead (from `LEAD attempts=`, then each `ATTEMPTED`).
        public var attempts = 0

        public var isTriggered: Bool { triggeredFor != nil && triggeredFor == due }

        /// The 000 rule for this row at `now`, as the server's sweep judges it.
        public func outcome(at now: Date, zone: TimeZone) -> OutcomeRule.Verdict {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let facts = OutcomeRule.Facts(
                isOpen: true, status: LeadStatus(rawValue: status) ?? .needsCallback, kind: LeadKind(rawValue: kind) ?? .newLead,
                due: due.flatMap(Timestamp.parse), attempts: attempts, createdAt: created.flatMap(Timestamp.parse) ?? now)
            return OutcomeRule.assess(facts, at: now) { calendar.isDate($0, inSameDayAs: $1) }
        }
    }

    public private(set) var rows: [Int: Row] = [:]
    /// The server's time as last seen (from `CLOCK` or event times).
    public var serverNow: Date?

    public init() {}

    /// Replaces the rows with a `LIST open` reply.
    public mutating func load(_ lines: [ServerLine]) {
        rows = [:]
        for line in lines {
            guard case .data(_, "LEAD", let words, let f, _) = line, let id = words.first.flatMap(Int.init) else { continue }
            rows[id] = Row(id: id, kind: f["kind"] ?? "new-lead", urgency: f["urgency"] ?? "normal",
                           status: f["status"] ?? "needs-callback", owner: f.value("owner"), backup: f.value("backup"),
                           due: f.value("due"), name: f["name"], phone: f["phone"], service: f["service"],
                           created: f["created"], triggeredFor: nil, attempts: f["attempts"].flatMap(Int.init) ?? 0)
        }
    }

    /// Applies one event. True when the event puts leads on the board that it does not
    /// describe (a closed lead reopened, a file imported): the board should load
    /// `LIST open` again.
    @discardableResult
    public mutating func apply(_ event: ServerLine) -> Bool {
        guard case .event(_, _, let type, let f, _) = event else { return false }
        if let at = f["at"].flatMap(Timestamp.parse) { serverNow = max(serverNow ?? at, at) }
        if type == "IMPORTED" { return true }
        guard let id = f["lead"].flatMap(Int.init) else { return false }
        if f["reopened"] == "yes", rows[id] == nil { return true }
        switch type {
        case "CREATED":
            rows[id] = Row(id: id, kind: f["kind"] ?? "new-lead", urgency: f["urgency"] ?? "normal", status: "needs-callback",
                           owner: f.value("owner"), backup: f.value("backup"), due: f.value("due"), name: f["name"],
                           phone: f["phone"], service: f["service"], created: f["at"], triggeredFor: nil)
        case "CLOSED":
            rows[id] = nil
        default:
            guard var row = rows[id] else { return false }
            switch type {
            case "CLAIMED":
                row.owner = f["owner"]
                if f["backup"] != nil { row.backup = f.value("backup") }
                if f["due"] != nil { row.due = f.value("due") }
            case "RELEASED":
                row.owner = nil
            case "ASSIGNED":
                row.owner = f.value("owner")
                row.backup = f.value("backup")
                if f["due"] != nil { row.due = f.value("due") }
            case "ATTEMPTED", "STATUS", "BOOKED":
                if type == "ATTEMPTED" { row.attempts += 1 }
                if let status = f["status"] { row.status = status }
                if f["due"] != nil { row.due = f.value("due") }
                if let kind = f["kind"] { row.kind = kind }
            case "OUTCOME":
                row.status = f["result"] ?? row.status
                row.due = f.value("due")
                if f["result"] == "estimate-sent" { row.kind = "estimate" }
            case "ALERT":
                if ["backup", "escalation"].contains(f["kind"] ?? ""), let due = f["due"] { row.triggeredFor = due }
            default:
                break
            }
            rows[id] = row
        }
        return false
    }

    /// Open leads in the order of 003: class first, then the earliest due.
    public func ordered(zone: TimeZone) -> [Row] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let now = serverNow ?? Date()
        func key(_ row: Row) -> (Int, Date, Int) {
            let kind = LeadKind(rawValue: row.kind) ?? .newLead
            let urgency = Urgency(rawValue: row.urgency) ?? .normal
            let today = row.created.flatMap(Timestamp.parse).map { calendar.isDate($0, inSameDayAs: now) } ?? true
            let due = row.due.flatMap(Timestamp.parse) ?? .distantFuture
            return (CallbackPriority.rank(kind: kind, urgency: urgency, today: today), due, row.id)
        }
        return rows.values.sorted { key($0) < key($1) }
    }
}

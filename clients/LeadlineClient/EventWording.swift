import LeadlineWire

/// Events in words: one readable line each, for the watch stream and the prompt.
///
/// `08:05  #42  ben took over lead 7 (Jane Roe) from ana`. Times are the shop's local
/// time as the server wrote them. Lead names come from the events themselves (and any
/// `LEAD` rows the session saw), remembered in ``names``.
public struct EventWording: Sendable {
    /// Lead id → how to name the customer.
    public var names: [Int: String] = [:]

    public init() {}

    public struct Line: Sendable, Equatable {
        /// `HH:MM` of the event, local to the shop.
        public let time: String
        /// `YYYY-MM-DD` of the event.
        public let day: String
        public let seq: UInt64
        public let text: String
        public let isAlert: Bool
        /// Alerts that ask for action now: the backup trigger and escalations.
        public let isUrgent: Bool
    }

    /// What a stream asks for once connected, so that events about leads it has not
    /// seen created still name the customer: the open leads, most urgent first, up to
    /// a bound (a lead past it is named by its number).
    public static let openLeadNames = "LIST open limit=\(openLeadNamesLimit)"
    /// How many open leads' names a stream reads when it connects: enough for a shop's
    /// working board, and a bounded reply (about 400 KB) on every reconnect.
    public static let openLeadNamesLimit = 2_000

    /// Remembers the names of a reply's `LEAD` rows (``openLeadNames``, or a `LIST` a
    /// person ran), so that later events about those leads name the customer.
    public mutating func learn(_ reply: ServerLink.Reply) {
        for row in reply.rows { learn(row) }
    }

    /// Whether `event` brings leads onto the board whose names this stream has not
    /// seen (an import, a closed lead reopened): the stream then reads
    /// ``openLeadNames`` again, so that their later events name the customer.
    public func needsNames(after event: ServerLine) -> Bool {
        guard case .event(_, _, let type, let f, _) = event else { return false }
        switch type {
        case "IMPORTED": return true
        case "STATUS": return f["reopened"] == "yes" && f["lead"].flatMap(Int.init).map { names[$0] == nil } == true
        default: return false
        }
    }

    /// Remembers names from a `LEAD` row.
    public mutating func learn(_ row: ServerLine) {
        if case .data(_, "LEAD", let words, let fields, _) = row, let id = words.first.flatMap(Int.init) {
            names[id] = fields["name"] ?? fields["phone"]
        }
    }

    public mutating func describe(_ event: ServerLine) -> Line? {
        guard case .event(_, let seq, let type, let f, let text) = event else { return nil }
        let at = f["at"] ?? ""
        let day = String(at.prefix(10))
        let time = at.count >= 16 ? String(at.dropFirst(11).prefix(5)) : at
        let by = f["by"] ?? "the server"
        let id = f["lead"].flatMap(Int.init)
        if type == "CREATED", let id { names[id] = f["name"] ?? f["phone"] }
        let lead = id.map { label($0) } ?? "a lead"
        var words: String
        switch type {
        case "CREATED":
            var parts = [f["kind"] ?? "lead"]
            if let urgency = f["urgency"], urgency != "normal" { parts.append(urgency) }
            if let service = f["service"] { parts.append(service) }
            words = "\(by) logged \(lead): \(parts.joined(separator: ", ")); due \(when(f.value("due"), day))"
            if let owner = f.value("owner") { words += "; owner \(owner)" }
            if f["ack"] == "owed" { words += "; arrived after hours, acknowledgement owed" }
        case "CLAIMED":
            let owner = f["owner"] ?? by
            words = f["via"] == "takeover"
                ? "\(owner) took over \(lead)" + (f.value("from").map { " from \($0)" } ?? "")
                : "\(owner) claimed \(lead)"
            if let backup = f.value("backup") { words += " (backup \(backup))" }
            if let due = f.value("due") { words += "; due \(when(due, day))" }
        case "RELEASED":
            words = "\(by) released \(lead)"
        case "ASSIGNED":
            if let owner = f.value("owner") {
                words = "\(by) assigned \(lead) to \(owner)" + (f.value("backup").map { " (backup \($0))" } ?? "")
            } else {
                words = "\(by) took \(lead) off its owner" + (f.value("backup").map { " (backup \($0))" } ?? "")
            }
            if let due = f.value("due") { words += "; due \(when(due, day))" }
        case "NOTED":
            words = "\(by) noted on \(lead)"
        case "ATTEMPTED":
            words = "\(by): \(f["channel"] ?? "attempt"), \(f["outcome"] ?? "") on \(lead)"
            if let due = f.value("due") { words += "; next \(f["action"] ?? "touch") \(when(due, day))" }
        case "STATUS":
            words = f["reopened"] == "yes" ? "\(by) reopened \(lead): \(f["status"] ?? "?")" : "\(by) set \(lead) to \(f["status"] ?? "?")"
            if f["appt"] == "none" { words += "; the visit is called off" }
            if let due = f.value("due") { words += "; next \(when(due, day))" }
        case "BOOKED":
            words = "\(by) booked \(lead) for \(when(f.value("appt"), day))" + (f["tech"].map { " with \($0)" } ?? "")
        case "ACKNOWLEDGED":
            words = "\(by) acknowledged \(lead)"
        case "CLOSED":
            words = "\(by) closed \(lead): \(f["status"] ?? "closed")" + (f["reason"].map { " (\($0))" } ?? "")
        case "OUTCOME":
            words = "\(by) reported \(f["result"] ?? "an outcome") on \(lead)"
            if let due = f.value("due") { words += "; follow-up \(when(due, day))" }
        case "PRESENCE":
            words = "\(f["person"] ?? by) is \(f["presence"] == "away" ? "away" : "back")"
        case "IMPORTED":
            // One line for a whole file: how many, which numbers, from where.
            let count = f["count"] ?? "?"
            words = "\(by) imported \(count) lead\(count == "1" ? "" : "s")"
                + (f["first"].map { first in " (\(first == f["last"] ? first : "\(first)–\(f["last"] ?? "?")"))" } ?? "")
                + (f["system"].map { " from \($0)" } ?? "")
        case "ALERT":
            words = "ALERT \(f["kind"] ?? ""): \(text ?? "")"
            return Line(time: time, day: day, seq: seq, text: words, isAlert: true,
                        isUrgent: ["backup", "escalation", "away"].contains(f["kind"] ?? ""))
        default:
            words = "\(by): \(type.lowercased()) \(lead)"
        }
        if let text, type != "ALERT", !text.isEmpty { words += ": " + text }
        return Line(time: time, day: day, seq: seq, text: words, isAlert: false, isUrgent: false)
    }

    private func label(_ id: Int) -> String {
        names[id].map { "lead \(id) (\($0))" } ?? "lead \(id)"
    }

    /// `08:05` on the same day, else `Tue 09:00`-style date and time.
    private func when(_ iso: String?, _ day: String) -> String {
        guard let iso, iso.count >= 16 else { return "none" }
        let time = String(iso.dropFirst(11).prefix(5))
        return iso.hasPrefix(day) ? time : "\(iso.prefix(10)) \(time)"
    }
}

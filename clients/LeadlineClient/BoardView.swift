import Foundation
import LeadlineCore

/// Draws the board as lines of text for a terminal of a given size. Pure, so what a
/// person sees is tested without a terminal.
public enum BoardView {
    /// The rows' risk, which picks their colour.
    public enum Risk: Sendable { case calm, dueSoon, overdue, triggered }

    public static func risk(_ row: BoardModel.Row, now: Date) -> Risk {
        if row.isTriggered { return .triggered }
        guard let due = row.due.flatMap(Timestamp.parse) else { return .calm }
        if due <= now { return .overdue }
        if due.timeIntervalSince(now) <= 30 * 60 { return .dueSoon }
        return .calm
    }

    /// `in 12m`, `in 2h05`, `7m late`, `—`.
    public static func countdown(_ due: String?, now: Date) -> String {
        guard let due = due.flatMap(Timestamp.parse) else { return "—" }
        let seconds = Int(due.timeIntervalSince(now).rounded())
        let minutes = abs(seconds) / 60
        let days = minutes / (60 * 24)
        // Coarser the further off, so that it fits the column: hours go past 100 days,
        // days past 1,000 (a lead due in 2199 reads "in 173y", not "in 63217d1").
        let span = days >= 1_000 ? "\(days / 365)y"
            : days >= 100 ? "\(days)d"
            : days >= 1 ? "\(days)d\(minutes % (60 * 24) / 60)h"
            : minutes >= 60 ? "\(minutes / 60)h\(String(format: "%02d", minutes % 60))" : "\(minutes)m"
        return seconds >= 0 ? "in \(span)" : "\(span) late"
    }

    /// The whole screen: a title, a header, one line per lead, the latest alerts.
    public static func render(_ model: BoardModel, title: String, alerts: [String], width: Int, height: Int,
                              zone: TimeZone, style: Style, now: Date) -> [String] {
        let rows = model.ordered(zone: zone)
        let clock = Timestamp.local(now, in: zone)
        var out: [String] = []
        let heading = "\(title) — \(rows.count) open — \(clock.prefix(16).replacingOccurrences(of: "T", with: " "))"
        out.append(ColumnWidth.of(heading) <= width ? style.bold(heading) : ColumnWidth.prefix(heading, fitting: width))
        let header = pad("LEAD", 5) + pad("DUE", 11) + pad("KIND", 12) + pad("OWNER", 9) + pad("BACKUP", 9)
            + pad("  STATUS", 23) + "CUSTOMER"
        out.append(style.dim(ColumnWidth.prefix(header, fitting: width)))
        // The alerts (the last three, fewer on a short screen, never crowding out every
        // lead) take a blank line and one each; one line under the leads is kept for
        // "… n more" or the note on "?". The screen never holds more than `height` lines,
        // or the title would scroll away.
        let alertLines = Array(alerts.suffix(max(0, min(3, height - out.count - 3))))
        let alertBlock = alertLines.isEmpty ? 0 : alertLines.count + 1
        let room = max(0, height - out.count - 1 - alertBlock)
        for row in rows.prefix(room) {
            let urgent = row.urgency == "emergency" ? "!" : row.urgency == "urgent" ? "*" : " "
            let customer = [row.name ?? row.phone, row.service].compactMap { $0 }.joined(separator: " · ")
            // "?": no documented outcome yet (the end-of-day sweep would list it).
            let outcome = row.outcome(at: now, zone: zone).isDocumented ? "  " : "? "
            let line = pad("\(row.id)\(urgent)", 5) + pad(countdown(row.due, now: now), 11) + pad(row.kind, 12)
                + pad(row.owner ?? "—", 9) + pad(row.backup ?? "—", 9) + pad(outcome + row.status, 23) + customer
            let text = ColumnWidth.prefix(line, fitting: width)
            switch risk(row, now: now) {
            case .triggered: out.append(style.magenta(text))
            case .overdue: out.append(style.alert(text))
            case .dueSoon: out.append(style.warning(text))
            case .calm: out.append(text)
            }
        }
        if rows.count > room { out.append(style.dim(ColumnWidth.prefix("… \(rows.count - room) more", fitting: width))) }
        if rows.contains(where: { !$0.outcome(at: now, zone: zone).isDocumented }), out.count + alertBlock < height {
            out.append(style.dim(ColumnWidth.prefix("? no documented outcome yet: the end-of-day sweep lists it", fitting: width)))
        }
        if !alertLines.isEmpty {
            out.append("")
            for alert in alertLines { out.append(style.alert(ColumnWidth.prefix(alert, fitting: width))) }
        }
        return Array(out.prefix(max(1, height)))
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        // Columns, not characters: a name in wide characters keeps the columns after it in line.
        let clipped = ColumnWidth.of(text) >= width ? ColumnWidth.prefix(text, fitting: width - 1) : text
        return clipped + String(repeating: " ", count: width - ColumnWidth.of(clipped))
    }
}

import Foundation
import LeadlineCore
import LeadlineWire

/// A report as CSV (`export report`, `leadlined report --format csv`): one row per
/// `SCORE` line, the same fields in the same order.
public enum ReportCSV {
    public static let header = ["period", "from", "to", "figure", "value", "person", "reason", "of", "unit"]

    public static func rows(_ lines: [ScoreLine], period: ReportPeriod) -> [[String]] {
        lines.map { line in
            [period.span.rawValue, period.first.description, period.last.description, line.figure.rawValue, line.value,
             line.person ?? "", line.reason?.rawValue ?? "", line.of.map(String.init) ?? "", line.figure.unit.rawValue]
        }
    }

    public static func text(_ lines: [ScoreLine], period: ReportPeriod) -> String {
        CSV.text([header] + rows(lines, period: period))
    }
}

/// The history as CSV (`export events`): one row per public event, its fields as the
/// wire writes them.
public enum EventCSV {
    public static let header = ["seq", "at", "type", "lead", "by", "fields", "note"]

    /// `event` as a row: its time in the shop's `zone`, its fields as the wire writes them
    /// (`kind=new-lead owner=ana`).
    public static func row(_ event: Event, zone: TimeZone) -> [String] {
        let record = event.record
        let fields = String(decoding: WireEncoder.fields(record.fields, zone: zone), as: UTF8.self)
        return [String(event.seq), Timestamp.local(event.at, in: zone), event.type, event.lead.map(String.init) ?? "",
                event.by ?? "server", fields, record.text ?? ""]
    }
}

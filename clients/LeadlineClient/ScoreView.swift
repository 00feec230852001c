import LeadlineCore
import LeadlineWire

/// A report as an owner reads it in a terminal: one row per figure with the shop's
/// value and, for a week, a sparkline of its days; then a table of people. Fits 80
/// columns. Scripts (a pipe) get the `SCORE` lines as sent instead.
public enum ScoreView {
    /// One day's lines, for the sparklines.
    public struct Day: Sendable {
        public let date: String
        public let lines: [ScoreLine]
        public init(date: String, lines: [ScoreLine]) {
            self.date = date
            self.lines = lines
        }
    }

    static let bars = Array("▁▂▃▄▅▆▇█")

    public static func lines(title: String, report: [ScoreLine], days: [Day], style: Style) -> [String] {
        var out = [style.bold(title)]
        if !days.isEmpty {
            let names = days.map { day in String(day.date.suffix(2)) }.joined(separator: " ")
            out.append(pad("", 36) + pad("shop", 15, right: true) + "  " + style.dim(names))
        }
        for line in report where line.person == nil {
            var label = line.figure.title
            if let reason = line.reason { label = "  " + reason.rawValue }
            var row = pad(label, 36) + pad(describe(line), 15, right: true)
            if !days.isEmpty, line.reason == nil {
                row += "  " + sparkline(line.figure, days)
            }
            out.append(row)
        }
        let people = Array(Set(report.compactMap(\.person))).sorted()
        guard !people.isEmpty else { return out }
        out.append("")
        let columns: [(String, ScoreFigure)] = [
            ("median", .firstResponseMedian), ("p90", .firstResponseP90), ("same day", .sameDayCallback),
            ("backup", .backupTriggered), ("rescued", .backupRescued), ("escal.", .escalated),
            ("overnight", .overnightWithoutOutcome),
        ]
        out.append(style.bold(pad("person", 10) + columns.map { pad($0.0, 10, right: true) }.joined()))
        for person in people {
            let cells = columns.map { column -> String in
                let value = report.first { $0.person == person && $0.figure == column.1 && $0.reason == nil }
                return pad(value.map { $0.figure.unit == .count ? $0.value : $0.value + ($0.figure.unit == .percent ? "%" : "") } ?? "·",
                           10, right: true)
            }
            out.append(pad(person, 10) + cells.joined())
        }
        out.append(style.dim("median, p90: business minutes to the first call; same day: % of first calls"))
        return out
    }

    /// `10.0 min`, `88.9% of 9`, `3`, `1 of 2`.
    static func describe(_ line: ScoreLine) -> String {
        switch line.figure.unit {
        case .minutes: return line.value + " min"
        case .percent: return line.value + "% of " + String(line.of ?? 0)
        case .count: return line.of.map { line.value + " of " + String($0) } ?? line.value
        }
    }

    /// The shop's value of `figure` on each day, as bars scaled to the highest day.
    public static func sparkline(_ figure: ScoreFigure, _ days: [Day]) -> String {
        let values = days.map { day in day.lines.first { $0.figure == figure && $0.person == nil && $0.reason == nil } }
        let top = values.compactMap { $0?.tenths }.max() ?? 0
        return values.map { value -> String in
            // Nothing on the day (a zero count, or a share or median of nothing): a dot, so
            // the days with something stand out; a measured zero is the lowest bar.
            guard let value, value.isMeasured else { return "· " }
            guard top > 0 else { return String(bars[0]) + " " }
            return String(bars[min(bars.count - 1, value.tenths * (bars.count - 1) / top)]) + " "
        }.joined()
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let gap = max(0, width - ColumnWidth.of(text))
        return right ? String(repeating: " ", count: gap) + text : text + String(repeating: " ", count: gap)
    }
}

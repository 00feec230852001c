import Foundation
import LeadlineCore

/// A report as one self-contained HTML page an owner opens or prints: the figures,
/// a bar chart of each day for the figures a picture explains, and the people. Inline
/// CSS and SVG only: no scripts, no fonts, nothing fetched.
public enum ReportPage {
    /// - Parameters:
    ///   - days: each day of the period with its own lines (empty: no charts).
    public static func html(shop: String, period: ReportPeriod, lines: [ScoreLine], days: [(LocalDate, [ScoreLine])],
                            generated: String) -> String {
        var body = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>\(escape(shop)) scorecard, \(period.first) to \(period.last)</title>
            <style>
            body{font:15px/1.4 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1d2430;margin:32px auto;max-width:900px;padding:0 16px}
            h1{font-size:24px;margin:0}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d5dae1;padding-bottom:4px}
            .sub{color:#5b6675;margin:4px 0 20px}
            table{border-collapse:collapse;width:100%}td,th{padding:5px 8px;text-align:left;border-bottom:1px solid #eceff3}
            td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}
            table.people{font-size:13px}table.people th{vertical-align:bottom}
            .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:16px}
            .chart{border:1px solid #e3e7ec;border-radius:6px;padding:10px}.chart h3{font-size:13px;margin:0 0 6px;color:#3a4554}
            .def{color:#5b6675;font-size:12px}
            @media print{body{margin:0}.chart{break-inside:avoid}}
            </style></head><body>
            <h1>Callback scorecard</h1>
            <p class="sub">\(period.span.rawValue == "week" ? "Week" : period.span.rawValue == "day" ? "Day" : "Period") \(period.first) to \(period.last) · \(escape(shop)) · generated \(escape(generated))</p>
            <h2>The shop</h2>
            <table><tr><th>Figure</th><th class="n">Value</th><th class="n">Of</th></tr>

            """
        for line in lines where line.person == nil {
            let indented = line.reason != nil || line.figure.title.hasPrefix(" ")
            let words = line.reason?.rawValue ?? line.figure.title.trimmingCharacters(in: .whitespaces)
            let label = (indented ? "&nbsp;&nbsp;&nbsp;&nbsp;" : "") + escape(words)
            body += "<tr><td>\(label)</td><td class=\"n\">\(display(line))</td><td class=\"n\">\(line.of.map(String.init) ?? "")</td></tr>\n"
        }
        body += "</table>\n"
        if days.count > 1 {
            body += "<h2>Day by day</h2>\n<div class=\"charts\">\n"
            for figure in [ScoreFigure.firstResponseMedian, .sameDayCallback, .backupTriggered, .escalated,
                           .unassignedAtClose, .overnightWithoutOutcome] {
                body += chart(figure, days)
            }
            body += "</div>\n"
        }
        let people = Array(Set(lines.compactMap(\.person))).sorted()
        if !people.isEmpty {
            let columns: [ScoreFigure] = [.firstResponseMedian, .firstResponseP90, .sameDayCallback, .backupTriggered,
                                          .backupRescued, .escalated, .calledTwice, .ownerRescues, .estimateFollowUp48h,
                                          .estimatesOpen7d, .overnightWithoutOutcome]
            body += "<h2>People</h2>\n<table class=\"people\"><tr><th>Person</th>"
            for figure in columns { body += "<th class=\"n\">\(escape(shortTitle(figure)))</th>" }
            body += "</tr>\n"
            for person in people {
                body += "<tr><td>\(escape(person))</td>"
                for figure in columns {
                    let line = lines.first { $0.person == person && $0.figure == figure && $0.reason == nil }
                    body += "<td class=\"n\">\(line.map(\.value) ?? "·")</td>"
                }
                body += "</tr>\n"
            }
            body += "</table>\n"
        }
        body += """
            <p class="def">Response times are business minutes from arrival (or the next opening) to the first logged attempt.
            Every figure is defined in the Leadline protocol's "The scorecard".</p>
            </body></html>

            """
        return body
    }

    /// A bar per day, scaled to the highest; the value over each bar. A measured zero
    /// (0.0 % of 3 leads) is a low blue bar labelled 0; a day with nothing to measure is
    /// a grey line with no label, as the terminal's `·`.
    static func chart(_ figure: ScoreFigure, _ days: [(LocalDate, [ScoreLine])]) -> String {
        let values = days.map { day in day.1.first { $0.figure == figure && $0.person == nil && $0.reason == nil } }
        let top = max(1, values.compactMap { $0?.tenths }.max() ?? 1)
        let (width, height, gap) = (240, 110, 6)
        let bar = (width - gap * (days.count + 1)) / max(1, days.count)
        var svg = "<div class=\"chart\"><h3>\(escape(figure.title.trimmingCharacters(in: .whitespaces)))</h3>"
        svg += "<svg width=\"\(width)\" height=\"\(height + 30)\" viewBox=\"0 0 \(width) \(height + 30)\" role=\"img\" aria-label=\"\(escape(figure.title)) by day\">"
        for (i, value) in values.enumerated() {
            let x = gap + i * (bar + gap)
            let tenths = value?.tenths ?? 0
            let measured = value?.isMeasured ?? false
            let h = !measured ? 1 : max(2, tenths * (height - 16) / top)
            let y = height - h
            svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(bar)\" height=\"\(h)\" rx=\"\(measured ? 2 : 0)\" fill=\"\(measured ? "#2f6fdf" : "#d5dae1")\"/>"
            if let value, measured {
                svg += "<text x=\"\(x + bar / 2)\" y=\"\(y - 3)\" font-size=\"10\" text-anchor=\"middle\" fill=\"#1d2430\">\(escape(value.value))</text>"
            }
            let day = days[i].0
            svg += "<text x=\"\(x + bar / 2)\" y=\"\(height + 14)\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5b6675\">\(String(format: "%02d/%02d", day.month, day.day))</text>"
        }
        svg += "</svg></div>\n"
        return svg
    }

    static func display(_ line: ScoreLine) -> String {
        switch line.figure.unit {
        case .minutes: line.value + " min"
        case .percent: line.value + " %"
        case .count: line.value
        }
    }

    static func shortTitle(_ figure: ScoreFigure) -> String {
        switch figure {
        case .firstResponseMedian: "Median, min"
        case .firstResponseP90: "p90, min"
        case .sameDayCallback: "Same day, %"
        case .backupTriggered: "Backup trig."
        case .backupRescued: "Rescued"
        case .escalated: "Escalated"
        case .unassignedAtClose: "Unassigned"
        case .calledTwice: "Called twice"
        case .ownerRescues: "Owner rescues"
        case .estimateFollowUp48h: "Est. 48 h, %"
        case .estimatesOpen7d: "Est. open 7d"
        case .overnightWithoutOutcome: "Overnight"
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

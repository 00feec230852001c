import Dispatch
import Foundation
import LeadlineCore
import LeadlineWire

/// `leadline report ...` on a terminal: the report asked for, then (for up to a month)
/// each of its days, over one connection; printed as a ``ScoreView`` table.
enum ReportRun {
    /// Days a report shows a sparkline for, at most.
    static let maxDays = 31

    static func run(_ line: String, settings: ClientSettings, style: Style) -> Never {
        let link = OneShot.startLink(settings)
        let person = line.split(separator: " ").first { $0.hasPrefix("person=") }.map { " " + $0 } ?? ""
        link.queue.async {
            link.send(line) { result in
                let reply = unwrap(result, style: style)
                guard case .ok(_, _, let f, _) = reply.final, let from = f["from"], let to = f["to"],
                      let first = LocalDate(from), let last = LocalDate(to) else { exit(0) }
                let report = scores(reply)
                let title = "Scorecard, \(f["period"] ?? "period") \(from) to \(to)"
                let dates = dates(from: first, to: last)
                guard dates.count > 1, dates.count <= maxDays else { finish(title, report, [], style) }
                var days: [ScoreView.Day] = []
                func next() {
                    guard days.count < dates.count else { finish(title, report, days, style) }
                    let date = dates[days.count].description
                    link.send("REPORT day \(date)\(person)") { result in
                        days.append(ScoreView.Day(date: date, lines: scores(unwrap(result, style: style))))
                        next()
                    }
                }
                next()
            }
        }
        dispatchMain()
    }

    private static func unwrap(_ result: Result<ServerLink.Reply, LinkError>, style: Style) -> ServerLink.Reply {
        switch result {
        case .success(let reply) where reply.isOK: return reply
        case .success(let reply):
            for text in reply.texts { Output.line(style.error(text)) }
            exit(1)
        case .failure(let error):
            Output.line("leadline: \(error)", to: 2)
            exit(3)
        }
    }

    private static func scores(_ reply: ServerLink.Reply) -> [ScoreLine] {
        reply.rows.compactMap { row in
            guard case .data(_, "SCORE", _, let f, _) = row else { return nil }
            return ScoreLine(fields: f)
        }
    }

    private static func finish(_ title: String, _ report: [ScoreLine], _ days: [ScoreView.Day], _ style: Style) -> Never {
        for text in ScoreView.lines(title: title, report: report, days: days, style: style) { Output.line(text) }
        exit(0)
    }

    /// The calendar days from `first` to `last`, both included (days carry no zone).
    static func dates(from first: LocalDate, to last: LocalDate) -> [LocalDate] {
        ReportPeriod(span: .range, first: first, last: last).days(in: Policy(timeZone: TimeZone(identifier: "UTC")!).business)
    }
}

import Dispatch
import Foundation
import LeadlineCore
import LeadlineExchange
import LeadlineWire

/// `REPORT` (and `EXPORT report`): the scorecard. Computed off the hub's queue on this
/// moment's durable board (a value), so a year's range never holds anyone else up.
extension Hub {
    func report(_ request: ReportRequest, tag: String?, to c: Connection) {
        scorecard(request, tag: tag, to: c) { [encoder] lines, period in
            var out: [UInt8] = []
            for line in lines { out += encoder.data(tag: tag, "SCORE", line.fields) }
            return out + encoder.ok(tag: tag, verb: "REPORT", fields: [
                Field("period", period.span.rawValue), Field("from", period.first.description),
                Field("to", period.last.description), Field("count", lines.count),
            ])
        }
    }

    /// `EXPORT report ...`: the same lines as CSV rows.
    func exportReport(_ request: ReportRequest, tag: String?, to c: Connection) {
        scorecard(request, tag: tag, to: c) { [encoder] lines, period in
            let rows = [ReportCSV.header] + ReportCSV.rows(lines, period: period)
            var out: [UInt8] = []
            for row in rows { out += encoder.data(tag: tag, "CSV", text: CSV.line(row)) }
            return out + encoder.ok(tag: tag, verb: "EXPORT", fields: [Field("rows", rows.count - 1)])
        }
    }

    /// Checks `request` for `c`'s person, computes its lines off the hub's queue and
    /// sends what `render` makes of them. The connection reads nothing more meanwhile,
    /// so replies stay in order.
    private func scorecard(_ request: ReportRequest, tag: String?, to c: Connection,
                           render: @escaping @Sendable ([ScoreLine], ReportPeriod) -> [UInt8]) {
        guard let person = c.session.person else { return }
        let board = shop.durable
        let business = config.policy.business
        let now = config.clock.now
        let period: ReportPeriod
        let people: Set<String>?
        do throws(CommandError) {
            period = try request.period(today: business.localDate(now), in: business)
            people = try board.reportPeople(asked: request.person, by: person)
        } catch {
            c.send(encoder.error(tag: tag, error))
            return
        }
        c.session.awaitingReply = true
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let reply = render(board.scorecard(period, now: now, people: people), period)
            queue.async { [self] in
                guard c.state == .open else { return }
                c.send(reply)
                resume(c)
            }
        }
    }
}

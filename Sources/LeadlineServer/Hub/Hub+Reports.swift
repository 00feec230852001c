import Dispatch
import Foundation
import LeadlineCore
import LeadlineWire

/// `REPORT`: the scorecard. Computed off the hub's queue on this moment's durable
/// board (a value), so a year's range never holds anyone else up.
extension Hub {
    func report(_ request: ReportRequest, tag: String?, to c: Connection) {
        guard let person = c.session.person else { return }
        let board = shop.durable
        let business = config.policy.business
        let now = config.clock.now
        let period: ReportPeriod
        let people: Set<String>?
        do throws(CommandError) {
            period = try request.period(today: business.localDate(now), in: business)
            people = try Self.reportPeople(request.person, for: person, on: board)
        } catch {
            c.send(encoder.error(tag: tag, error))
            return
        }
        let encoder = encoder
        // The connection reads nothing more until its report is out, so replies stay in order.
        c.session.awaitingReply = true
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let lines = board.scorecard(period, now: now, people: people)
            var out: [UInt8] = []
            for line in lines { out += encoder.data(tag: tag, "SCORE", line.fields) }
            out += encoder.ok(tag: tag, verb: "REPORT", fields: [
                Field("period", period.span.rawValue), Field("from", period.first.description),
                Field("to", period.last.description), Field("count", lines.count),
            ])
            let reply = out
            queue.async { [self] in
                guard c.state == .open else { return }
                c.send(reply)
                resume(c)
            }
        }
    }

    /// Whose lines a report shows: a supervisor sees everyone (or the person or role
    /// asked for); anyone else sees themselves (and the shop's totals, always).
    static func reportPeople(_ asked: String?, for person: Person, on board: Board) throws(CommandError) -> Set<String>? {
        var wanted: Set<String>?
        if let asked {
            if let role = Role(rawValue: asked) {
                wanted = Set(board.people.values.filter { $0.role == role }.map(\.name))
            } else {
                guard board.people[asked] != nil else {
                    throw CommandError(.notFound, fields: [Field("person", asked)],
                                       "there is no one called \(asked) (and no role of that name); WHO lists everyone")
                }
                wanted = [asked]
            }
        }
        guard !person.role.isSupervisor else { return wanted }
        if let wanted, wanted != [person.name] {
            throw CommandError.denied(need: Role.supervisors,
                                      "other people's figures are for a \(Role.supervisors.spokenList); REPORT shows yours and the shop's")
        }
        return [person.name]
    }
}

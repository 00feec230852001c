import Foundation
import LeadlineCore
import LeadlineJournal
import LeadlineWire

/// The write path: decide, commit (journaled with group commit), and only then answer
/// `OK`; the shop publishes the events after. "Durable before OK."
extension Hub {
    /// Runs a state-changing command for a logged-in connection.
    ///
    /// - Parameters:
    ///   - remember: whether a tagged request's reply is kept for retries (not for
    ///     replies that carry a secret, such as a new token).
    ///   - extraReply: fields added to the `OK` line (and not journaled when `remember` is false).
    func submit(_ command: Command, tag: String?, verb: String, from c: Connection,
                remember: Bool = true, extraReply: [Field] = [], message: String? = nil) {
        guard let person = c.session.person else { return }
        if remember, let tag, let stored = shop.storedReply(person: person.name, tag: tag) {
            // A retry: answer as before, once everything ahead of it is durable.
            c.session.awaitingReply = true
            shop.afterPendingWrites { [self] result in
                switch result {
                case .success: c.send(Array((tag + " " + stored + "\n").utf8))
                case .failure(let error): c.send(encoder.error(tag: tag, unavailable(error)))
                }
                resume(c)
            }
            return
        }
        let now = shop.stampTime()
        switch shop.decide(command, by: person, at: now) {
        case .failure(let error):
            c.send(encoder.error(tag: tag, error))
        case .success(let decision):
            let text = message ?? decision.message
            guard !decision.changes.isEmpty else {
                c.send(rows(decision.rows, from: shop.speculative, tag: tag)
                    + encoder.ok(tag: tag, verb: verb, fields: decision.reply + extraReply, text: text))
                return
            }
            var events = shop.stamp(decision.changes, by: person.name, at: now)
            let fields = decision.reply + extraReply + [Field("seq", Int(events[events.count - 1].seq))]
            if remember, let tag {
                let untagged = encoder.ok(tag: nil, verb: verb, fields: fields, text: text)
                events[events.count - 1].tag = tag
                events[events.count - 1].reply = String(decoding: untagged.dropLast(), as: UTF8.self)
            }
            let reply = encoder.ok(tag: tag, verb: verb, fields: fields, text: text)
            c.session.awaitingReply = true
            shop.commit(events) { [self] result in
                switch result {
                case .success: c.send(rows(decision.rows, from: shop.durable, tag: tag) + reply)
                case .failure(let error): c.send(encoder.error(tag: tag, unavailable(error)))
                }
                resume(c)
            }
            if config.clock.isSimulated { shop.raiseDueAlerts() }
        }
    }

    /// `LEAD` rows for a reply that lists leads (`SWEEP`).
    private func rows(_ ids: [LeadID], from board: Board, tag: String?) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids { if let lead = board.lead(id) { out += encoder.lead(tag: tag, lead) } }
        return out
    }

    func unavailable(_ error: JournalError) -> CommandError {
        CommandError(.unavailable, "the journal cannot be written (\(error)); nothing was changed, reads still work")
    }
}

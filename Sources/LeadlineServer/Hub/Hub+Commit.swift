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
            reply(encoder.error(tag: tag, error), to: c)
        case .success(let decision):
            commit(decision, at: now, by: person, tag: tag, verb: verb, from: c, remember: remember,
                   extraReply: extraReply, message: message)
        }
    }

    /// Journals a decision's changes and answers once they are durable (or at once when
    /// it changes nothing).
    func commit(_ decision: Decision, at now: Date, by person: Person, tag: String?, verb: String, from c: Connection,
                remember: Bool = true, extraReply: [Field] = [], message: String? = nil) {
        let text = message ?? decision.message
        guard !decision.changes.isEmpty else {
            reply(rows(decision.rows, from: shop.speculative.leads, tag: tag)
                  + encoder.ok(tag: tag, verb: verb, fields: decision.reply + extraReply, text: text), to: c)
            return
        }
        var events = shop.stamp(decision.changes, by: person.name, at: now)
        // (One array, sized once: the sum of three made three.)
        var fields: [Field] = []
        fields.reserveCapacity(decision.reply.count + extraReply.count + 1)
        fields += decision.reply
        fields += extraReply
        fields.append(Field("seq", Int(events[events.count - 1].seq)))
        if remember, let tag {
            let untagged = encoder.ok(tag: nil, verb: verb, fields: fields, text: text)
            events[events.count - 1].tag = tag
            events[events.count - 1].reply = String(decoding: untagged.dropLast(), as: UTF8.self)
        }
        let ok = encoder.ok(tag: tag, verb: verb, fields: fields, text: text)
        c.session.writesInFlight += 1
        shop.commit(events) { [self] result in
            switch result {
            case .success: c.send(decision.rows.isEmpty ? ok : rows(decision.rows, from: shop.durable.leads, tag: tag) + ok)
            case .failure(let error): c.send(encoder.error(tag: tag, unavailable(error)))
            }
            writeSettled(c)
        }
        if config.clock.isSimulated { shop.raiseDueAlerts() }
    }

    /// Sends a reply in request order: at once, or — while the connection's earlier
    /// changes are still being made durable — right after their answers.
    func reply(_ bytes: [UInt8], to c: Connection) {
        guard c.session.writesInFlight > 0 else {
            c.send(bytes)
            return
        }
        shop.afterPendingWrites { _ in c.send(bytes) }
    }

    /// One of the connection's changes is answered. When the last is, a request held
    /// for them runs; when the pipeline had filled, reading resumes. Both after this
    /// turn, so the change's events go out first.
    private func writeSettled(_ c: Connection) {
        let wasFull = c.session.writesInFlight == Session.pipelineDepth
        c.session.writesInFlight -= 1
        guard c.session.writesInFlight == 0 || wasFull else { return }
        // A client waiting for this answer has sent nothing more: no turn is needed
        // (one per change was a closure queued and run for nothing).
        guard wasFull || c.session.held != nil || c.hasInputToResume else { return }
        nextTurn { [self] in
            guard c.isOpen else { return }
            if c.session.writesInFlight == 0, let held = c.session.held {
                c.session.held = nil
                c.session.awaitingReply = false
                dispatch(held, from: c)
            }
            c.processInput()
        }
    }

    /// `LEAD` rows for a reply that lists leads (`SWEEP`).
    /// (From the lead table alone: a `Board` value read off the shop is a copy of every
    /// index in it, on every commit.)
    private func rows(_ ids: [LeadID], from leads: LeadTable, tag: String?) -> [UInt8] {
        var b = LineBuilder(offsets: encoder.offsets, capacity: ids.count * 200)
        for id in ids { leads.withLead(id) { encoder.appendLead(tag: tag, $0, to: &b) } }
        return b.take()
    }

    func unavailable(_ error: JournalError) -> CommandError {
        CommandError(.unavailable, "the journal cannot be written (\(error)); nothing was changed, reads still work")
    }
}

import Foundation
import LeadlineCore
import LeadlineJournal
import LeadlineWire

/// The write path: decide, apply speculatively, journal with group commit, and only
/// then answer `OK` and broadcast. "Durable before OK."
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
        if remember, let tag, let stored = speculative.ledger.reply(person: person.name, tag: tag) {
            // A retry: answer as before, once everything ahead of it is durable.
            c.session.awaitingReply = true
            journal.append([]) { [self] result in
                switch result {
                case .success: c.send(Array((tag + " " + stored + "\n").utf8))
                case .failure(let error): c.send(encoder.error(tag: tag, unavailable(error)))
                }
                resume(c)
            }
            return
        }
        let now = stampTime()
        switch speculative.decide(command, by: person, at: now) {
        case .failure(let error):
            c.send(encoder.error(tag: tag, error))
        case .success(let decision):
            let text = message ?? decision.message
            guard !decision.changes.isEmpty else {
                c.send(rows(decision.rows, from: speculative, tag: tag)
                    + encoder.ok(tag: tag, verb: verb, fields: decision.reply + extraReply, text: text))
                return
            }
            var events = stamp(decision.changes, by: person.name, at: now)
            let fields = decision.reply + extraReply + [Field("seq", Int(events[events.count - 1].seq))]
            if remember, let tag {
                let untagged = encoder.ok(tag: nil, verb: verb, fields: fields, text: text)
                events[events.count - 1].tag = tag
                events[events.count - 1].reply = String(decoding: untagged.dropLast(), as: UTF8.self)
            }
            let reply = encoder.ok(tag: tag, verb: verb, fields: fields, text: text)
            c.session.awaitingReply = true
            commit(events) { [self] result in
                switch result {
                case .success: c.send(rows(decision.rows, from: durable, tag: tag) + reply)
                case .failure(let error): c.send(encoder.error(tag: tag, unavailable(error)))
                }
                resume(c)
            }
            if config.clock.isSimulated { raiseDueAlerts() }
        }
    }

    /// `LEAD` rows for a reply that lists leads (`SWEEP`).
    private func rows(_ ids: [LeadID], from board: Board, tag: String?) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids { if let lead = board.lead(id) { out += encoder.lead(tag: tag, lead) } }
        return out
    }

    /// Applies `events` speculatively and queues them for the journal. Once they are
    /// synced: applies them durably, runs `answer` (the requester's `OK` goes first),
    /// then broadcasts. If the journal fails: reverts, and `answer` gets the error.
    func commit(_ events: [Event], answer: @escaping (Result<Void, JournalError>) -> Void) {
        Self.applyDecided(events, to: &speculative)
        var bytes: [UInt8] = []
        for event in events { bytes += JournalCodec.encode(event) }
        journal.append(bytes) { [self] result in
            switch result {
            case .success:
                nextAlertCheck = nil
                var audiences: [Audience] = []
                for event in events {
                    let before = event.lead.flatMap { durable.lead($0) }
                    Self.applyDecided([event], to: &durable)
                    recent.append(event)
                    audiences.append(Audience(before: before, after: event.lead.flatMap { durable.lead($0) }))
                }
                answer(.success(()))
                published(events, audiences: audiences)
            case .failure(let error):
                speculative = durable
                log("journal write failed, change refused: \(error)")
                answer(.failure(error))
            }
        }
    }

    func unavailable(_ error: JournalError) -> CommandError {
        CommandError(.unavailable, "the journal cannot be written (\(error)); nothing was changed, reads still work")
    }

    /// Applies events decided against this same state; they cannot fail to apply
    /// unless the program is wrong, and then continuing would corrupt the board.
    static func applyDecided(_ events: [Event], to board: inout Board) {
        do {
            try board.apply(events)
        } catch {
            preconditionFailure("a decided event does not apply: \(error)")
        }
    }
}

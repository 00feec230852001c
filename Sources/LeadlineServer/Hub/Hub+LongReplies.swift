import Dispatch
import LeadlineCore
import LeadlineWire

/// Long replies (`LIST` of thousands, `SINCE` over a wide window) written a chunk per
/// turn of the hub's queue, so no one reply holds the server: between chunks everyone
/// else's requests, commits and events go on.
///
/// A chunk is rendered only once the connection has taken the previous ones down to its
/// high-water mark, so a reader that does not read holds its own reply, not the
/// server's memory. Meanwhile the connection reads no further requests, and events for
/// it wait until the reply is complete, so a reply's lines stay together.
extension Hub {
    /// Rows rendered per chunk: about 200 KB, under a millisecond. Each chunk is one
    /// `send`, and on loopback each costs the reader a wake-up on top of its bytes:
    /// 1,024 rows took 8 % less CPU and time for a 10,000-row `LIST` than 256.
    static let rowsPerChunk = 1024

    /// Events read back from the journal per chunk (`SINCE`, `SHOW`, `EXPORT events`):
    /// each is decoded and encoded again, a few microseconds, so fewer of them make a
    /// turn as short as a chunk of rows. Forty such replies at once then hold a `PING`
    /// behind them for a few milliseconds, not tens.
    static let eventsPerChunk = 32

    /// A long reply's next chunk, and whether it was the last.
    typealias NextChunk = () -> (bytes: [UInt8], done: Bool)

    /// Writes the reply `next` renders. One that is done in its first chunk is sent at
    /// once, like any reply (and true is returned); the rest join the round of long
    /// replies.
    @discardableResult
    func stream(to c: Connection, _ next: @escaping NextChunk) -> Bool {
        let first = next()
        c.send(first.bytes)
        guard !first.done else { return true }
        c.session.awaitingReply = true
        c.holdEvents()
        enqueue(LongReplyTurn(connection: c, reply: LongReply(next)))
        return false
    }

    /// Works out a reply off the hub's queue, from values (a `Board` value: later
    /// changes do not reach it), then writes it from the queue with `reply`, which
    /// returns whether it wrote the reply whole (``stream(to:_:)``). Choosing and
    /// ordering ten thousand leads then holds up no one else's request. The connection
    /// reads no further meanwhile and its events wait, so they follow the reply as if
    /// it had been written at once.
    func prepareOffQueue<Prepared: Sendable>(for c: Connection, _ prepare: @escaping @Sendable () -> Prepared,
                                             then reply: @escaping @Sendable (Prepared) -> Bool) {
        c.session.awaitingReply = true
        c.holdEvents()
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let prepared = prepare()
            queue.async { [self] in
                guard c.isOpen, reply(prepared) else { return }
                c.releaseEvents()
                resume(c)
            }
        }
    }

    /// Long replies take turns, one chunk each, and only one turn is ever waiting on the
    /// hub's queue: a request that arrives meanwhile (a `PING`, a claim) waits for one
    /// chunk at most, not for one chunk of every long reply under way.
    private func enqueue(_ turn: LongReplyTurn) {
        longReplies.append(turn)
        guard !longReplyTurnScheduled else { return }
        longReplyTurnScheduled = true
        queue.async { [self] in takeLongReplyTurn() }
    }

    private func takeLongReplyTurn() {
        longReplyTurnScheduled = false
        guard let turn = longReplies.popFirst() else { return }
        let c = turn.connection
        if c.isOpen {
            if c.unsentBytes >= limits.outboundHighWater {
                // A reader behind on its reply holds only its own turn: it rejoins once drained.
                c.onDrained = { [self] in queue.async { self.enqueue(turn) } }
            } else {
                let chunk = turn.reply.next()
                c.send(chunk.bytes)
                if chunk.done {
                    c.releaseEvents()
                    resume(c)
                } else {
                    longReplies.append(turn)
                }
            }
        }
        if !longReplies.isEmpty, !longReplyTurnScheduled {
            longReplyTurnScheduled = true
            queue.async { [self] in takeLongReplyTurn() }
        }
    }

    /// A reply of `LEAD` rows for `leads`, then `ok`, a chunk at a time.
    func streamLeads(_ leads: [Lead], tag: String?, ok: [UInt8], to c: Connection) {
        streamLeads(count: leads.count, ok: ok, to: c) { [encoder] i, b in encoder.appendLead(tag: tag, leads[i], to: &b) }
    }

    /// A reply of `count` `LEAD` rows, the `i`th written by `row(i, &builder)`, then `ok`;
    /// whether it was written whole at once, as ``stream(to:_:)``.
    @discardableResult
    func streamLeads(count: Int, ok: [UInt8], to c: Connection, row: @escaping (Int, inout LineBuilder) -> Void) -> Bool {
        var index = 0
        return stream(to: c) { [offsets = encoder.offsets] in
            var b = LineBuilder(offsets: offsets, capacity: Self.rowsPerChunk * 200)
            let end = min(count, index + Self.rowsPerChunk)
            while index < end {
                row(index, &b)
                index += 1
            }
            var out = b.take()
            guard index == count else { return (out, false) }
            out += ok
            return (out, true)
        }
    }
}

/// A long reply's place in the round: its connection and its renderer.
struct LongReplyTurn {
    let connection: Connection
    let reply: LongReply
}

/// A long reply in progress: its renderer, handed from turn to turn of the hub's queue
/// (it is only ever called there).
final class LongReply: @unchecked Sendable {
    let next: Hub.NextChunk
    init(_ next: @escaping Hub.NextChunk) { self.next = next }
}

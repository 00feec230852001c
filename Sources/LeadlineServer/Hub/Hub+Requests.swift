import Foundation
import LeadlineCore
import LeadlineJournal
import LeadlineWire

/// Reading requests: framing errors, the HTTP probe, login gating, and the verbs that
/// only read (HELP, PING, WATCH, SINCE, SHOW, LIST, WHO, KEEPALIVE).
extension Hub {
    func handle(_ frame: Frame, from c: Connection) {
        c.session.linesReceived += 1
        if c.session.upload != nil {
            receiveUpload(frame, from: c)
            return
        }
        switch frame {
        case .tooLong(let tag):
            let max = limits.maxLine
            reply(encoder.error(tag: tag, CommandError(
                .tooLong, fields: [Field("max", max)],
                "the line is longer than \(max) bytes; it was skipped up to the next line break")), to: c)
        case .badSyntax(let why, let tag):
            reply(encoder.error(tag: tag, CommandError(.badSyntax, why)), to: c)
        case .line(let text):
            if c.session.linesReceived == 1, HTTPProbe.looksLikeHTTP(text) {
                c.sayGoodbye("HTTP", "this is a Leadline line-protocol server, not a web server; connect with nc or the leadline client")
                return
            }
            if c.session.linesReceived == 1, text.hasPrefix("PROXY ") {
                if config.trustsProxy(c.peer) {
                    // From a trusted proxy's address, but not where a header is taken: it
                    // came after the grace second (the connection was taken as a person's
                    // on that host), or a header was read already (a second one).
                    let grace = SessionTimers.seconds(ProxyPreamble.headerGrace)
                    log("\(c.peer) sent a PROXY line after its connection was taken (a header later than \(grace), or a second one); closed")
                    c.sayGoodbye("PROXY", "a PROXY header is taken only as the connection's first bytes, within \(grace); this one came late, or twice")
                } else {
                    log("\(c.peer) sent a PROXY header but is not a trusted proxy (--proxy-from); closed")
                    c.sayGoodbye("PROXY", "PROXY headers are taken only from the proxies the server trusts (--proxy-from)")
                }
                return
            }
            switch RequestDecoder.decode(text) {
            case nil:
                break  // a blank line
            case .failure(let e)?:
                // Before LOGIN, only the verbs that work without it are told what is
                // wrong with their arguments; anything else is refused for want of a
                // login, whatever its mistake.
                if c.session.person == nil, e.verb.flatMap(VerbCatalog.spec)?.needsLogin != false {
                    c.send(encoder.error(tag: e.tag, Self.logInFirst))
                } else if e.verb == Verb.importLeads.rawValue {
                    // A file follows a malformed IMPORT too: its lines must not be taken
                    // as requests.
                    refuseImport(e.error, tag: e.tag, from: c)
                } else {
                    reply(encoder.error(tag: e.tag, e.error), to: c)
                }
            case .success(let request)?:
                dispatch(request, from: c)
            }
        }
    }

    /// A TLS client on the plaintext port. It cannot read our words, but its TLS
    /// library then fails at once ("wrong version number", the well-known sign of
    /// TLS spoken to plaintext) instead of waiting out the login timeout; a person
    /// watching the bytes, and the log, read where TLS is.
    func tlsOnPlaintextPort(_ c: Connection) {
        let tlsPort = listeners.first { $0.tls != nil }?.port
        let whereTLS = tlsPort.map { "TLS is on port \($0)" } ?? "this server has no TLS port (--tls-listen)"
        log("\(c.peer) began a TLS handshake on the plaintext port; \(whereTLS); closed")
        c.sayGoodbye("TLS", "this port speaks plaintext; \(whereTLS)")
    }

    /// The answer to any request but HELP, PING, LOGIN and QUIT before LOGIN.
    static let logInFirst = CommandError(.auth, "log in first: LOGIN <name> <token> (HELP works without it)")

    func dispatch(_ r: TaggedRequest, from c: Connection) {
        if c.session.writesInFlight > 0, !r.request.pipelines {
            // It must see this connection's changes durable first: read nothing more
            // until they are (see ``writeSettled(_:)``).
            c.session.held = r
            c.session.awaitingReply = true
            return
        }
        guard c.session.bucket.take(now: monotonicNow()) else {
            reply(encoder.error(tag: r.tag, CommandError(.rate, "too many requests; slow down and retry in a moment")), to: c)
            return
        }
        if r.spec.needsLogin, c.session.person == nil {
            c.send(encoder.error(tag: r.tag, Self.logInFirst))
            return
        }
        if let revoked = revocation(of: c) {
            // Decided against the person's current account: once their removal or a new
            // token is decided, nothing more from this session counts (BYE AUTH follows
            // once that change is durable).
            reply(encoder.error(tag: r.tag, CommandError(.auth, revoked)), to: c)
            return
        }
        let tag = r.tag
        switch r.request {
        case .help(let topic):
            help(topic, tag: tag, to: c)
        case .ping(let text):
            reply(encoder.ok(tag: tag, verb: "PING", text: text ?? ""), to: c)
        case .pong:
            break
        case .quit:
            c.sayGoodbye(nil, "goodbye")
        case .login(let name, let token):
            login(name: name, token: token, tag: tag, from: c)
        case .watch(let mode):
            setWatch(mode, of: c)
            c.send(encoder.ok(tag: tag, verb: "WATCH", fields: [Field("mode", mode.rawValue), Field("last", Int(shop.lastPublishedSeq))]))
        case .since(let seq):
            since(seq, tag: tag, to: c)
        case .keepalive(let seconds):
            c.session.timers.keepalive = seconds.map(TimeInterval.init)
            c.send(encoder.ok(tag: tag, verb: "KEEPALIVE", fields: [Field("seconds", seconds.map(String.init) ?? "off")]))
        case .show(let id):
            show(id, tag: tag, to: c)
        case .list(let filter, let after, let limit):
            list(filter, after: after, limit: limit, tag: tag, to: c)
        case .who:
            who(tag: tag, to: c)
        case .queue:
            queue(tag: tag, to: c)
        case .agenda(let person, let day):
            agenda(person, day: day, tag: tag, to: c)
        case .review:
            review(tag: tag, to: c)
        case .rules:
            rules(tag: tag, to: c)
        case .report(let request):
            report(request, tag: tag, to: c)
        case .export(let request):
            export(request, tag: tag, to: c)
        case .importLeads(let strict, let system):
            beginImport(strict: strict, system: system, tag: tag, from: c)
        case .clock(let advance):
            clockRequest(advance, tag: tag, from: c)
        case .addUser, .issueToken, .removeUser:
            managePeople(r.request, tag: tag, from: c)
        case .command(let command):
            submit(command, tag: tag, verb: r.verb, from: c)
        }
    }

    private func help(_ topic: String?, tag: String?, to c: Connection) {
        let lines: [String]
        if let topic {
            guard let spec = VerbCatalog.spec(topic) else {
                c.send(encoder.error(tag: tag, CommandError(.unknown, fields: [Field("verb", topic)],
                                                            "there is no verb \(topic); HELP lists them all")))
                return
            }
            lines = HelpText.verb(spec)
        } else {
            lines = HelpText.overview()
        }
        var out: [UInt8] = []
        for line in lines { out += encoder.data(tag: tag, "HELP", text: line) }
        out += encoder.ok(tag: tag, verb: "HELP")
        c.send(out)
    }

    private func since(_ seq: UInt64, tag: String?, to c: Connection) {
        let last = shop.durable.lastSeq
        guard seq <= last else {
            c.send(encoder.error(tag: tag, CommandError(
                .invalid, fields: [Field("arg", "seq"), Field("last", Int(last)), Field("epoch", shop.epoch)],
                "event \(seq) has not happened; the last is \(last) (if you remember a different epoch, the journal was started afresh: resync with LIST)")))
            return
        }
        let window = UInt64(limits.sinceWindow)
        if window > 0, last > window, seq + window < last {
            let oldest = Int(last - window + 1)
            c.send(encoder.error(tag: tag, CommandError(
                .invalid, fields: [Field("arg", "seq"), Field("oldest", oldest)],
                "SINCE reaches back \(window) events here, to \(oldest); resync with LIST and SHOW")))
            return
        }
        guard let person = c.session.person else { return }
        // Read back from the journal a chunk at a time, up to the last event now; later
        // events are held and follow the OK (nothing missed, nothing twice).
        var from = seq
        var count = 0
        stream(to: c) { [self] in
            let upTo = min(last, from + UInt64(Self.eventsPerChunk))
            let events: [Event]
            switch shop.events(after: from, through: upTo) {
            case .success(let read): events = read
            case .failure(let error):
                return (encoder.error(tag: tag, CommandError(
                    .unavailable, "the journal cannot be read after event \(from) (\(error)); retry SINCE \(from)")), true)
            }
            var out: [UInt8] = []
            for event in events where !event.isPrivate {
                guard Self.wants(c.session.watch, onBoard: Self.isOnBoard(event.change), isAlert: Self.isAlert(event.change), person.name,
                            concerned: people(concernedBy: event)) else { continue }
                if let tag { out += Array((tag + " ").utf8) }
                out += encoder.event(event)
                count += 1
            }
            from = upTo
            guard from >= last else { return (out, false) }
            return (out + encoder.ok(tag: tag, verb: "SINCE", fields: [Field("count", count), Field("last", Int(last))]), true)
        }
    }

    /// `SHOW`: the lead, then its history read back from the journal a chunk at a time
    /// (a lead with thousands of events holds no one up).
    private func show(_ id: LeadID, tag: String?, to c: Connection) {
        // (Read where the durable board holds them: `shop.durable.lead(id)` copied the
        // whole board value, a retain of every index in it, and then the lead.)
        guard var out = shop.withDurableLead(id, { encoder.lead(tag: tag, $0) }) else {
            c.send(encoder.error(tag: tag, shop.missingLead(id)))
            return
        }
        let seqs = shop.durableHistory(of: id)
        var next = 0
        stream(to: c) { [self] in
            let chunk = seqs[next..<min(seqs.count, next + Self.eventsPerChunk)]
            switch historyLines(Array(chunk)) {
            case .success(let lines):
                for line in lines { encoder.appendTagged(tag, line, to: &out) }
            case .failure(let error):
                return (out + encoder.error(tag: tag, CommandError(
                    .unavailable, "the journal cannot be read (\(error)); try again, or run leadlined check")), true)
            }
            next += chunk.count
            var bytes = out
            out = []
            guard next == seqs.count else { return (bytes, false) }
            bytes += encoder.ok(tag: tag, verb: "SHOW", fields: [Field("lead", id), Field("history", seqs.count)])
            return (bytes, true)
        }
    }

    /// The untagged `HISTORY` lines of events `seqs`: those shown recently as they
    /// were kept, the rest read back from the journal, rendered, and kept.
    private func historyLines(_ seqs: [UInt64]) -> Result<[[UInt8]], JournalError> {
        var lines = seqs.map { shownHistory.value($0) }
        let missing = lines.indices.filter { lines[$0] == nil }
        guard !missing.isEmpty else { return .success(lines.map { $0! }) }
        switch shop.historyEvents(missing.map { seqs[$0] }) {
        case .success(let events):
            for (i, event) in zip(missing, events) {
                let line = encoder.history(tag: nil, event)
                shownHistory.keep(line, as: seqs[i])
                lines[i] = line
            }
            return .success(lines.map { $0! })
        case .failure(let error):
            return .failure(error)
        }
    }

    /// `LIST`: chosen and ordered in one pass with plain-number keys, off the hub's
    /// queue, then written a chunk at a time from the board as it was (a snapshot:
    /// later changes follow as events).
    private func list(_ filter: LeadFilter, after: ListPosition?, limit: Int?, tag: String?, to c: Connection) {
        guard let person = c.session.person else { return }
        let board = shop.durable
        var fields = [Field("filter", filter.rawValue)]
        if filter == .mine && person.role == .tech {
            // A technician's own leads are their visits, in time order (a day's worth).
            let visits = board.agenda(for: person.name)
            fields.append(Field("count", visits.count))
            streamLeads(visits, tag: tag, ok: encoder.ok(tag: tag, verb: "LIST", fields: fields), to: c)
            return
        }
        let (name, now) = (person.name, config.clock.now)
        prepareOffQueue(for: c, { board.list(filter, for: name, at: now, after: after, limit: limit) }) { [self, fields] page in
            var fields = fields
            fields.append(Field("count", page.ids.count))
            if limit != nil || after != nil { fields.append(Field("total", page.total)) }
            if let next = page.next { fields.append(Field("next", next.cursor)) }
            // Each row is written from the lead where the table holds it: reading the board
            // in the closure copied the whole board value for every row, and a lead taken
            // out of the table is a copy too.
            let (rows, ids) = (page.board.leads, page.ids)
            return streamLeads(count: ids.count, ok: encoder.ok(tag: tag, verb: "LIST", fields: fields), to: c) { [encoder] i, b in
                rows.withLead(ids[i]) { encoder.appendLead(tag: tag, $0, to: &b) }
            }
        }
    }

    /// `WHO`: everyone, whether they are connected and here; a supervisor also sees the
    /// addresses they are connected from (the real ones, behind a trusted proxy).
    private func who(tag: String?, to c: Connection) {
        var online: [String: Int] = [:]
        var addresses: [String: Set<String>] = [:]
        for connection in connections.values {
            guard let name = connection.session.person?.name, connection.isOpen else { continue }
            online[name, default: 0] += 1
            addresses[name, default: []].insert(connection.peer.address)
        }
        let showsAddresses = c.session.person?.role.isSupervisor == true
        let people = shop.durable.people.values.sorted { $0.name < $1.name }
        var out: [UInt8] = []
        for person in people {
            var fields = [Field("role", person.role.rawValue), Field("online", online[person.name] ?? 0)]
            if showsAddresses, let from = addresses[person.name] {
                fields.append(Field("from", from.sorted().joined(separator: ",")))
            }
            let away = shop.durable.presence[person.name]
            fields.append(Field("presence", away == nil ? "here" : "away"))
            if let away { fields.append(Field("since", away.since)) }
            out += encoder.data(tag: tag, "PERSON " + person.name, fields, text: away?.reason)
        }
        out += encoder.ok(tag: tag, verb: "WHO", fields: [Field("count", people.count)])
        c.send(out)
    }

    /// `QUEUE`: the person's callbacks, most urgent first: the leads they own that wait
    /// on a touch, and those they back up that now need them.
    private func queue(tag: String?, to c: Connection) {
        guard let person = c.session.person else { return }
        guard person.role != .tech else {
            let visits = shop.durable.agenda(for: person.name).filter(\.hasPendingVisit)
            send(visits, tag: tag, verb: "QUEUE", fields: [Field("count", visits.count)], to: c)
            return
        }
        let now = config.clock.now
        let board = shop.durable
        // From the indexes: the person's own leads, and those they back up that are theirs to take.
        let ids = (board.openByOwner[person.name] ?? []).union((board.openByBackup[person.name] ?? []).filter { id in
            board.lead(id).map { board.backupMayTakeOver($0, at: now) } ?? false
        })
        let mine = board.mostUrgentFirst(ids.compactMap { board.lead($0) }.filter { $0.due != nil }, at: now)
        send(mine, tag: tag, verb: "QUEUE", fields: [Field("count", mine.count)], to: c)
    }

    /// `AGENDA`: a technician's visits on a day. Anyone may ask for their own; a
    /// supervisor for anyone's.
    private func agenda(_ name: String?, day spec: TimeSpec?, tag: String?, to c: Connection) {
        guard let person = c.session.person else { return }
        let who = name ?? person.name
        if who != person.name, !person.role.isSupervisor {
            c.send(encoder.error(tag: tag, CommandError.denied(
                need: Role.supervisors, "another person's agenda is for a \(Role.supervisors.spokenList); AGENDA shows yours")))
            return
        }
        guard shop.durable.people[who] != nil else {
            c.send(encoder.error(tag: tag, CommandError(.notFound, fields: [Field("person", who)], "there is no one called \(who); WHO lists everyone")))
            return
        }
        let now = config.clock.now
        guard let at = (spec ?? .local(day: .today, minute: nil)).resolve(now: now, policy: config.policy) else {
            c.send(encoder.error(tag: tag, CommandError.invalid(argument: "day", "that day does not exist")))
            return
        }
        let day = config.policy.business.localDate(at)
        let visits = shop.durable.agenda(for: who, on: day)
        send(visits, tag: tag, verb: "AGENDA", fields: [Field("person", who), Field("date", day.description), Field("count", visits.count)], to: c)
    }

    /// `REVIEW`: the open loops, oldest first, each flagged with what it lacks (found
    /// off the hub's queue, like `LIST`'s).
    private func review(tag: String?, to c: Connection) {
        let board = shop.durable
        prepareOffQueue(for: c, { board.reviewList() }) { [self] list in
            let stuck = list.filter { !Board.reviewGaps($0).isEmpty }.count
            let ok = encoder.ok(tag: tag, verb: "REVIEW", fields: [Field("count", list.count), Field("stuck", stuck)])
            return streamLeads(count: list.count, ok: ok, to: c) { [encoder] i, b in
                let gaps = Board.reviewGaps(list[i])
                encoder.appendLead(tag: tag, list[i], extra: gaps.isEmpty ? [] : [Field("missing", gaps.joined(separator: ","))], to: &b)
            }
        }
    }

    /// `LEAD` rows, then `OK VERB fields`.
    private func send(_ leads: [Lead], tag: String?, verb: String, fields: [Field], to c: Connection) {
        streamLeads(leads, tag: tag, ok: encoder.ok(tag: tag, verb: verb, fields: fields), to: c)
    }

    /// `RULES`: the procedure this server runs, from its policy.
    private func rules(tag: String?, to c: Connection) {
        var out = encoder.data(tag: tag, "HOURS", Procedure.hours(config.policy).map { Field($0.0, $0.1) })
        let rules = Procedure.rules(config.policy, people: shop.durable.people)
        for (i, rule) in rules.enumerated() {
            out += encoder.data(tag: tag, "RULE \(i + 1) \(rule.name)", [
                Field("trigger", rule.trigger), Field("owner", rule.owner), Field("action", rule.action),
                Field("limit", rule.limit), Field("proof", rule.proof),
            ])
        }
        out += encoder.ok(tag: tag, verb: "RULES", fields: [Field("count", rules.count)])
        c.send(out)
    }
}

import LeadlineCore

/// Reads one request line into a ``TaggedRequest``.
///
/// The grammar is the brief's: `[@tag SP] VERB *(SP arg) [SP ":" text]`. Verbs are
/// case-insensitive; every refusal names what is wrong in words a person understands.
public enum RequestDecoder {
    /// Decodes `line`; nil for a blank line, which is ignored.
    public static func decode(_ line: String) -> Result<TaggedRequest, RequestError>? {
        var line = line
        return line.withUTF8 { decode(bytes: $0) }
    }

    /// Decodes one line's bytes. Blanks, the tag and the verb are found among the
    /// bytes, as ``ArgumentScanner`` finds every delimiter, without walking the line's
    /// characters (grapheme breaking and index rounding were most of the cost of a
    /// short request). A blank is a space or a tab byte, whatever follows it: a
    /// combining mark typed after one does not join it into another character.
    static func decode(bytes: UnsafeBufferPointer<UInt8>) -> Result<TaggedRequest, RequestError>? {
        var start = contentStart(of: bytes), end = bytes.count
        while start < end, ArgumentScanner.isBlank(bytes[end - 1]) { end -= 1 }
        guard start < end else { return nil }

        var tag: String?
        if bytes[start] == 0x40 {
            let word = firstWord(bytes, from: &start, to: end)
            let text = String(decoding: word, as: UTF8.self)
            guard isValidTag(word) else {
                return .failure(RequestError(tag: nil, verb: nil, error: CommandError(
                    .badSyntax, "a tag is @ and 1 to 32 letters, digits, '-', '_' or '.'; got \"\(text)\"")))
            }
            tag = text
        }
        let typed = firstWord(bytes, from: &start, to: end)
        guard !typed.isEmpty else {
            return .failure(RequestError(tag: tag, verb: nil, error: CommandError(.badSyntax, "a tag needs a verb after it")))
        }
        let verb = uppercased(typed)
        guard let spec = VerbCatalog.spec(capitals: verb) else {
            var hint = "type HELP for the list of verbs"
            if let near = VerbCatalog.suggestion(for: verb) { hint = "did you mean \(near)? " + hint }
            return .failure(RequestError(tag: tag, verb: nil, error: CommandError(
                .unknown, fields: [Field("verb", verb)], "unknown verb \(verb); \(hint)")))
        }
        do throws(CommandError) {
            var scanner = ArgumentScanner(bytes: UnsafeBufferPointer(rebasing: bytes[start..<end]))
            let args = try spec.parse(&scanner)
            return .success(TaggedRequest(tag: tag, spec: spec, request: try build(spec.verb, args)))
        } catch {
            return .failure(RequestError(tag: tag, verb: verb, error: error))
        }
    }

    /// The tag a line starts with (`@t7 ...`), read from its first bytes alone: a line
    /// refused before it is read (too long, a control byte) is still answered with its
    /// tag, so a client waiting on the tag hears of it. Nil when the line has no whole,
    /// valid tag followed by a blank.
    public static func leadingTag(of bytes: ArraySlice<UInt8>) -> String? {
        let start = contentStart(of: bytes)
        guard start < bytes.endIndex, bytes[start] == 0x40 else { return nil }
        // The tag and the blank after it: at most 34 bytes.
        let word = Array(bytes[start..<min(bytes.endIndex, start + 34)])
        return word.withUnsafeBufferPointer { buffer -> String? in
            guard let end = buffer.firstIndex(where: ArgumentScanner.isBlank), isValidTag(buffer[0..<end]) else { return nil }
            return String(decoding: buffer[0..<end], as: UTF8.self)
        }
    }

    /// Where a line's content begins: past the byte-order mark some Windows tools put
    /// before the first line (it is not part of it), then past blanks.
    @inline(__always)
    static func contentStart<Bytes: RandomAccessCollection<UInt8>>(of bytes: Bytes) -> Int where Bytes.Index == Int {
        var start = bytes.startIndex
        if bytes.count >= 3, bytes[start] == 0xEF, bytes[start + 1] == 0xBB, bytes[start + 2] == 0xBF { start += 3 }
        while start < bytes.endIndex, ArgumentScanner.isBlank(bytes[start]) { start += 1 }
        return start
    }

    static func isValidTag(_ word: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let body = word.dropFirst()
        guard (1...32).contains(body.count) else { return false }
        return body.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E
        }
    }

    /// The word at `start` (up to a blank or `end`); moves `start` past it and the
    /// blanks after it.
    private static func firstWord(_ bytes: UnsafeBufferPointer<UInt8>, from start: inout Int, to end: Int) -> Slice<UnsafeBufferPointer<UInt8>> {
        var wordEnd = start
        while wordEnd < end, !ArgumentScanner.isBlank(bytes[wordEnd]) { wordEnd += 1 }
        let word = bytes[start..<wordEnd]
        start = wordEnd
        while start < end, ArgumentScanner.isBlank(bytes[start]) { start += 1 }
        return word
    }

    /// The verb as typed, in capitals: ASCII letters directly, anything else the way
    /// `String.uppercased()` does it (an unknown verb is named back as typed).
    private static func uppercased(_ word: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        guard word.allSatisfy({ $0 < 0x80 }) else { return String(decoding: word, as: UTF8.self).uppercased() }
        return String(unsafeUninitializedCapacity: word.count) { out in
            for (i, c) in word.enumerated() { out[i] = c >= 0x61 && c <= 0x7A ? c - 0x20 : c }
            return word.count
        }
    }

    // MARK: - Per-verb construction

    private static func build(_ verb: Verb, _ a: ParsedArguments) throws(CommandError) -> Request {
        switch verb {
        case .help: return .help(topic: a.positional(0)?.uppercased())
        case .ping: return .ping(a.text)
        case .pong: return .pong
        case .quit: return .quit
        case .login: return .login(name: a.positionals[0].lowercased(), token: a.positionals[1])
        case .who: return .who
        case .queue: return .queue
        case .review: return .review
        case .agenda:
            // A word that reads as a day is the day; another is the person.
            var person: String?
            var day: TimeSpec?
            for word in a.positionals {
                if day == nil, let spec = TimeSpec.parse(word) {
                    day = spec
                } else if person == nil, day == nil {
                    person = word.lowercased()
                } else {
                    throw CommandError.invalid(argument: "day", "AGENDA takes a person and a day: AGENDA tess tomorrow; got \"\(word)\"")
                }
            }
            return .agenda(person: person, day: day)
        case .rules: return .rules
        case .export: return .export(try ExportRequest.parse(a.positionals, pairs: a.pairs))
        case .importLeads:
            guard a.positionals[0].lowercased() == "leads" else {
                throw CommandError.invalid(argument: "what", "IMPORT takes leads: IMPORT leads [strict] [system=jobber]")
            }
            let extra = a.positionals.dropFirst().map { $0.lowercased() }
            if let wrong = extra.first(where: { $0 != "strict" }) {
                // Named as any extra word is (`LIST open closed` names `closed`).
                throw CommandError.invalid(argument: wrong, "IMPORT leads takes strict and system=; got \"\(wrong)\"")
            }
            let system = a.pairs["system"]?.lowercased()
            if let system, system.isEmpty || system.count > 32 || !system.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
                throw CommandError.invalid(argument: "system", "system is a short name like jobber or housecall-pro; got \"\(system)\"")
            }
            return .importLeads(strict: extra.contains("strict"), system: system)
        case .report: return .report(try ReportRequest.parse(a.positionals, person: a.pairs["person"]?.lowercased()))
        case .next: return .command(.next)
        case .sweep: return .command(.sweep)
        case .back: return .command(.back)
        case .away: return .command(.away(reason: a.text))
        case .clock: return .clock(advance: try clockAdvance(a))
        case .escalate:
            let id = try leadID(a.positionals[0])
            guard let reason = a.text, !reason.isAllBlanks else {
                throw CommandError.invalid(argument: "reason", "ESCALATE needs the reason: ESCALATE \(id) angry customer, invoice dispute")
            }
            return .command(.escalate(id, reason: reason))
        case .merge:
            // MERGE <duplicate> [into] <lead> [force], read word by word, so that the
            // first word out of place is the one named.
            var words = a.positionals[...]
            let duplicate = try leadID(words.removeFirst())
            if words.first?.lowercased() == "into" { words.removeFirst() }
            guard let targetWord = words.popFirst() else {
                throw CommandError.invalid(argument: "target", "MERGE needs the lead to merge into: MERGE \(duplicate) into 42")
            }
            let target = try leadID(targetWord)
            let force = words.first?.lowercased() == "force"
            if force { words.removeFirst() }
            if let extra = words.first {
                throw CommandError.invalid(argument: extra, "unexpected \"\(extra)\"; usage: MERGE <duplicate> [into] <lead> [force]")
            }
            return .command(.merge(duplicate, into: target, force: force))
        case .ack:
            return .command(.acknowledge(try leadID(a.positionals[0]), note: a.text))
        case .outcome:
            var r = OutcomeRequest(lead: try leadID(a.positionals[0]), result: try OutcomeResult.parse(a.positionals[1]))
            r.followUp = try time(a.pairs["followup"], "followup")
            r.value = try dollars(a.pairs["value"])
            r.note = a.text
            return .command(.outcome(r))
        case .show: return .show(try leadID(a.positionals[0]))
        case .list:
            let filter = try a.positional(0).map { w throws(CommandError) in try LeadFilter.parse(w) } ?? .open
            var limit: Int?
            if let text = a.pairs["limit"] {
                guard let n = Int(text), (1...100_000).contains(n) else {
                    throw CommandError.invalid(argument: "limit", "limit is how many leads to show, 1 to 100000; got \"\(text)\"")
                }
                limit = n
            }
            var after: ListPosition?
            if let text = a.pairs["after"] {
                guard let position = ListPosition(cursor: text) else {
                    throw CommandError.invalid(argument: "after", "after takes the next= of an earlier OK LIST, like 3.1764512345000.42; got \"\(text)\"")
                }
                after = position
            }
            return .list(filter, after: after, limit: limit)
        case .watch: return .watch(try a.positional(0).map { w throws(CommandError) in try WatchMode.parse(w) } ?? .board)
        case .since:
            guard let seq = UInt64(a.positionals[0]) else {
                throw CommandError.invalid(argument: "seq", "SINCE needs an event number like 1040; got \"\(a.positionals[0])\"")
            }
            return .since(seq)
        case .keepalive:
            let value = a.positionals[0].lowercased()
            if value == "off" || value == "0" { return .keepalive(seconds: nil) }
            guard let seconds = Int(value), (1...3600).contains(seconds) else {
                throw CommandError.invalid(argument: "seconds", "KEEPALIVE takes 1 to 3600 seconds, or off; got \"\(value)\"")
            }
            return .keepalive(seconds: seconds)
        case .user: return try buildUser(a)
        case .new: return .command(.newLead(try buildNew(a)))
        case .claim: return .command(.claim(try leadID(a.positionals[0])))
        case .takeover: return .command(.takeover(try leadID(a.positionals[0])))
        case .release: return .command(.release(try leadID(a.positionals[0]), reason: a.text))
        case .note:
            let id = try leadID(a.positionals[0])
            guard let text = a.text, !text.isAllBlanks else {
                throw CommandError.invalid(argument: "text", "NOTE needs some text: NOTE \(id) spoke with homeowner, estimate Wed")
            }
            return .command(.note(id, text: text))
        case .assign:
            let owner: PersonChoice = a.positional(1).map(choice) ?? .keep
            let backup: PersonChoice = a.pairs["backup"].map(choice) ?? .keep
            return .command(.assign(try leadID(a.positionals[0]), owner: owner, backup: backup))
        case .attempt:
            return .command(.attempt(
                try leadID(a.positionals[0]), channel: try AttemptChannel.parse(a.positionals[1]),
                outcome: try AttemptOutcome.parse(a.positionals[2]), next: try time(a.pairs["next"], "next"), note: a.text))
        case .status:
            var r = StatusRequest(lead: try leadID(a.positionals[0]), status: try LeadStatus.parse(a.positionals[1]))
            r.reason = a.pairs["reason"]
            r.next = try time(a.pairs["next"], "next")
            r.appointment = try time(a.pairs["appt"], "appt")
            r.tech = a.pairs["tech"]
            r.value = try dollars(a.pairs["value"])
            r.note = a.text
            return .command(.setStatus(r))
        }
    }

    private static func buildNew(_ a: ParsedArguments) throws(CommandError) -> NewLead {
        var r = NewLead()
        r.kind = try a.pairs["kind"].map { w throws(CommandError) in try LeadKind.parse(w) }
        r.source = try a.pairs["source"].map { w throws(CommandError) in try LeadSource.parse(w) }
        r.urgency = try a.pairs["urgency"].map { w throws(CommandError) in try Urgency.parse(w) }
        r.name = a.pairs["name"]
        r.phone = a.pairs["phone"]
        r.email = a.pairs["email"]
        r.service = a.pairs["service"]
        r.area = a.pairs["area"]
        r.address = a.pairs["address"]
        r.due = try time(a.pairs["due"], "due")
        r.owner = a.pairs["owner"]
        r.backup = a.pairs["backup"]
        r.value = try dollars(a.pairs["value"])
        r.sent = try time(a.pairs["sent"], "sent")
        r.job = try time(a.pairs["job"], "job")
        r.note = a.text
        return r
    }

    private static func dollars(_ text: String?) throws(CommandError) -> Int? {
        guard let text else { return nil }
        let digits = text.hasPrefix("$") ? String(text.dropFirst()) : text
        guard let n = Int(digits.replacingOccurrences(of: ",", with: "")), n >= 0 else {
            throw CommandError.invalid(argument: "value", "value is a whole number of dollars like 4500; got \"\(text)\"")
        }
        return n
    }

    /// `CLOCK` alone reads the clock; `CLOCK ADVANCE 15m` or `CLOCK ADVANCE fri 19:42` moves it.
    private static func clockAdvance(_ a: ParsedArguments) throws(CommandError) -> ClockAdvance? {
        guard let text = a.text?.trimmingBlanks, !text.isEmpty else { return nil }
        let words = text.split(separator: " ", maxSplits: 1).map(String.init)
        guard words[0].uppercased() == "ADVANCE" else {
            throw CommandError.invalid(argument: "action", "CLOCK takes nothing, or ADVANCE <duration|time>; got \"\(words[0])\"")
        }
        guard words.count == 2 else {
            throw CommandError.invalid(argument: "amount", "CLOCK ADVANCE needs a duration like 15m or 2h, or a time like 16:30")
        }
        var amount = words[1].trimmingBlanks
        // A time with a space may be quoted, as in any other argument: "tue 09:05".
        if amount.count >= 2, amount.hasPrefix("\""), amount.hasSuffix("\"") {
            amount = String(amount.dropFirst().dropLast()).trimmingBlanks
        }
        if case .relative(let seconds)? = TimeSpec.parse(amount.hasPrefix("+") ? amount : "+" + amount), seconds > 0 {
            return .by(seconds)
        }
        guard let spec = TimeSpec.parse(amount) else {
            throw CommandError.invalid(argument: "amount", "CLOCK ADVANCE needs a duration like 15m or 2h, or a time like 16:30; got \"\(amount)\"")
        }
        return .to(spec)
    }

    private static func buildUser(_ a: ParsedArguments) throws(CommandError) -> Request {
        let action = a.positionals[0].uppercased()
        guard ["ADD", "TOKEN", "REMOVE"].contains(action) else {
            throw CommandError.invalid(argument: "action", "USER takes ADD, TOKEN or REMOVE (WHO lists everyone); got \"\(a.positionals[0])\"")
        }
        guard let name = a.positional(1) else {
            throw CommandError.invalid(argument: "name", "USER \(action) needs a name: USER \(action) maria")
        }
        switch action {
        case "ADD":
            guard let role = a.pairs["role"] else {
                throw CommandError.invalid(argument: "role", "USER ADD needs role=: USER ADD \(name) role=csr")
            }
            return .addUser(name: name, role: try Role.parse(role))
        case "TOKEN": return .issueToken(name: name)
        case "REMOVE": return .removeUser(name: name)
        default:
            throw CommandError.invalid(argument: "action", "USER takes ADD, TOKEN or REMOVE (WHO lists everyone); got \"\(a.positionals[0])\"")
        }
    }

    private static func choice(_ word: String) -> PersonChoice {
        let name = word.lowercased()
        return Person.nobody.contains(name) ? .nobody : .person(name)
    }

    static func leadID(_ word: String) throws(CommandError) -> LeadID {
        guard let id = Int(word), id > 0, id < 1_000_000_000 else {
            throw CommandError.invalid(argument: "lead", "a lead is a number like 42; got \"\(word)\"")
        }
        return id
    }

    private static func time(_ text: String?, _ argument: String) throws(CommandError) -> TimeSpec? {
        guard let text else { return nil }
        guard let spec = TimeSpec.parse(text) else {
            throw CommandError.invalid(argument: argument, "\(argument) must be \(TimeSpec.help); got \"\(text)\"")
        }
        return spec
    }
}

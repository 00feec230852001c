import Foundation
import LeadlineCore

/// Encodes every line the server sends: `OK`, `ERR`, `EVENT`, data lines, `HELLO`, `BYE`.
///
/// Each function returns one complete line, LF included. An event is encoded once and
/// the same bytes go to every connection that receives it.
public struct WireEncoder: Sendable {
    public let zone: TimeZone

    public init(zone: TimeZone) { self.zone = zone }

    private func line(_ build: (inout LineBuilder) -> Void) -> [UInt8] {
        var b = LineBuilder(zone: zone)
        build(&b)
        b.endLine()
        return b.bytes
    }

    /// `[tag] OK VERB fields [:text]`
    public func ok(tag: String?, verb: String, fields: [Field] = [], text: String? = nil) -> [UInt8] {
        line { b in
            b.tag(tag); b.word("OK"); b.word(verb); b.fields(fields); b.text(text)
        }
    }

    /// `key=value ...` as a line writes them, alone (an export's `fields` column).
    public static func fields(_ fields: [Field], zone: TimeZone) -> [UInt8] {
        var b = LineBuilder(zone: zone)
        b.fields(fields)
        return b.take()
    }

    /// `[tag] ERR CODE fields :message`
    public func error(tag: String?, _ error: CommandError) -> [UInt8] {
        line { b in
            b.tag(tag); b.word("ERR"); b.word(error.code.rawValue); b.fields(error.fields); b.text(error.message)
        }
    }

    /// `[tag] KEYWORD fields [:text]`: a row of a multi-line reply.
    public func data(tag: String?, _ keyword: String, _ fields: [Field] = [], text: String? = nil) -> [UInt8] {
        line { b in
            b.tag(tag); b.word(keyword); b.fields(fields); b.text(text)
        }
    }

    /// `EVENT seq TYPE fields by=... at=... [:text]`
    public func event(_ event: Event) -> [UInt8] {
        line { b in eventBody(&b, keyword: "EVENT", event) }
    }

    /// `[tag] HISTORY seq TYPE fields by=... at=... [:text]`: an event in `SHOW`.
    public func history(tag: String?, _ event: Event) -> [UInt8] {
        line { b in
            b.tag(tag)
            eventBody(&b, keyword: "HISTORY", event)
        }
    }

    private func eventBody(_ b: inout LineBuilder, keyword: String, _ event: Event) {
        let record = event.record
        b.word(keyword)
        b.word(String(event.seq))
        b.word(record.type)
        b.fields(record.fields)
        if let by = event.by { b.field(Field("by", by)) }
        b.field(Field("at", event.at))
        b.text(record.text)
    }

    /// `[tag] LEAD id fields`: one lead in `LIST` and `SHOW` (and `extra` fields a
    /// reply adds, such as `REVIEW`'s `missing=`).
    public func lead(tag: String?, _ lead: Lead, extra: [Field] = []) -> [UInt8] {
        var out: [UInt8] = []
        appendLead(tag: tag, lead, extra: extra, to: &out)
        return out
    }

    /// ``lead(tag:_:extra:)`` written at the end of `out`: a long list renders into one
    /// buffer, with no array per row.
    public func appendLead(tag: String?, _ lead: Lead, extra: [Field] = [], to out: inout [UInt8]) {
        var b = LineBuilder(zone: zone, continuing: out)
        out = []  // the builder is now the buffer's only owner, and appends in place
        b.tag(tag)
        b.word("LEAD")
        b.word(String(lead.id))
        b.fields(Self.leadFields(lead))
        b.fields(extra)
        b.endLine()
        out = b.take()
    }

    /// The fields of a `LEAD` line, in reading order.
    public static func leadFields(_ lead: Lead) -> [Field] {
        var f: [Field] = []
        f.reserveCapacity(20)
        f += [
            Field("status", lead.status.rawValue), Field("kind", lead.kind.rawValue),
            Field("urgency", lead.urgency.rawValue),
            Field.person("owner", lead.owner), Field.person("backup", lead.backup), Field.time("due", lead.due),
        ]
        if let v = lead.name { f.append(Field("name", v)) }
        if let v = lead.phone { f.append(Field("phone", v)) }
        if let v = lead.service { f.append(Field("service", v)) }
        if let v = lead.area { f.append(Field("area", v)) }
        if let v = lead.address { f.append(Field("address", v)) }
        f.append(Field("source", lead.source.rawValue))
        if let v = lead.email { f.append(Field("email", v)) }
        f.append(Field("created", lead.createdAt))
        if let appt = lead.appointment {
            f.append(Field("appt", appt.at))
            if let tech = appt.tech { f.append(Field("tech", tech)) }
        }
        f.append(Field("attempts", lead.attempts.count))
        if let action = lead.nextAction, lead.due != nil { f.append(Field("action", action)) }
        if let late = lead.late { f.append(Field("late", late)) }
        if let value = lead.value { f.append(Field("value", value)) }
        if lead.ackOwed { f.append(Field("ack", "owed")) }
        if let job = lead.jobLead { f.append(Field("job-lead", job)) }
        if let call = lead.postJobLead { f.append(Field("post-job", call)) }
        return f
    }

    /// The greeting: `HELLO leadline version=... proto=1 epoch=... max-line=... :hint`.
    public func hello(name: String, version: String, epoch: String, maxLine: Int) -> [UInt8] {
        line { b in
            b.word("HELLO"); b.word(name)
            b.fields([Field("version", version), Field("proto", 1), Field("epoch", epoch), Field("max-line", maxLine)])
            b.text("Leadline callback server. Type HELP to see what you can do, LOGIN <name> <token> to start.")
        }
    }

    /// `BYE [CODE] :reason`, the last line before the server closes.
    public func bye(_ code: String?, _ reason: String) -> [UInt8] {
        line { b in
            b.word("BYE")
            if let code { b.word(code) }
            b.text(reason)
        }
    }

    /// `PING n`: a keepalive the client may answer with `PONG n`.
    public func ping(_ n: UInt64) -> [UInt8] {
        line { b in b.word("PING"); b.word(String(n)) }
    }
}

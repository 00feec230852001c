import Foundation
import LeadlineCore

/// Encodes every line the server sends: `OK`, `ERR`, `EVENT`, data lines, `HELLO`, `BYE`.
///
/// Each function returns one complete line, LF included. An event is encoded once and
/// the same bytes go to every connection that receives it.
public struct WireEncoder: Sendable {
    /// The shop's zone, with its offsets tabled once (see ``ZoneOffsets``).
    public let offsets: ZoneOffsets
    public var zone: TimeZone { offsets.zone }

    public init(zone: TimeZone) { offsets = .of(zone) }

    private func line(_ build: (inout LineBuilder) -> Void) -> [UInt8] {
        var b = LineBuilder(offsets: offsets)
        build(&b)
        b.endLine()
        return b.take()
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

    /// `line`, made with no tag, as it reads with `tag` in front (the tag is the line's
    /// first word): how a kept untagged line serves any request.
    public func appendTagged(_ tag: String?, _ line: [UInt8], to out: inout [UInt8]) {
        if let tag {
            out += tag.utf8
            out.append(0x20)
        }
        out += line
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
        withUnsafePointer(to: lead) { self.lead(tag: tag, $0, extra: extra) }
    }

    /// ``lead(tag:_:extra:)`` for the lead at `lead` (where a ``LeadTable`` holds it).
    public func lead(tag: String?, _ lead: UnsafePointer<Lead>, extra: [Field] = []) -> [UInt8] {
        var b = LineBuilder(offsets: offsets, capacity: 256)
        appendLead(tag: tag, lead, extra: extra, to: &b)
        return b.take()
    }

    /// ``lead(tag:_:extra:)`` written by `b`: a long list renders into one buffer, with
    /// no array per row.
    public func appendLead(tag: String?, _ lead: Lead, extra: [Field] = [], to b: inout LineBuilder) {
        withUnsafePointer(to: lead) { appendLead(tag: tag, $0, extra: extra, to: &b) }
    }

    /// ``appendLead(tag:_:extra:to:)`` for the lead at `lead` (where a ``LeadTable``
    /// holds it: see ``LeadTable/withLead(_:_:)``).
    public func appendLead(tag: String?, _ lead: UnsafePointer<Lead>, extra: [Field] = [], to b: inout LineBuilder) {
        b.tag(tag)
        b.word("LEAD")
        b.word(number: lead.pointee.id)
        Self.writeLeadFields(lead, to: &b)
        b.fields(extra)
        b.endLine()
    }

    /// The fields of a `LEAD` line, in reading order, written straight into the line.
    static func writeLeadFields(_ lead: UnsafePointer<Lead>, to b: inout LineBuilder) {
        b.field("status", word: lead.pointee.status.rawValue)
        b.field("kind", word: lead.pointee.kind.rawValue)
        b.field("urgency", word: lead.pointee.urgency.rawValue)
        b.field("owner", text: lead.pointee.owner ?? "none")
        b.field("backup", text: lead.pointee.backup ?? "none")
        b.field("due", time: lead.pointee.due)
        if let v = lead.pointee.name { b.field("name", text: v) }
        if let v = lead.pointee.phone { b.field("phone", text: v) }
        if let v = lead.pointee.service { b.field("service", text: v) }
        if let v = lead.pointee.area { b.field("area", text: v) }
        if let v = lead.pointee.address { b.field("address", text: v) }
        b.field("source", word: lead.pointee.source.rawValue)
        if let v = lead.pointee.email { b.field("email", text: v) }
        b.field("created", time: lead.pointee.createdAt)
        // A visit still to be reported on; one that is over (its lead completed, or
        // reopened since) is history, read with SHOW.
        if lead.pointee.hasPendingVisit, let appt = lead.pointee.appointment {
            b.field("appt", time: appt.at)
            if let tech = appt.tech { b.field("tech", text: tech) }
        }
        b.field("attempts", number: lead.pointee.attempts.count)
        if let action = lead.pointee.nextAction, lead.pointee.due != nil { b.field("action", text: action) }
        if let late = lead.pointee.late { b.field("late", time: late) }
        if let value = lead.pointee.value { b.field("value", number: value) }
        if lead.pointee.ackOwed { b.field("ack", word: "owed") }
        if let job = lead.pointee.jobLead { b.field("job-lead", number: job) }
        if let call = lead.pointee.postJobLead { b.field("post-job", number: call) }
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

import Foundation
import LeadlineCore

/// The journal's line format: one flat JSON object per event.
///
/// `{"seq":7,"at":"2026-11-23T14:05:00.000Z","type":"CLAIMED","by":"ana","lead":1,"owner":"ana"}`
/// — the event's number, UTC time, type and author, then the same keys the wire
/// uses, then `text`, and for a tagged change its `tag` and `reply`. The first line of
/// every journal is a header, `{"seq":0,...,"type":"JOURNAL","version":1,"epoch":"..."}`.
public enum JournalCodec {
    public static let version = 1
    static let reserved: Set<String> = ["seq", "at", "type", "by", "text", "tag", "reply"]

    /// One event as a JSON line, LF included.
    public static func encode(_ event: Event) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(192)
        let record = event.record
        FlatJSON.appendKey("seq", to: &out, first: true)
        out.append(contentsOf: String(event.seq).utf8)
        FlatJSON.appendKey("at", to: &out, first: false)
        FlatJSON.appendString(Timestamp.utc(event.at), to: &out)
        FlatJSON.appendKey("type", to: &out, first: false)
        FlatJSON.appendString(record.type, to: &out)
        if let by = event.by {
            FlatJSON.appendKey("by", to: &out, first: false)
            FlatJSON.appendString(by, to: &out)
        }
        for field in record.fields {
            FlatJSON.appendKey(field.key, to: &out, first: false)
            switch field.value {
            case .text(let s): FlatJSON.appendString(s, to: &out)
            case .number(let n): out.append(contentsOf: String(n).utf8)
            case .time(let d): FlatJSON.appendString(Timestamp.utc(d), to: &out)
            }
        }
        for (key, value) in [("text", record.text), ("tag", event.tag), ("reply", event.reply)] {
            if let value {
                FlatJSON.appendKey(key, to: &out, first: false)
                FlatJSON.appendString(value, to: &out)
            }
        }
        out.append(0x7D)
        out.append(0x0A)
        return out
    }

    /// The header line that starts a journal.
    public static func encodeHeader(_ header: JournalHeader) -> [UInt8] {
        var out: [UInt8] = []
        FlatJSON.appendKey("seq", to: &out, first: true)
        out.append(0x30)
        FlatJSON.appendKey("at", to: &out, first: false)
        FlatJSON.appendString(Timestamp.utc(header.created), to: &out)
        FlatJSON.appendKey("type", to: &out, first: false)
        FlatJSON.appendString("JOURNAL", to: &out)
        FlatJSON.appendKey("version", to: &out, first: false)
        out.append(contentsOf: String(version).utf8)
        FlatJSON.appendKey("epoch", to: &out, first: false)
        FlatJSON.appendString(header.epoch, to: &out)
        out.append(0x7D)
        out.append(0x0A)
        return out
    }

    /// What a line holds: the header or an event.
    public enum Line: Sendable, Equatable {
        case header(JournalHeader)
        case event(Event)
    }

    /// Reads one line (without its LF).
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(RecordError) -> Line {
        let pairs: [(String, JSONScalar)]
        do {
            pairs = try FlatJSON.parse(bytes)
        } catch {
            throw RecordError("not a JSON object: \(error.description)")
        }
        var seq: Int?
        var at: Date?
        var type: String?
        var by: String?
        var text: String?
        var tag: String?
        var reply: String?
        var epoch: String?
        var fields: [Field] = []
        for (key, value) in pairs {
            switch (key, value) {
            case ("seq", .number(let n)): seq = n
            case ("at", .string(let s)): at = Timestamp.parse(s)
            case ("type", .string(let s)): type = s
            case ("by", .string(let s)): by = s
            case ("text", .string(let s)): text = s
            case ("tag", .string(let s)): tag = s
            case ("reply", .string(let s)): reply = s
            case ("epoch", .string(let s)): epoch = s
            case (let k, _) where reserved.contains(k):
                throw RecordError("\(k) has the wrong type")
            case (let k, .string(let s)): fields.append(Field(k, s))
            case (let k, .number(let n)): fields.append(Field(k, n))
            }
        }
        guard let seq, seq >= 0 else { throw RecordError("no seq") }
        guard let at else { throw RecordError("no valid at") }
        guard let type else { throw RecordError("no type") }
        if type == "JOURNAL" {
            guard seq == 0, let epoch else { throw RecordError("a JOURNAL header needs seq 0 and an epoch") }
            return .header(JournalHeader(epoch: epoch, created: at))
        }
        let change = try Change(record: EventRecord(type: type, fields: fields, text: text))
        return .event(Event(seq: UInt64(seq), at: at, by: by, change: change, tag: tag, reply: reply))
    }
}

/// The first line of a journal: when it was started and its epoch.
///
/// The epoch changes only when a journal is started afresh, so a client can tell that
/// sequence numbers it remembers no longer apply.
public struct JournalHeader: Sendable, Equatable {
    public let epoch: String
    public let created: Date

    public init(epoch: String, created: Date) {
        self.epoch = epoch
        self.created = created
    }

    /// A new header with a random 12-hex-digit epoch.
    public static func fresh(at date: Date) -> JournalHeader {
        var rng = SystemRandomNumberGenerator()
        let n = rng.next() & 0xFFFF_FFFF_FFFF
        let hex = String(n, radix: 16)
        return JournalHeader(epoch: String(repeating: "0", count: 12 - hex.count) + hex, created: Timestamp.truncatedToMillis(date))
    }
}

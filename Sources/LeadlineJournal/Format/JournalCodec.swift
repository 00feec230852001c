import Foundation
import LeadlineCore

/// The journal's line format: one flat JSON object per event, ending in its checksum.
///
/// `{"seq":7,"at":"2026-11-23T14:05:00.000Z","type":"CLAIMED","by":"ana","lead":1,"owner":"ana","crc":"5e1f03aa"}`
/// — the event's number, UTC time, type and author, then the same keys the wire
/// uses, then `text`, and for a tagged change its `tag` and `reply`; last, `crc`: the
/// CRC-32 of the line's bytes before `,"crc":`. The first line of every journal is a
/// header, `{"seq":0,...,"type":"JOURNAL","version":2,"epoch":"...","crc":"..."}`.
///
/// Format versions: 1 wrote no checksums; 2 writes one on every line. A line without
/// one (format 1, or written by another tool) still reads; a line with one is verified.
public enum JournalCodec {
    /// The version this build writes.
    public static let version = 2
    /// The versions this build reads.
    public static let readableVersions = 1...2
    /// Keys of the line itself, never a change's field (a switch, not a set: no hashing
    /// per key read).
    static func isReserved(_ key: String) -> Bool {
        switch key {
        case "seq", "at", "type", "by", "text", "tag", "reply", "clock", "crc": true
        default: false
        }
    }
    /// `,"crc":"` — what precedes the eight hex digits and the closing `"}`.
    static let checksumKey = Array(#","crc":""#.utf8)
    /// The bytes a checksum adds at the end of a line: `,"crc":"` + 8 digits + `"}`.
    static let checksumSuffixLength = checksumKey.count + 8 + 2

    /// One event as a JSON line, LF included.
    public static func encode(_ event: Event) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(224)
        encode(event, into: &out)
        return out
    }

    /// ``encode(_:)`` appended to `out` (the journal writer's batch: no array of its own).
    public static func encode(_ event: Event, into out: inout [UInt8]) {
        let start = out.count
        let record = event.record
        FlatJSON.appendKey("seq", to: &out, first: true)
        FlatJSON.appendNumber(Int(event.seq), to: &out)
        FlatJSON.appendKey("at", to: &out, first: false)
        FlatJSON.appendTime(event.at, to: &out)
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
            case .number(let n): FlatJSON.appendNumber(n, to: &out)
            case .time(let d): FlatJSON.appendTime(d, to: &out)
            }
        }
        func appendOptional(_ key: String, _ value: String?) {
            guard let value else { return }
            FlatJSON.appendKey(key, to: &out, first: false)
            FlatJSON.appendString(value, to: &out)
        }
        appendOptional("text", record.text)
        appendOptional("tag", event.tag)
        appendOptional("reply", event.reply)
        appendOptional("clock", event.simulated ? "sim" : nil)
        sealLine(&out, from: start)
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
        out.append(contentsOf: String(header.version).utf8)
        FlatJSON.appendKey("epoch", to: &out, first: false)
        FlatJSON.appendString(header.epoch, to: &out)
        if header.version >= 2 {
            sealLine(&out)
        } else {
            out.append(0x7D)
            out.append(0x0A)
        }
        return out
    }

    /// Ends an object whose last value has been written: its checksum (of the line,
    /// which starts at `start`), `}` and LF.
    static func sealLine(_ out: inout [UInt8], from start: Int = 0) {
        let crc = Checksum.crc32(out[start...])
        out.append(contentsOf: checksumKey)
        Checksum.appendHex(crc, to: &out)
        out.append(0x22)
        out.append(0x7D)
        out.append(0x0A)
    }

    /// What a line holds: the header or an event.
    public enum Line: Sendable, Equatable {
        case header(JournalHeader)
        case event(Event)
    }

    /// A decoded line, and whether it carried a checksum (verified, since it decoded).
    public struct Decoded: Sendable, Equatable {
        public let line: Line
        public let checksummed: Bool

        public init(line: Line, checksummed: Bool) {
            self.line = line
            self.checksummed = checksummed
        }
    }

    /// Reads one line (without its LF), verifying its checksum when it has one.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(RecordError) -> Decoded {
        let checksummed = try verifyChecksum(bytes)
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
        var version: Int?
        var simulated = false
        var fields: [Field] = []
        for (index, (key, value)) in pairs.enumerated() {
            switch (key, value) {
            case ("seq", .number(let n)): seq = n
            case ("at", .string(let s)): at = Timestamp.parse(s)
            case ("type", .string(let s)): type = s
            case ("by", .string(let s)): by = s
            case ("text", .string(let s)): text = s
            case ("tag", .string(let s)): tag = s
            case ("reply", .string(let s)): reply = s
            case ("clock", .string(let s)):
                guard s == "sim" else { throw RecordError("clock=\(s) is not a clock this journal knows") }
                simulated = true
            case ("crc", .string):
                guard checksummed, index == pairs.count - 1 else { throw RecordError("crc must be the line's last key") }
            case (let k, _) where isReserved(k):
                throw RecordError("\(k) has the wrong type")
            case (let k, .string(let s)): fields.append(Field(k, s))
            case (let k, .number(let n)): fields.append(Field(k, n))
            }
        }
        guard let seq, seq >= 0 else { throw RecordError("no seq") }
        guard let at else { throw RecordError("no valid at") }
        guard let type else { throw RecordError("no type") }
        if type == "JOURNAL" {
            for field in fields {
                switch (field.key, field.value) {
                case ("epoch", .text(let s)): epoch = s
                case ("version", .number(let n)): version = n
                default: break
                }
            }
            guard seq == 0, let epoch, let version else { throw RecordError("a JOURNAL header needs seq 0, a version and an epoch") }
            return Decoded(line: .header(JournalHeader(epoch: epoch, created: at, version: version)), checksummed: checksummed)
        }
        let change = try Change(record: EventRecord(type: type, fields: fields, text: text))
        return Decoded(line: .event(Event(seq: UInt64(seq), at: at, by: by, change: change, tag: tag, reply: reply,
                                          simulated: simulated)),
                       checksummed: checksummed)
    }

    /// Whether the line ends in a checksum; throws when it does and the checksum does
    /// not match the bytes before it.
    public static func verifyChecksum(_ bytes: ArraySlice<UInt8>) throws(RecordError) -> Bool {
        let n = checksumSuffixLength
        guard bytes.count > n, bytes[bytes.endIndex - 1] == 0x7D, bytes[bytes.endIndex - 2] == 0x22 else { return false }
        let keyStart = bytes.endIndex - n
        guard bytes[keyStart..<keyStart + checksumKey.count].elementsEqual(checksumKey) else { return false }
        let digits = bytes[(keyStart + checksumKey.count)..<(bytes.endIndex - 2)]
        guard let stored = Checksum.parseHex(digits) else { throw RecordError("crc is not eight hex digits") }
        let actual = Checksum.crc32(bytes[bytes.startIndex..<keyStart])
        guard stored == actual else {
            throw RecordError("its checksum does not match: the line was changed after it was written")
        }
        return true
    }
}

/// The first line of a journal: when it was started and its epoch.
///
/// The epoch changes only when a journal is started afresh, so a client can tell that
/// sequence numbers it remembers no longer apply.
public struct JournalHeader: Sendable, Equatable {
    public let epoch: String
    public let created: Date
    /// The format version the journal was started with (see ``JournalCodec``).
    public let version: Int

    public init(epoch: String, created: Date, version: Int = JournalCodec.version) {
        self.epoch = epoch
        self.created = created
        self.version = version
    }

    /// A new header with a random 12-hex-digit epoch.
    public static func fresh(at date: Date) -> JournalHeader {
        var rng = SystemRandomNumberGenerator()
        let n = rng.next() & 0xFFFF_FFFF_FFFF
        let hex = String(n, radix: 16)
        return JournalHeader(epoch: String(repeating: "0", count: 12 - hex.count) + hex, created: Timestamp.truncatedToMillis(date))
    }
}

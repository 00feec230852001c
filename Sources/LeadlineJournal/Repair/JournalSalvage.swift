import Foundation
import LeadlineCore

/// One problem found in a journal: a line that cannot stand (it does not read, its
/// checksum fails, it repeats or does not fit the events before it), or a run of
/// events missing between two lines.
public struct JournalFinding: Sendable, Equatable {
    /// The line (from 1) and its byte offset; nil for missing events, which have no line.
    public let line: Int?
    public let offset: Int?
    public let problem: String
    /// What the damaged line held, as far as it can be read, for a person.
    public let content: String?
    /// The line's bytes, as they were.
    public let original: [UInt8]
    /// Where in the journal the finding belongs, for listing them in order (missing
    /// events just before the line that follows them).
    let position: Int

    init(line: Int?, offset: Int?, problem: String, content: String?, original: [UInt8], before nextLine: Int? = nil) {
        self.line = line
        self.offset = offset
        self.problem = problem
        self.content = content
        self.original = original
        position = line.map { $0 * 2 } ?? nextLine.map { $0 * 2 - 1 } ?? 0
    }

    /// `line 57 (byte 10234): ...`
    public var summary: String {
        guard let line, let offset else { return problem }
        return "line \(line) (byte \(offset)): \(problem)"
    }
}

/// What salvaging a journal found: its header, how many events stand, and every problem.
public struct SalvageReport: Sendable, Equatable {
    public var header: JournalHeader?
    public var lines = 0
    /// Events that read and apply in order.
    public var events = 0
    public var lastSeq: UInt64 = 0
    public var findings: [JournalFinding] = []
    /// An incomplete last line, if any (never acknowledged: a write cut short).
    public var tail: [UInt8] = []
    /// A format version this build cannot read, found in the header: nothing else is checked.
    public var unsupported: JournalError?
    /// Lines that carry no checksum (format 1, or written by another tool): read as they are.
    public var unchecked = 0
    /// The people the salvaged journal knows (to warn when no owner is left).
    public var people: [String: Person] = [:]

    public var isClean: Bool { findings.isEmpty && tail.isEmpty && unsupported == nil }
}

/// Walks a journal keeping every line that stands and setting aside every one that
/// does not, so that what is left replays: the engine of `leadlined check` (which only
/// reports) and `leadlined repair` (which also writes the result).
///
/// A line that does not read, fails its checksum or does not apply is set aside, and a
/// `VOID` event takes its sequence number, so numbers stay whole for clients that
/// remember them; later events that depended on it are set aside the same way. A line
/// that repeats an earlier sequence number is set aside without a stand-in. Events
/// missing between two lines (lines lost) get one `VOID` for the run. Lines written
/// without a checksum (journal format 1) are given one.
public struct JournalSalvage {
    /// What the salvaged journal holds, in order.
    public enum Output {
        /// A line that stands, with its checksum, LF included.
        case line([UInt8])
        /// A stand-in for events that were set aside or lost.
        case void(Event)
    }

    /// Salvages the journal at `path`, handing each line of the result to `sink`.
    public static func run(path: String, now: Date, sink: (Output) -> Void = { _ in }) throws(JournalError) -> SalvageReport {
        var salvage = JournalSalvage(path: path, now: now)
        let end: ScanEnd?
        do {
            end = try JournalLineScanner.scan(path: path) { (line) throws(JournalError) in try salvage.take(line, sink) }
        } catch {
            guard case .unsupportedVersion = error else { throw error }
            salvage.report.unsupported = error
            return salvage.report
        }
        while !salvage.held.isEmpty { salvage.fillGap(sink) }
        if salvage.reader.header == nil, salvage.report.lines > 0 {
            salvage.report.findings.append(JournalFinding(
                line: nil, offset: nil, problem: "the journal has no readable header", content: nil, original: []))
        }
        salvage.report.findings.sort { $0.position < $1.position }
        salvage.report.tail = end?.tail ?? []
        salvage.report.unchecked = salvage.reader.unchecked
        salvage.report.lastSeq = salvage.board.lastSeq
        salvage.report.people = salvage.board.people
        return salvage.report
    }

    /// An event read ahead of its turn (lines out of order), kept until its turn comes.
    private struct Held {
        let event: Event
        let bytes: [UInt8]
        let line: Int
        let offset: Int
    }

    /// How many events may wait for an earlier one before the gap is called missing.
    private static let window = 64

    private var report = SalvageReport()
    private var reader: JournalLineReader
    private var board = Board()
    private var held: [UInt64: Held] = [:]
    private let stamp: Date

    private init(path: String, now: Date) {
        reader = JournalLineReader(path: path)
        stamp = Timestamp.truncatedToMillis(now)
    }

    private mutating func take(_ line: RawLine, _ sink: (Output) -> Void) throws(JournalError) {
        report.lines += 1
        let event: Event?
        do throws(JournalError) {
            event = try readOrSupplyHeader(line, sink)
        } catch {
            if case .unsupportedVersion = error { throw error }
            guard case .damaged(_, _, let reason) = error else { throw error }
            setAside(line, reason)
            if let seq = Self.readableSeq(line.bytes), seq == board.lastSeq + 1, reader.header != nil {
                standIn(from: seq, through: seq, "set aside by leadlined repair: line \(line.number) was damaged", sink)
                drain(sink, outOfOrder: false)
            }
            if line.number == 1, reader.header == nil {
                // The header itself is damaged: keep its epoch if it still shows, so
                // clients' sequence numbers stay valid, and write a sound one.
                let header = Self.salvagedHeader(line.bytes, now: stamp)
                reader.adopt(header)
                report.header = header
                sink(.line(JournalCodec.encodeHeader(header)))
            }
            return
        }
        guard let event else {
            report.header = reader.header
            sink(.line(Self.reseal(line.bytes)))
            return
        }
        let expected = board.lastSeq + 1
        if event.seq < expected || held[event.seq] != nil {
            setAside(line, "it repeats event \(event.seq), which an earlier line already holds")
            return
        }
        let item = Held(event: event, bytes: Array(line.bytes), line: line.number, offset: line.offset)
        if event.seq > expected {
            // Perhaps lines out of order: wait a little for the missing ones.
            held[event.seq] = item
            if held.count > Self.window { fillGap(sink) }
            return
        }
        place(item, sink)
        drain(sink)
    }

    /// Reads a line; a journal whose header was lost gets a new one before its first event.
    private mutating func readOrSupplyHeader(_ line: RawLine, _ sink: (Output) -> Void) throws(JournalError) -> Event? {
        do throws(JournalError) {
            return try reader.read(line)
        } catch {
            guard reader.header == nil, case .event? = try? JournalCodec.decode(line.bytes).line else { throw error }
            let header = JournalHeader.fresh(at: stamp)
            reader.adopt(header)
            report.header = header
            sink(.line(JournalCodec.encodeHeader(header)))
            report.findings.append(JournalFinding(
                line: nil, offset: nil,
                problem: "the journal has no header: a new one is written, with a new epoch \(header.epoch) (clients resynchronise)",
                content: nil, original: []))
            return try reader.read(line)
        }
    }

    /// Applies an event in its turn and keeps its line; one that does not fit is set aside.
    private mutating func place(_ item: Held, _ sink: (Output) -> Void) {
        do throws(RecordError) {
            try board.apply(item.event)
            report.events += 1
            sink(.line(Self.reseal(item.bytes[...])))
        } catch {
            report.findings.append(JournalFinding(
                line: item.line, offset: item.offset, problem: "it does not fit the events before it: \(error.description)",
                content: Self.describe(item.bytes[...]), original: item.bytes))
            standIn(from: item.event.seq, through: item.event.seq,
                    "set aside by leadlined repair: line \(item.line) did not fit", sink)
        }
    }

    /// Places the events that waited for their turn, now that it has come: after a late
    /// line filled the gap, they were out of order (`outOfOrder`); after a stand-in
    /// for lost lines, they simply follow it.
    private mutating func drain(_ sink: (Output) -> Void, outOfOrder: Bool = true) {
        while let item = held.removeValue(forKey: board.lastSeq + 1) {
            if outOfOrder {
                report.findings.append(JournalFinding(
                    line: item.line, offset: item.offset,
                    problem: "it holds event \(item.event.seq), which belongs after the lines that follow it; the repaired journal puts it in its place",
                    content: nil, original: []))
            }
            place(item, sink)
        }
    }

    /// The events before the first one waiting are missing: a stand-in for them, then the rest.
    private mutating func fillGap(_ sink: (Output) -> Void) {
        guard let next = held.keys.min() else { return }
        let expected = board.lastSeq + 1
        let missing = next == expected + 1 ? "event \(expected) is missing" : "events \(expected) to \(next - 1) are missing"
        report.findings.append(JournalFinding(
            line: nil, offset: nil, problem: "\(missing) (line \(held[next]!.line) holds event \(next))", content: nil, original: [],
            before: held[next]!.line))
        standIn(from: expected, through: next - 1, "missing from the journal when leadlined repair ran", sink)
        if let item = held.removeValue(forKey: next) { place(item, sink) }
        drain(sink, outOfOrder: false)
    }

    private mutating func setAside(_ line: RawLine, _ problem: String) {
        report.findings.append(JournalFinding(
            line: line.number, offset: line.offset, problem: problem, content: Self.describe(line.bytes), original: Array(line.bytes)))
    }

    private mutating func standIn(from first: UInt64, through last: UInt64, _ reason: String, _ sink: (Output) -> Void) {
        guard first <= last else { return }
        let void = Event(seq: first, at: stamp, by: nil, change: .voided(through: last, reason: reason))
        try? board.apply(void)
        sink(.void(void))
    }

    /// The sequence number of a damaged line, when it still reads as JSON.
    private static func readableSeq(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        guard let pairs = try? FlatJSON.parse(bytes) else { return nil }
        for (key, value) in pairs where key == "seq" {
            if case .number(let n) = value, n > 0 { return UInt64(n) }
        }
        return nil
    }

    /// A sound header in place of a damaged first line, keeping its epoch and time
    /// when they still read.
    private static func salvagedHeader(_ bytes: ArraySlice<UInt8>, now: Date) -> JournalHeader {
        var epoch: String?
        var created: Date?
        for (key, value) in (try? FlatJSON.parse(bytes)) ?? [] {
            if key == "epoch", case .string(let s) = value { epoch = s }
            if key == "at", case .string(let s) = value { created = Timestamp.parse(s) }
        }
        return JournalHeader(epoch: epoch ?? JournalHeader.fresh(at: now).epoch, created: created ?? now)
    }

    /// A line with its checksum: as it was if it has one, else sealed now.
    static func reseal(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        if (try? JournalCodec.verifyChecksum(bytes)) == true { return Array(bytes) + [0x0A] }
        var out = Array(bytes)
        while let last = out.last, last == 0x20 || last == 0x09 || last == 0x0D { out.removeLast() }
        out.removeLast()  // the closing brace (the line decoded, so it is there)
        JournalCodec.sealLine(&out)
        return out
    }

    /// What a line held, as far as it reads: `NOTED lead=3 by=ana at=... :spoke with homeowner`.
    public static func describe(_ bytes: ArraySlice<UInt8>) -> String? {
        guard let pairs = try? FlatJSON.parse(bytes) else {
            let text = String(decoding: bytes.prefix(200), as: UTF8.self)
            return text.isEmpty ? nil : "unreadable: " + text + (bytes.count > 200 ? "…" : "")
        }
        var type = "?"
        var words: [String] = []
        var text: String?
        for (key, value) in pairs {
            let shown: String
            switch value {
            case .string(let s): shown = s.contains(" ") ? "\"\(s)\"" : s
            case .number(let n): shown = String(n)
            }
            switch key {
            case "type": type = shown
            case "text": text = shown
            case "crc", "reply", "hash": continue
            default: words.append("\(key)=\(shown)")
            }
        }
        return ([type] + words).joined(separator: " ") + (text.map { " :" + $0 } ?? "")
    }
}

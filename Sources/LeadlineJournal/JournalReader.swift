import Foundation
import Glibc
import LeadlineCore

/// What start-up found in the journal.
public struct ReplayReport: Sendable, Equatable {
    public let header: JournalHeader
    /// Events replayed.
    public let events: Int
    /// Bytes of an incomplete last line that were cut off (a torn write), if any.
    public let cutBytes: Int
    /// Whether the journal was created just now.
    public let created: Bool
}

/// Rebuilds state from the journal on start-up.
///
/// Every complete line must read and apply in order; a damaged one stops start-up
/// with its line number and leaves the file untouched. An incomplete last line is
/// the trace of a write cut short by a crash: nothing in it was ever acknowledged,
/// so it is cut off (and reported) before the server appends again.
public enum JournalReader {
    ///
    /// - Parameter readOnly: read without creating the journal or cutting a torn tail
    ///   (for tools that read while a server may be writing).
    public static func replay(
        path: String, into board: inout Board, now: Date, readOnly: Bool = false, onEvent: (Event) -> Void = { _ in }
    ) throws(JournalError) -> ReplayReport {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            guard errno == ENOENT, !readOnly else { throw JournalError.io("cannot open \(path): \(errnoText())") }
            return try create(path: path, now: now)
        }
        defer { close(fd) }

        var header: JournalHeader?
        var events = 0
        var lineNumber = 0
        var consumed = 0          // bytes of complete lines handled so far
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError.io("cannot read \(path): \(errnoText())")
            }
            if n == 0 { break }
            buffer.append(contentsOf: chunk[0..<n])
            var start = 0
            while let lf = buffer[start...].firstIndex(of: 0x0A) {
                lineNumber += 1
                let line = buffer[start..<lf]
                let decoded: JournalCodec.Line
                do {
                    decoded = try JournalCodec.decode(line)
                } catch {
                    throw JournalError.damaged(path: path, line: lineNumber, reason: error.description)
                }
                switch decoded {
                case .header(let h):
                    guard header == nil else {
                        throw JournalError.damaged(path: path, line: lineNumber, reason: "a second JOURNAL header")
                    }
                    header = h
                case .event(let event):
                    guard header != nil else {
                        throw JournalError.damaged(path: path, line: lineNumber, reason: "events before the JOURNAL header")
                    }
                    do {
                        try board.apply(event)
                    } catch {
                        throw JournalError.damaged(path: path, line: lineNumber, reason: error.description)
                    }
                    onEvent(event)
                    events += 1
                }
                consumed += lf - start + 1
                start = lf + 1
            }
            buffer.removeSubrange(0..<start)
        }
        let cut = buffer.count
        if readOnly {
            guard let header else { throw JournalError.io("\(path) holds no journal yet") }
            return ReplayReport(header: header, events: events, cutBytes: 0, created: false)
        }
        if cut > 0 { try truncate(path: path, to: consumed) }
        guard let header else {
            // Empty, or only a torn header: nothing was ever acknowledged; start afresh.
            return try create(path: path, now: now, replacingEmpty: true)
        }
        return ReplayReport(header: header, events: events, cutBytes: cut, created: false)
    }

    private static func create(path: String, now: Date, replacingEmpty: Bool = false) throws(JournalError) -> ReplayReport {
        let header = JournalHeader.fresh(at: now)
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (replacingEmpty ? O_TRUNC : O_EXCL)
        let fd = open(path, flags, 0o600)
        guard fd >= 0 else { throw JournalError.io("cannot create \(path): \(errnoText())") }
        defer { close(fd) }
        let bytes = JournalCodec.encodeHeader(header)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw JournalError.io("cannot write \(path): \(errnoText())")
        }
        DataDirectory.syncDirectory(of: path)
        return ReplayReport(header: header, events: 0, cutBytes: 0, created: true)
    }

    private static func truncate(path: String, to length: Int) throws(JournalError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path) to cut its torn tail: \(errnoText())") }
        defer { close(fd) }
        guard ftruncate(fd, length) == 0, fsync(fd) == 0 else {
            throw JournalError.io("cannot cut the torn tail of \(path): \(errnoText())")
        }
    }
}

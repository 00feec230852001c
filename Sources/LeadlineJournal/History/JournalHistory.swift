import Foundation
import LeadlineCore

/// Reads events back from the journal by their offsets (``JournalIndex``): a lead's
/// history for `SHOW`, a range for `SINCE`. The journal is append-only and only whole,
/// synced lines are ever indexed, so what it reads never changes under it.
///
/// Its own read-only descriptor, with `pread`: safe beside the writer.
public final class JournalHistory: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    public init(path: String) throws(JournalError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open \(path) for reading: \(errnoText())") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The events numbered `seqs`, in that order. Lines next to one another in the
    /// journal are read together, in one `pread`.
    public func events(_ seqs: [UInt64], index: JournalIndex) throws(JournalError) -> [Event] {
        var spans: [Range<Int64>] = []
        for seq in seqs {
            guard let span = index.span(of: seq) else { throw JournalError.io("event \(seq) is not in the journal's index") }
            if let last = spans.last, last.upperBound == span.lowerBound {
                spans[spans.count - 1] = last.lowerBound..<span.upperBound
            } else {
                spans.append(span)
            }
        }
        var out: [Event] = []
        out.reserveCapacity(seqs.count)
        for span in spans { out += try decode(try read(span)) }
        guard out.count == seqs.count else {
            throw JournalError.io("\(path): \(out.count) events where \(seqs.count) were expected; run leadlined check")
        }
        return out
    }

    /// The events whose lines lie in `span` (whole lines), in order.
    public func events(in span: Range<Int64>) throws(JournalError) -> [Event] {
        try decode(try read(span))
    }

    private func read(_ span: Range<Int64>) throws(JournalError) -> [UInt8] {
        try PositionedIO.read(count: Int(span.upperBound - span.lowerBound), from: fd, at: span.lowerBound, path: path)
    }

    private func decode(_ bytes: [UInt8]) throws(JournalError) -> [Event] {
        var events: [Event] = []
        var start = 0
        while start < bytes.count {
            let lf = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            let end = lf > start && bytes[lf - 1] == 0x0D ? lf - 1 : lf
            do throws(RecordError) {
                if case .event(let event) = try JournalCodec.decode(bytes[start..<end]).line { events.append(event) }
            } catch {
                throw JournalError.io("\(path): the line at a known offset no longer reads (\(error.description)); run leadlined check")
            }
            start = lf + 1
        }
        return events
    }
}

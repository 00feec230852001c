import LeadlineCore

/// Turns a journal's lines into its header and events, holding the rules that span
/// lines: the header comes first and once, and its format version is one this build
/// reads.
///
/// Every line the server writes (format 2) ends in a checksum, verified here. A line
/// without one — from format 1, or appended by another tool that writes the JSON
/// lines (an import script, a benchmark's generator) — is read as it is, and counted
/// (``unchecked``), so `leadlined check` can say how much of a journal is unguarded.
public struct JournalLineReader {
    public let path: String
    public private(set) var header: JournalHeader?
    /// Lines read that carried no checksum.
    public private(set) var unchecked = 0

    public init(path: String) { self.path = path }

    /// The event on `line`, or nil for the header.
    public mutating func read(_ line: RawLine) throws(JournalError) -> Event? {
        let decoded: JournalCodec.Decoded
        do {
            decoded = try JournalCodec.decode(line.bytes)
        } catch {
            throw damaged(line, error.description)
        }
        if !decoded.checksummed { unchecked += 1 }
        switch decoded.line {
        case .header(let h):
            guard header == nil else { throw damaged(line, "a second JOURNAL header") }
            guard JournalCodec.readableVersions.contains(h.version) else {
                throw JournalError.unsupportedVersion(path: path, found: h.version, readable: JournalCodec.readableVersions)
            }
            header = h
            return nil
        case .event(let event):
            guard header != nil else { throw damaged(line, "events before the JOURNAL header") }
            return event
        }
    }

    /// Takes `header` as the journal's, in place of a damaged first line (repair).
    public mutating func adopt(_ header: JournalHeader) {
        self.header = header
    }

    public func damaged(_ line: RawLine, _ reason: String) -> JournalError {
        .damaged(path: path, line: line.number, reason: reason)
    }
}

import LeadlineCore

/// Turns a journal's lines into its header and events, holding the rules that span
/// lines: the header comes first and once, its format version is one this build
/// reads, and checksums, once they start, never stop.
///
/// In a version 2 journal every line carries a checksum. A version 1 journal was
/// written without them, and a newer server appends checksummed lines to it; a line
/// without one after a line with one is refused, so cutting a checksum off a line
/// does not make it pass.
public struct JournalLineReader {
    public let path: String
    public private(set) var header: JournalHeader?
    private var checksumsRequired = false

    public init(path: String) { self.path = path }

    /// The event on `line`, or nil for the header.
    public mutating func read(_ line: RawLine) throws(JournalError) -> Event? {
        let decoded: JournalCodec.Decoded
        do {
            decoded = try JournalCodec.decode(line.bytes)
        } catch {
            throw damaged(line, error.description)
        }
        if decoded.checksummed {
            checksumsRequired = true
        } else if checksumsRequired {
            throw damaged(line, "it has no checksum, though the lines before it do (a line cut or edited by hand)")
        }
        switch decoded.line {
        case .header(let h):
            guard header == nil else { throw damaged(line, "a second JOURNAL header") }
            guard JournalCodec.readableVersions.contains(h.version) else {
                throw JournalError.unsupportedVersion(path: path, found: h.version, readable: JournalCodec.readableVersions)
            }
            if h.version >= 2 && !decoded.checksummed { throw damaged(line, "a version \(h.version) header without its checksum") }
            checksumsRequired = h.version >= 2
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

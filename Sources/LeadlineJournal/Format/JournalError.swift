/// Why the journal could not be read or written.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed: what was being done, and errno's text.
    case io(String)
    /// A complete line in the journal does not read; start-up stops, nothing is changed.
    case damaged(path: String, line: Int, reason: String)
    /// The data folder is held by another process.
    case locked(path: String, holder: String)
    /// The journal was written in a format version this build does not read.
    case unsupportedVersion(path: String, found: Int, readable: ClosedRange<Int>)
    /// The journal is empty (or holds no header) in a folder that has been used
    /// before: taking it for a new shop would start a new owner and epoch over lost data.
    case emptyInUsedFolder(path: String, evidence: String)
    /// The journal is missing from a folder holding files only a running shop writes.
    case missingInUsedFolder(path: String, evidence: String)

    public var description: String {
        switch self {
        case .io(let what): return what
        case .damaged(let path, let line, let reason):
            return "\(path) line \(line) is damaged (\(reason)). The journal was not changed. "
                + "`leadlined check` lists every damaged line; `leadlined repair` moves them into a quarantine file "
                + "beside the journal (keeping a copy of the original) so the server starts again."
        case .locked(let path, let holder):
            return "the data folder \(path) is in use by \(holder); two writers must never share it"
        case .unsupportedVersion(let path, let found, let readable):
            let versions = readable.count == 1 ? "version \(readable.lowerBound)" : "versions \(readable.lowerBound) to \(readable.upperBound)"
            return "\(path) is journal format version \(found), but this build of leadlined reads \(versions). "
                + "Run the newer leadlined that wrote it; the journal was not changed."
        case .emptyInUsedFolder(let path, let evidence):
            return "\(path) is empty, but its folder has been used before (it holds \(evidence)). "
                + "The server will not start a new shop over a lost journal. Restore the journal from a backup; "
                + "or, to start afresh on purpose, move the whole folder away."
        case .missingInUsedFolder(let path, let evidence):
            return "\(path) is missing, but its folder has been used before (it holds \(evidence)). "
                + "The server will not start a new shop over a lost journal. Restore the journal from a backup; "
                + "or, to start afresh on purpose, move the whole folder away."
        }
    }
}

/// Why the journal could not be read or written.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed: what was being done, and errno's text.
    case io(String)
    /// A complete line in the journal does not read; start-up stops, nothing is changed.
    case damaged(path: String, line: Int, reason: String)
    /// The data folder is held by another process.
    case locked(path: String, holder: String)

    public var description: String {
        switch self {
        case .io(let what): return what
        case .damaged(let path, let line, let reason):
            return "\(path) line \(line) is damaged (\(reason)). The journal was not changed. "
                + "Copy it somewhere safe, then repair or remove that line and the ones after it, and start again."
        case .locked(let path, let holder):
            return "the data folder \(path) is in use by \(holder); two writers must never share it"
        }
    }
}

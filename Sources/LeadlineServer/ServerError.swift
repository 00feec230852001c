import LeadlineJournal

/// Why the server could not start.
public enum ServerError: Error, Sendable, CustomStringConvertible {
    case listen(String)
    case journal(JournalError)
    case configuration(String)

    public var description: String {
        switch self {
        case .listen(let s): return s
        case .journal(let e): return e.description
        case .configuration(let s): return s
        }
    }
}

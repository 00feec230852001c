import Foundation
import LeadlineCore

/// What a connection receives of the event stream (`WATCH`).
public enum WatchMode: String, Vocabulary {
    /// The default: leads entering and leaving the board, ownership changes, every alert.
    case board
    /// Every public event.
    case all
    /// Alerts only: the supervisor's stream.
    case alerts
    /// Events about leads the person owns or backs up, and alerts naming them.
    case mine
    /// Nothing pushed; replies only.
    case none

    public static let argumentName = "mode"
}

/// A parsed request line.
public enum Request: Sendable, Equatable {
    case help(topic: String?)
    case ping(String?)
    case pong
    case login(name: String, token: String)
    case quit
    case watch(WatchMode)
    case since(UInt64)
    case keepalive(seconds: Int?)
    case show(LeadID)
    /// `LIST [filter] [limit=N] [after=CURSOR]`: a page of leads, after a position.
    case list(LeadFilter, after: ListPosition? = nil, limit: Int? = nil)
    case who
    case queue
    /// `AGENDA [person] [day]`: a technician's visits on a day.
    case agenda(person: String?, day: TimeSpec?)
    /// `REVIEW`: the daily open-loop review's list.
    case review
    case rules
    /// `REPORT day|week|range ...`: the scorecard's figures.
    case report(ReportRequest)
    /// `EXPORT leads|events|report ...`: CSV rows.
    case export(ExportRequest)
    /// `IMPORT leads [strict] [system=NAME]`: the lines that follow, up to `.`, are a CSV file.
    case importLeads(strict: Bool, system: String?)
    /// `CLOCK` (nil) or `CLOCK ADVANCE <duration|time>`.
    case clock(advance: ClockAdvance?)
    case addUser(name: String, role: Role)
    case issueToken(name: String)
    case removeUser(name: String)
    /// A state change for the board.
    case command(Command)
}

extension Request {
    /// Whether the request may be taken while the same connection's earlier changes are
    /// still being made durable: changes (decided in order, sharing group commits) and
    /// `PING`/`PONG`. Anything that reads state, or logs in, waits for them, so a client
    /// always reads its own writes.
    public var pipelines: Bool {
        switch self {
        case .command, .ping, .pong: true
        default: false
        }
    }
}

/// How far `CLOCK ADVANCE` moves a simulated clock: by a duration, or to a time.
public enum ClockAdvance: Sendable, Equatable {
    case by(TimeInterval)
    case to(TimeSpec)
}

/// A request with its optional tag and its verb's entry in the catalog.
public struct TaggedRequest: Sendable, Equatable {
    public let tag: String?
    /// The verb's catalog entry, carried on so the server reads what it needs of the
    /// verb (whether it needs a login) without looking it up again.
    public let spec: VerbSpec
    public let request: Request

    /// The verb in capitals, as it is echoed in the reply.
    public var verb: String { spec.name }

    public init(tag: String?, spec: VerbSpec, request: Request) {
        self.tag = tag
        self.spec = spec
        self.request = request
    }

    public static func == (a: TaggedRequest, b: TaggedRequest) -> Bool {
        a.tag == b.tag && a.spec === b.spec && a.request == b.request
    }
}

/// A line that could not be read as a request: the error, and as much of the
/// request (tag, verb) as was understood, so the `ERR` can carry the tag.
public struct RequestError: Error, Sendable, Equatable {
    public let tag: String?
    public let verb: String?
    public let error: CommandError

    public init(tag: String?, verb: String?, error: CommandError) {
        self.tag = tag
        self.verb = verb
        self.error = error
    }
}

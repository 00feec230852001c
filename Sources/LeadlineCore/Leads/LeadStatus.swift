/// The one locked status vocabulary of 001, 002 and 004.
///
/// Statuses fall in three groups: working (someone still has to act), documented
/// outcomes that may sleep overnight (000), and closing statuses that end the lead.
public enum LeadStatus: String, Vocabulary {
    case needsCallback = "needs-callback"
    case inProgress = "in-progress"
    case leftMessage = "left-message"
    case textSent = "text-sent"
    case waitingOnCustomer = "waiting-on-customer"
    case customerReplied = "customer-replied"
    case appointmentRequested = "appointment-requested"
    case booked
    case followUpScheduled = "follow-up-scheduled"
    case estimateSent = "estimate-sent"
    case workApproved = "work-approved"
    case noDecision = "no-decision"
    case escalated
    case disqualified
    case closedNoResponse = "closed-no-response"
    case completed

    public static let argumentName = "status"

    /// Statuses that end the lead: it leaves the open board.
    public var closesLead: Bool {
        switch self {
        case .disqualified, .closedNoResponse, .completed: return true
        default: return false
        }
    }

    /// The reason a status needs before it may be set ("its proof"), if any.
    public var requiresReason: Bool { self == .disqualified || self == .escalated }

    /// Statuses that promise a next touch at a time (`next=` is required).
    public var requiresNextTime: Bool { self == .followUpScheduled || self == .noDecision }

    /// Statuses that need an appointment time (`appt=`).
    public var requiresAppointment: Bool { self == .booked }

    /// Statuses that, set on a booked lead, call its visit off: the lead is being worked
    /// again. (The visit's outcomes and an escalation keep it; closing without the work
    /// calls it off too, see `decideStatus`.)
    public var callsOffAVisit: Bool {
        switch self {
        case .needsCallback, .inProgress, .leftMessage, .textSent, .waitingOnCustomer, .customerReplied,
             .appointmentRequested, .followUpScheduled:
            return true
        default:
            return false
        }
    }

    /// The statuses in which the callback itself is still being worked; logging an
    /// attempt moves a lead between these (see `LeadStatus.after(_:)`).
    public var isWorking: Bool {
        switch self {
        case .needsCallback, .inProgress, .leftMessage, .textSent: return true
        default: return false
        }
    }
}

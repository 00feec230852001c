/// The scorecard's figures (001 "What to measure", 002 "How to track if this is
/// working"), by their names on the wire. Each is defined in PROTOCOL.md, "The
/// scorecard"; the definitions are the product here.
public enum ScoreFigure: String, Vocabulary {
    case firstResponseMedian = "first-response-median"
    case firstResponseP90 = "first-response-p90"
    case sameDayCallback = "same-day-callback"
    case backupTriggered = "backup-triggered"
    case backupRescued = "backup-rescued"
    case escalated
    case unassignedAtClose = "unassigned-at-close"
    case calledTwice = "called-twice"
    case ownerRescues = "owner-rescues"
    case estimateFollowUp48h = "estimate-followup-48h"
    case estimatesOpen7d = "estimates-open-7d"
    case overnightWithoutOutcome = "overnight-without-outcome"

    public static let argumentName = "figure"

    public var unit: ScoreUnit {
        switch self {
        case .firstResponseMedian, .firstResponseP90: .minutes
        case .sameDayCallback, .estimateFollowUp48h: .percent
        default: .count
        }
    }

    /// What the figure is called where people read it (the client's table, the HTML page).
    public var title: String {
        switch self {
        case .firstResponseMedian: "First response, median"
        case .firstResponseP90: "First response, 90th percentile"
        case .sameDayCallback: "Called back the same business day"
        case .backupTriggered: "Reached the backup trigger"
        case .backupRescued: "  rescued by the backup"
        case .escalated: "Escalated"
        case .unassignedAtClose: "Unassigned at close"
        case .calledTwice: "Customers who called twice"
        case .ownerRescues: "Owner rescues after hours"
        case .estimateFollowUp48h: "Estimates followed up, 48 work hours"
        case .estimatesOpen7d: "Open estimates older than 7 days"
        case .overnightWithoutOutcome: "Left overnight without an outcome"
        }
    }

    /// Whether the figure is about people one by one (per-person lines follow the
    /// shop's total), or only about the shop (`unassigned-at-close`: nobody owns those).
    public var hasPeople: Bool { self != .unassignedAtClose }
}

/// How a figure's value reads: minutes and percents with one decimal, counts whole.
public enum ScoreUnit: String, Sendable {
    case minutes, percent, count
}

/// Why a lead was escalated, as the scorecard groups escalations (`reason=`).
public enum EscalationReason: String, Vocabulary {
    /// The backup was asked at the due time and logged nothing within its window.
    case backupMissed = "backup-missed"
    /// The due time passed with no backup to ask (none, or away): ops were asked at once.
    case noBackup = "no-backup"
    /// A lead came in as an emergency: an owner-level exception at once.
    case emergency
    /// Someone raised an owner-level exception with `ESCALATE` (angry customer, ...).
    case exception

    public static let argumentName = "reason"
}

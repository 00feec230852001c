import Foundation

/// The shop's procedure: its time zone, hours, holidays, windows, cadences, trigger
/// timings and backup rules.
///
/// Every field has the default of PRODUCT.md, so a server with no config runs the
/// documented procedure; the config's `policy` section overrides any of them.
public struct Policy: Sendable, Equatable {
    /// The shop's time zone: every local time people type or read is in it.
    public var timeZone: TimeZone {
        didSet { calendar = Self.calendar(in: timeZone) }
    }
    /// Opening hours per weekday (closed days absent).
    public var hours: WeeklyHours
    /// Days the shop is closed all day.
    public var holidays: Set<LocalDate>
    /// First-response windows in business time, for the kinds that have one.
    public var windows: [LeadKind: TimeInterval]
    /// Warn this long before a promised or update callback is due (trigger 2).
    public var dueSoon: TimeInterval
    /// A lead without an owner this long (business time) after arriving is alerted (trigger 1).
    public var assignmentWindow: TimeInterval
    /// The backup's own window after the backup trigger, before escalation (trigger 3).
    public var backupWindow: TimeInterval
    /// How long an open lead may go without a next step before it is alerted (trigger 5).
    public var nextStepGrace: TimeInterval
    /// The end-of-day sweep's local time, in minutes after midnight (trigger 6).
    public var sweepMinute: Int
    /// Local times of the daily follow-up blocks (003: mid-morning and mid-afternoon);
    /// re-engagement calls are due at the next one.
    public var followUpBlocks: [Int]
    public var estimate: EstimateCadence
    /// The missed-call recovery rhythm after each unanswered attempt (004).
    public var missedCallRhythm: [RhythmStep]
    public var postJob: PostJobWindow
    /// A booked visit with no outcome this long after its start is chased (002 stage 3:
    /// "tech marks appointment result before leaving driveway").
    public var appointmentOutcome: TimeInterval
    public var backups: BackupRules
    /// Who takes over a lead at each hand-off between stages (002).
    public var handoffs: Handoffs

    public init(timeZone: TimeZone = .current) {
        self.timeZone = timeZone
        calendar = Self.calendar(in: timeZone)
        hours = .standard
        holidays = []
        windows = [.missedCall: 5 * 60, .newLead: 15 * 60]
        dueSoon = 30 * 60
        assignmentWindow = 5 * 60
        backupWindow = 15 * 60
        nextStepGrace = 15 * 60
        sweepMinute = 16 * 60 + 30
        followUpBlocks = [10 * 60 + 30, 15 * 60]
        estimate = EstimateCadence()
        missedCallRhythm = RhythmStep.standard
        postJob = PostJobWindow()
        appointmentOutcome = 2 * 3600
        backups = BackupRules()
        handoffs = Handoffs()
    }

    /// A Gregorian calendar in the shop's zone. Made once (when the zone is set), not
    /// on every use: business-time arithmetic runs on every event, and making a
    /// calendar costs more than the arithmetic.
    public private(set) var calendar: Calendar

    private static func calendar(in zone: TimeZone) -> Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        return c
    }

    /// Business-time arithmetic for this policy.
    public var business: BusinessCalendar { BusinessCalendar(policy: self) }
}

/// Opening hours per weekday, as minutes after local midnight.
public struct WeeklyHours: Sendable, Equatable {
    /// Index 1 = Sunday ... 7 = Saturday (Foundation's weekday numbering).
    public var days: [Int: OpeningHours]

    public init(days: [Int: OpeningHours]) { self.days = days }

    /// Monday to Friday, 08:00 to 17:00.
    public static let standard = WeeklyHours(days: Dictionary(
        uniqueKeysWithValues: (2...6).map { ($0, OpeningHours(open: 8 * 60, close: 17 * 60)) }))

    /// The opening minute of `weekday`, or the first opening of the week when closed.
    public func openingMinute(weekday: Int) -> Int {
        days[weekday]?.open ?? days.values.map(\.open).min() ?? 8 * 60
    }

    public static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
}

/// One day's opening and closing time, in minutes after local midnight.
public struct OpeningHours: Sendable, Equatable {
    public var open: Int
    public var close: Int

    public init(open: Int, close: Int) {
        self.open = open
        self.close = close
    }
}

/// A calendar day in the shop's zone.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// `2026-11-26`; nil for a day its month does not have (`2026-02-30`: a holiday
    /// typed so would quietly leave the shop open that day).
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              Timestamp.isCivilDate(y, m, d) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

/// The estimate follow-up cadence (002): same day if sent before the cutoff, else the
/// next morning; then at +48 h; then on day 5.
public struct EstimateCadence: Sendable, Equatable {
    /// Estimates sent before this local time are followed up the same day (by close).
    public var cutoffMinute = 15 * 60
    /// Otherwise, by this local time the next business morning.
    public var nextMorningMinute = 10 * 60
    public var second: TimeInterval = 48 * 3600
    public var third: TimeInterval = 5 * 86_400

    public init() {}
}

/// When a post-job call is due, and when it is late (003: 24–48 h after the job).
public struct PostJobWindow: Sendable, Equatable {
    public var due: TimeInterval = 24 * 3600
    public var late: TimeInterval = 48 * 3600

    public init() {}
}

/// One step of the missed-call recovery rhythm: the next touch after an unanswered attempt.
public struct RhythmStep: Sendable, Equatable {
    /// `call`, `text`, ... or `close` (close as no-response).
    public var action: String
    public var when: When

    public enum When: Sendable, Equatable {
        /// This much business time after the attempt.
        case after(TimeInterval)
        /// On the Nth business day after the lead arrived, at this local minute.
        case day(Int, minute: Int)
    }

    public init(action: String, when: When) {
        self.action = action
        self.when = when
    }

    /// 004: call now (the first response), text the same day, call the next business
    /// day, a final check-in on day 3, then close as no-response.
    public static let standard = [
        RhythmStep(action: "text", when: .after(5 * 60)),
        RhythmStep(action: "call", when: .day(1, minute: 9 * 60)),
        RhythmStep(action: "text", when: .day(3, minute: 9 * 60)),
        RhythmStep(action: "close", when: .after(0)),
    ]
}

/// Who backs up whom (001): by kind (the dispatcher backs schedule updates, the owner
/// backs high-value estimates), by person (a fixed backup), or by weekday rotation.
/// The first rule that names someone other than the owner wins, in that order.
public struct BackupRules: Sendable, Equatable {
    public var byKind: [LeadKind: KindBackup] = [:]
    public var byPerson: [String: String] = [:]
    /// Weekday (1 = Sunday ... 7 = Saturday) → backup for that day.
    public var rotation: [Int: String] = [:]

    public init() {}

    public var isEmpty: Bool { byKind.isEmpty && byPerson.isEmpty && rotation.isEmpty }
}

/// The hand-offs between the stages of 002: intake (office) → qualification and
/// scheduling (dispatcher) → field update (technician and dispatcher) → estimate
/// follow-up (sales/admin) → the daily open-loop review (operations lead).
public struct Handoffs: Sendable, Equatable {
    /// Who follows up an estimate once it is sent (default: the sales people, in turn).
    public var estimate: StageOwner? = .role(.sales)
    /// Who schedules approved work (default: the dispatchers, in turn).
    public var workApproved: StageOwner? = .role(.dispatcher)
    /// How soon approved work must be scheduled; nil: by the day's close.
    public var scheduleWithin: TimeInterval?
    /// Who makes the post-job call when a job is completed; nil: the office queue (no owner).
    public var postJob: StageOwner?
    /// The daily open-loop review's local time, in minutes after midnight (002 stage 5).
    public var reviewMinute = 9 * 60

    public init() {}
}

/// Who owns a stage: one person, or the people with a role, in turn.
public enum StageOwner: Sendable, Equatable, CustomStringConvertible {
    case person(String)
    case role(Role)

    /// "sam", or "the sales people, in turn".
    public var description: String {
        switch self {
        case .person(let name): return name
        case .role(let role): return "the \(role.rawValue) people, in turn"
        }
    }
}

/// A person the policy names, and the setting that names them.
public struct PolicyName: Sendable, Equatable {
    /// `backups.byPerson.ana`
    public let field: String
    public let name: String

    public init(field: String, name: String) {
        self.field = field
        self.name = name
    }
}

extension Policy {
    /// Every person the policy names, with the setting naming them, in a stable order.
    public var namedPeople: [PolicyName] {
        var out: [PolicyName] = []
        for (kind, rule) in backups.byKind.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            out.append(PolicyName(field: "backups.byKind.\(kind.rawValue)", name: rule.backup))
        }
        for (owner, backup) in backups.byPerson.sorted(by: { $0.key < $1.key }) {
            out.append(PolicyName(field: "backups.byPerson (key)", name: owner))
            out.append(PolicyName(field: "backups.byPerson.\(owner)", name: backup))
        }
        for (day, backup) in backups.rotation.sorted(by: { $0.key < $1.key }) {
            out.append(PolicyName(field: "backups.rotation.\(WeeklyHours.dayNames[day - 1])", name: backup))
        }
        for (field, owner) in [("estimate", handoffs.estimate), ("workApproved", handoffs.workApproved), ("postJob", handoffs.postJob)] {
            if case .person(let name)? = owner { out.append(PolicyName(field: "handoffs.\(field)", name: name)) }
        }
        return out
    }

    /// The names the policy uses that are not among `people`.
    public func unknownNames(among people: [String: Person]) -> [PolicyName] {
        namedPeople.filter { people[$0.name] == nil }
    }

    /// The names the policy uses for people who exist but cannot hold callbacks
    /// (technicians): as a backup or a stage's owner they would never be used.
    public func misplacedNames(among people: [String: Person]) -> [PolicyName] {
        namedPeople.filter { people[$0.name].map { !$0.role.isOffice } ?? false }
    }
}

/// A kind's backup, optionally only for leads worth at least `minValue` dollars.
public struct KindBackup: Sendable, Equatable {
    public var backup: String
    public var minValue: Int?

    public init(backup: String, minValue: Int? = nil) {
        self.backup = backup
        self.minValue = minValue
    }
}

import Foundation

/// The scorecard's facts, gathered as events are applied: what each day counted, and
/// the open work still waiting to be counted (a lead not yet called back, an estimate
/// not yet followed up, a backup asked and not yet acting).
///
/// Part of the ``Board``: it folds the same events on replay, live, and from a
/// snapshot, so a report is a sum over the period's days, never a scan of history.
/// The waiting sets hold open work only; the days hold a few counters each and one
/// sample per first response (4 bytes) for the medians.
public struct ScoreTally: Sendable, Equatable {
    /// What each day counted, by the day it is counted on (see PROTOCOL.md).
    var days: [LocalDate: DayTally] = [:]
    /// New leads and missed calls not yet called back.
    var awaitingResponse: [LeadID: Arrival] = [:]
    /// Estimates sent and not yet followed up.
    var awaitingFollowUp: [LeadID: SentEstimate] = [:]
    /// Backups asked at the trigger, until they act or their window ends.
    var awaitingRescue: [LeadID: BackupAsk] = [:]
    /// Open leads that were sent an estimate, by the day it was sent.
    var openEstimates: [LeadID: LocalDate] = [:]
    /// The next close of a business day not yet counted (unassigned leads, open estimates).
    var nextClose: Date?

    public init() {}

    /// A lead's arrival, for its first response.
    struct Arrival: Sendable, Equatable {
        /// When the clock started: the arrival, or the next opening after hours.
        var since: Date
        /// The business day it counts on, and when that day closes.
        var day: LocalDate
        var closes: Date
        /// A customer who called twice: merged away, it is not a lead of its own.
        var duplicate = false
    }

    struct SentEstimate: Sendable, Equatable {
        var day: LocalDate
        var sent: Date
        /// 48 business hours after sending.
        var deadline: Date
        var owner: String?
    }

    struct BackupAsk: Sendable, Equatable {
        var day: LocalDate
        var backup: String
        /// The end of the backup's own window.
        var deadline: Date
    }
}

/// What one day counted.
struct DayTally: Sendable, Equatable {
    var counts: [TallyKey: Int] = [:]
    /// First responses of leads that arrived this day: business minutes × 10, by who
    /// made them (4 bytes each).
    var responses: [String: [Int32]] = [:]
    /// Whether this business day's close has been counted.
    var closed = false

    mutating func add(_ counter: Counter, person: String? = nil, reason: EscalationReason? = nil, _ n: Int = 1) {
        counts[TallyKey(counter: counter, person: person, reason: reason), default: 0] += n
    }
}


/// What a day counts; a figure of the report is one or two of these.
enum Counter: UInt8, Sendable {
    case arrivals, responded, sameDay, backupTriggered, backupRescued, escalated, unassignedAtClose,
         calledTwice, ownerRescues, estimatesDue, estimatesFollowed, estimatesOpen7d, overnight
}

struct TallyKey: Sendable, Hashable {
    var counter: Counter
    /// The person it is counted for; nil when nobody (a lead never called back).
    var person: String?
    var reason: EscalationReason?
}

extension ScoreTally {
    /// Whether ``record(_:on:)`` would change anything for `event`: one of the kinds
    /// counted, or the first event after a day's close (which closes that day). A note,
    /// a claim and most others in the middle of a day count for nothing, and are passed
    /// by without moving the tally out of the board.
    func counts(_ event: Event) -> Bool {
        guard let close = nextClose, event.at < close else { return true }
        switch event.change {
        case .created, .attempted, .statusChanged, .outcome, .alert: return true
        default: return false
        }
    }

    /// Folds `event` in, as `board` stood just before it.
    mutating func record(_ event: Event, on board: Board) {
        let business = board.policy.business
        passCloses(upTo: event.at, on: board, business)
        let at = event.at
        switch event.change {
        case .created(let intake):
            if (intake.kind == .newLead || intake.kind == .missedCall), intake.importedFrom == nil {
                let since = business.openOrNext(at)
                let day = business.localDate(since)
                awaitingResponse[intake.lead] = Arrival(since: since, day: day, closes: business.closing(since))
                days[day, default: DayTally()].add(.arrivals)
            }
            if intake.kind == .estimate { estimateSent(intake.lead, at: intake.sent ?? at, owner: intake.owner, business) }
        case .attempted(let attempt):
            attempted(attempt.lead, by: event.by, at: at, business)
            ownerRescue(event, on: board, business)
        case .statusChanged(let change):
            if change.status == .estimateSent || change.kind == .estimate {
                estimateSent(change.lead, at: at, owner: board.lead(change.lead)?.owner, business)
            } else if let target = change.mergedInto {
                merged(change.lead, into: target)
            } else if change.status.closesLead {
                leadClosed(change.lead)
            } else if change.reopens, let lead = board.lead(change.lead), lead.attempts.isEmpty {
                reopenedUncalled(lead, business)
            } else if ![LeadStatus.estimateSent, .noDecision].contains(change.status) {
                awaitingFollowUp[change.lead] = nil
            }
            ownerRescue(event, on: board, business)
        case .outcome(let outcome):
            if outcome.result == .estimateSent {
                estimateSent(outcome.lead, at: at, owner: board.lead(outcome.lead)?.owner, business)
            } else if outcome.result == .workApproved {
                awaitingFollowUp[outcome.lead] = nil
            }
            ownerRescue(event, on: board, business)
        case .alert(let alert):
            // A sweep someone asked for (`SWEEP`: its alerts name who asked) is a look
            // during the day, not the close: only the server's end-of-day sweep counts a
            // lead as left overnight. (Who stamped it is journaled; the policy's sweep
            // time, which may change later, is not asked.)
            if alert.kind == .sweep, event.by != nil { break }
            if let id = alert.lead { alerted(alert, lead: id, at: at, before: board.lead(id), on: board, business) }
        default:
            break
        }
    }

    private mutating func attempted(_ id: LeadID, by person: String?, at: Date, _ business: BusinessCalendar) {
        let who = person ?? "server"
        if let arrival = awaitingResponse.removeValue(forKey: id) {
            let minutes = business.businessTime(from: arrival.since, to: at) / 60
            var day = days[arrival.day, default: DayTally()]
            day.add(.responded, person: who)
            if at < arrival.closes { day.add(.sameDay, person: who) }
            day.responses[who, default: []].append(Int32(min(minutes * 10, Double(Int32.max)).rounded()))
            days[arrival.day] = day
        }
        if let estimate = awaitingFollowUp[id], at > estimate.sent {
            awaitingFollowUp[id] = nil
            var day = days[estimate.day, default: DayTally()]
            day.add(.estimatesDue, person: estimate.owner)
            if at <= estimate.deadline { day.add(.estimatesFollowed, person: estimate.owner) }
            days[estimate.day] = day
        }
        if let ask = awaitingRescue[id] {
            if at > ask.deadline {
                awaitingRescue[id] = nil
            } else if who == ask.backup {
                awaitingRescue[id] = nil
                days[ask.day, default: DayTally()].add(.backupRescued, person: who)
            }
        }
    }

    private mutating func alerted(_ alert: Alert, lead id: LeadID, at: Date, before lead: Lead?, on board: Board,
                                  _ business: BusinessCalendar) {
        let day = business.localDate(at)
        switch alert.kind {
        case .backup:
            days[day, default: DayTally()].add(.backupTriggered, person: alert.owner)
            if let backup = alert.backup {
                awaitingRescue[id] = BackupAsk(day: day, backup: backup,
                                               deadline: business.add(board.policy.backupWindow, to: at))
            }
        case .escalation:
            let reason: EscalationReason
            if let anchor = alert.anchor {
                reason = lead?.raised[.backup] == anchor ? .backupMissed : .noBackup
            } else {
                reason = lead?.status == .escalated ? .exception : .emergency
            }
            days[day, default: DayTally()].add(.escalated, person: alert.owner, reason: reason)
        case .duplicate:
            awaitingResponse[id]?.duplicate = true
            days[day, default: DayTally()].add(.calledTwice, person: alert.of.flatMap { board.lead($0)?.owner })
        case .sweep:
            let sweepDay = business.localDate(alert.anchor ?? at)
            days[sweepDay, default: DayTally()].add(.overnight, person: alert.owner)
        default:
            break
        }
    }

    /// An attempt, outcome or status by someone in the owner role while the shop is closed.
    private mutating func ownerRescue(_ event: Event, on board: Board, _ business: BusinessCalendar) {
        guard let by = event.by, board.people[by]?.role == .owner, !business.isOpen(event.at) else { return }
        days[business.localDate(event.at), default: DayTally()].add(.ownerRescues, person: by)
    }

    private mutating func estimateSent(_ id: LeadID, at sent: Date, owner: String?, _ business: BusinessCalendar) {
        let day = business.localDate(sent)
        awaitingFollowUp[id] = SentEstimate(day: day, sent: sent, deadline: business.add(48 * 3600, to: sent), owner: owner)
        openEstimates[id] = day
    }

    /// `MERGE`: one customer who called twice, whichever of the two leads is kept. When
    /// neither was called back yet, the kept lead waits from the earlier arrival and the
    /// later one is not a lead of its own; when the kept one already was, the merged-away
    /// one's wait ends uncounted (the customer was called back).
    private mutating func merged(_ id: LeadID, into target: LeadID) {
        if let gone = awaitingResponse[id] {
            if let kept = awaitingResponse[target], gone.since < kept.since {
                awaitingResponse[target] = Arrival(since: gone.since, day: gone.day, closes: gone.closes)
                awaitingResponse[id] = kept
            }
            awaitingResponse[id]?.duplicate = true
        }
        leadClosed(id)
    }

    /// A lead closed before anyone called it (spam, a wrong number), then reopened: its
    /// wait for a first response runs again from its arrival, as if never closed (its
    /// arrival was counted, and stays counted, on its day).
    private mutating func reopenedUncalled(_ lead: Lead, _ business: BusinessCalendar) {
        guard lead.kind == .newLead || lead.kind == .missedCall, lead.importedFrom == nil,
              awaitingResponse[lead.id] == nil else { return }
        let since = business.openOrNext(lead.createdAt)
        awaitingResponse[lead.id] = Arrival(since: since, day: business.localDate(since), closes: business.closing(since))
    }

    private mutating func leadClosed(_ id: LeadID) {
        if let arrival = awaitingResponse.removeValue(forKey: id), arrival.duplicate {
            days[arrival.day, default: DayTally()].add(.arrivals, -1)
        }
        awaitingFollowUp[id] = nil
        awaitingRescue[id] = nil
        openEstimates[id] = nil
    }

    /// Counts each business day's close up to `time`, as the board stands (nothing
    /// changed it since the last event, which came before that close).
    /// Events come in the order of their numbers, and nearly always of their times; when
    /// one was stamped ahead of those after it (a clock that was wrong for a while, people
    /// added offline by the real clock before a drill on simulated days), the next close
    /// is looked for again from `time`, and a day already counted is not counted twice.
    /// Only for a step back of at most ``longestStepBack`` onto days not yet counted, so
    /// that times jumping to and fro cost no more than the days they cover once.
    mutating func passCloses(upTo time: Date, on board: Board, _ business: BusinessCalendar) {
        guard let first = nextClose else {
            nextClose = business.closing(time)
            return
        }
        var close = first
        // (The next close is rarely more than a weekend away: only then is it looked for.)
        if first.timeIntervalSince(time) > 2 * 86_400 {
            let upcoming = business.closing(time)
            if upcoming < first, first.timeIntervalSince(upcoming) <= Self.longestStepBack,
               days[business.localDate(upcoming.addingTimeInterval(-1))]?.closed != true {
                close = upcoming
            }
        }
        while close <= time {
            let day = business.localDate(close.addingTimeInterval(-1))
            var tally = days[day, default: DayTally()]
            if !tally.closed {
                tally.closed = true
                tally.add(.unassignedAtClose, board.openUnowned.count)
                for (person, n) in openEstimatesOlderThanAWeek(at: day, on: board, business) {
                    tally.add(.estimatesOpen7d, person: person, n)
                }
            }
            days[day] = tally
            let next = business.closing(close)
            guard next > close else { break }
            close = next
        }
        nextClose = close
    }

    /// How far back an event stamped earlier than the one before it may take the count
    /// of closes: a drill or a clock put right, not years.
    static let longestStepBack: TimeInterval = 62 * 86_400

    /// An estimate still waiting on the customer's decision: open, an estimate (or in the
    /// estimate stages), and not yet approved or booked.
    static func isOpenEstimate(_ lead: Lead) -> Bool {
        lead.isOpen && (lead.kind == .estimate || [LeadStatus.estimateSent, .noDecision].contains(lead.status))
            && ![LeadStatus.workApproved, .booked].contains(lead.status)
    }

    /// Open estimates sent more than 7 calendar days before `day`, by owner.
    func openEstimatesOlderThanAWeek(at day: LocalDate, on board: Board, _ business: BusinessCalendar) -> [String?: Int] {
        let cutoff = business.adding(-7, to: day)
        var out: [String?: Int] = [:]
        for (id, sent) in openEstimates where sent < cutoff {
            guard let lead = board.lead(id), Self.isOpenEstimate(lead) else { continue }
            out[lead.owner, default: 0] += 1
        }
        return out
    }
}

import Foundation

extension Board {
    /// The scorecard of `period` as of `now`: the shop's total of each figure, then
    /// each person's (only those in `people`, when given), in the fixed order of
    /// ``ScoreFigure``. A sum over the period's days of what the ``ScoreTally`` counted,
    /// plus the open work still waiting; it never reads history.
    public func scorecard(_ period: ReportPeriod, now: Date, people: Set<String>? = nil) -> [ScoreLine] {
        let business = policy.business
        var tally = scores
        // Closes that passed with no event since are counted as the board stands.
        tally.passCloses(upTo: min(now, period.end(in: business)), on: self, business)
        var counts: [TallyKey: Int] = [:]
        var samples: [String: [Int32]] = [:]
        var lastClosed: DayTally?
        for day in period.days(in: business) {
            guard let t = tally.days[day] else { continue }
            for (key, n) in t.counts where key.counter != .estimatesOpen7d { counts[key, default: 0] += n }
            samples.merge(t.responses) { $0 + $1 }
            if t.closed { lastClosed = t }
        }
        // Estimates whose 48 business hours ran out with no follow-up logged yet.
        for estimate in tally.awaitingFollowUp.values where period.contains(estimate.day) && estimate.deadline < now {
            counts[TallyKey(counter: .estimatesDue, person: estimate.owner), default: 0] += 1
        }
        // Open estimates at the period's end: as its last close counted them, or now
        // while the period runs.
        if period.end(in: business) <= now {
            for (key, n) in lastClosed?.counts ?? [:] where key.counter == .estimatesOpen7d { counts[key, default: 0] += n }
        } else {
            for (person, n) in tally.openEstimatesOlderThanAWeek(at: business.localDate(now), on: self, business) {
                counts[TallyKey(counter: .estimatesOpen7d, person: person), default: 0] += n
            }
        }
        return ScoreSheet(counts: counts, samples: samples, people: people).lines()
    }
}

/// A period's summed counters, turned into the report's lines.
struct ScoreSheet {
    let counts: [TallyKey: Int]
    /// First-response minutes × 10, by who made them.
    let samples: [String: [Int32]]
    let people: Set<String>?

    /// The total of `counter` over everyone (and every reason).
    func total(_ counter: Counter, reason: EscalationReason? = nil) -> Int {
        counts.reduce(0) { sum, entry in
            entry.key.counter == counter && (reason == nil || entry.key.reason == reason) ? sum + entry.value : sum
        }
    }

    /// `counter` per person (over every reason), for the people shown.
    func perPerson(_ counter: Counter) -> [(String, Int)] {
        var out: [String: Int] = [:]
        for (key, n) in counts where key.counter == counter {
            guard let person = key.person, people?.contains(person) ?? true else { continue }
            out[person, default: 0] += n
        }
        return out.filter { $0.value != 0 }.sorted { $0.key < $1.key }
    }

    func lines() -> [ScoreLine] {
        var out: [ScoreLine] = []
        // Speed to first response.
        out += percentile(50, .firstResponseMedian)
        out += percentile(90, .firstResponseP90)
        // Shares: called back the same day, estimates followed up within 48 business hours.
        out += share(.sameDayCallback, part: .sameDay, whole: .arrivals, personWhole: .responded)
        // Counts.
        out += counted(.backupTriggered, .backupTriggered)
        let triggered = total(.backupTriggered)
        out.append(.count(.backupRescued, total(.backupRescued), of: triggered))
        out += perPerson(.backupRescued).map { ScoreLine.count(.backupRescued, $0.1, person: $0.0) }
        out += counted(.escalated, .escalated)
        out += counted(.unassignedAtClose, .unassignedAtClose)
        out += counted(.calledTwice, .calledTwice)
        out += counted(.ownerRescues, .ownerRescues)
        out += share(.estimateFollowUp48h, part: .estimatesFollowed, whole: .estimatesDue, personWhole: .estimatesDue)
        out += counted(.estimatesOpen7d, .estimatesOpen7d)
        out += counted(.overnightWithoutOutcome, .overnight)
        return out
    }

    /// The `p`th percentile of first-response minutes: the shop's, then each person's.
    private func percentile(_ p: Int, _ figure: ScoreFigure) -> [ScoreLine] {
        let all = samples.values.flatMap { $0 }.sorted()
        var out = [ScoreLine(figure: figure, tenths: Self.rank(p, of: all), of: all.count)]
        for (person, values) in samples.sorted(by: { $0.key < $1.key }) where people?.contains(person) ?? true {
            let sorted = values.sorted()
            out.append(ScoreLine(figure: figure, tenths: Self.rank(p, of: sorted), person: person, of: sorted.count))
        }
        return out
    }

    /// The total, the escalations by reason, then each person.
    private func counted(_ figure: ScoreFigure, _ counter: Counter) -> [ScoreLine] {
        var out = [ScoreLine.count(figure, total(counter))]
        if counter == .escalated {
            for reason in EscalationReason.allCases {
                let n = total(counter, reason: reason)
                if n > 0 { out.append(.count(figure, n, reason: reason)) }
            }
        }
        guard figure.hasPeople else { return out }
        return out + perPerson(counter).map { ScoreLine.count(figure, $0.1, person: $0.0) }
    }

    /// A percent of the shop's `whole`, then of each person's `personWhole`.
    private func share(_ figure: ScoreFigure, part: Counter, whole: Counter, personWhole: Counter) -> [ScoreLine] {
        let totalWhole = total(whole)
        var out = [ScoreLine(figure: figure, tenths: ScoreLine.percentTenths(total(part), of: totalWhole), of: totalWhole)]
        let parts = Dictionary(uniqueKeysWithValues: perPerson(part))
        for (person, n) in perPerson(personWhole) {
            out.append(ScoreLine(figure: figure, tenths: ScoreLine.percentTenths(parts[person] ?? 0, of: n), person: person, of: n))
        }
        return out
    }

    /// The nearest-rank `p`th percentile of sorted `values` (0 when there are none).
    static func rank(_ p: Int, of values: [Int32]) -> Int {
        guard !values.isEmpty else { return 0 }
        let rank = (p * values.count + 99) / 100
        return Int(values[max(0, rank - 1)])
    }
}

extension Board {
    /// Whose lines a report shows (nil: everyone): `asked`, a person or everyone in a
    /// role. A supervisor sees whoever they ask for; anyone else only themselves (the
    /// shop's totals come always). With no `viewer` (the owner's offline tool), as asked.
    public func reportPeople(asked: String?, by viewer: Person? = nil) throws(CommandError) -> Set<String>? {
        var wanted: Set<String>?
        if let asked {
            guard !asked.isEmpty else {
                throw CommandError.invalid(argument: "person", "person= needs a name or a role, like person=ana or person=csr")
            }
            if let role = Role(rawValue: asked) {
                wanted = Set(people.values.filter { $0.role == role }.map(\.name))
            } else {
                guard people[asked] != nil else {
                    throw CommandError(.notFound, fields: [Field("person", asked)],
                                       "there is no one called \(asked) (and no role of that name); WHO lists everyone")
                }
                wanted = [asked]
            }
        }
        guard let viewer, !viewer.role.isSupervisor else { return wanted }
        if let wanted, wanted != [viewer.name] {
            throw CommandError.denied(need: Role.supervisors,
                                      "other people's figures are for a \(Role.supervisors.spokenList); REPORT shows yours and the shop's")
        }
        return [viewer.name]
    }
}

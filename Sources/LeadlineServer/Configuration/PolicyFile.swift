import Foundation
import LeadlineCore

/// Reads the config's `policy` section into a ``Policy``; every field is optional and
/// defaults to PRODUCT.md's procedure. A bad value names its field and the reason.
///
/// Durations are written `90s`, `5m`, `2h`, `5d`; local times `HH:MM`.
enum PolicyFile {
    static func apply(_ o: ConfigObject, to policy: inout Policy) throws(ServerError) {
        try o.allow(["timeZone", "hours", "holidays", "windows", "dueSoon", "assignmentWindow", "backupWindow",
                     "nextStepGrace", "sweep", "followUpBlocks", "estimate", "missedCallRhythm", "postJob", "appointmentOutcome",
                     "backups", "handoffs"])
        if let name = try o.string("timeZone") {
            guard let zone = TimeZone(identifier: name) else {
                throw o.error("timeZone", "\"\(name)\" is not an IANA time zone name (for example America/Chicago)")
            }
            policy.timeZone = zone
        }
        if let hours = try o.object("hours") { policy.hours = try weeklyHours(hours) }
        if let list = try o.array("holidays") {
            policy.holidays = []
            for item in list {
                guard case .string(let text) = item, let day = LocalDate(text) else {
                    throw o.error("holidays", "each holiday is a date like \"2026-12-25\", got \(item.described)")
                }
                policy.holidays.insert(day)
            }
        }
        if let windows = try o.object("windows") {
            try windows.allow(["missed-call", "new-lead"])
            for kind in [LeadKind.missedCall, .newLead] {
                if let d = try duration(windows, kind.rawValue) { policy.windows[kind] = d }
            }
        }
        if let d = try duration(o, "dueSoon") { policy.dueSoon = d }
        if let d = try duration(o, "assignmentWindow") { policy.assignmentWindow = d }
        if let d = try duration(o, "backupWindow") { policy.backupWindow = d }
        if let d = try duration(o, "nextStepGrace") { policy.nextStepGrace = d }
        if let d = try duration(o, "appointmentOutcome") { policy.appointmentOutcome = d }
        if let m = try clock(o, "sweep") { policy.sweepMinute = m }
        if let list = try o.array("followUpBlocks") {
            policy.followUpBlocks = try list.map { item throws(ServerError) in
                guard case .string(let text) = item, let m = parseClock(text) else {
                    throw o.error("followUpBlocks", "each block is a local time like \"10:30\", got \(item.described)")
                }
                return m
            }
            // With no block, a re-engagement lead would be due the moment it arrives.
            if policy.followUpBlocks.isEmpty { throw o.error("followUpBlocks", "needs at least one block, like [\"10:30\"]") }
        }
        if let e = try o.object("estimate") {
            try e.allow(["cutoff", "nextMorning", "second", "third"])
            if let m = try clock(e, "cutoff") { policy.estimate.cutoffMinute = m }
            if let m = try clock(e, "nextMorning") { policy.estimate.nextMorningMinute = m }
            if let d = try duration(e, "second") { policy.estimate.second = d }
            if let d = try duration(e, "third") { policy.estimate.third = d }
            // The third follow-up comes after the second, or the cadence runs backwards.
            if policy.estimate.third <= policy.estimate.second { throw e.error("third", "must be after second") }
        }
        if let steps = try o.array("missedCallRhythm") { policy.missedCallRhythm = try rhythm(steps, o) }
        if let p = try o.object("postJob") {
            try p.allow(["due", "late"])
            if let d = try duration(p, "due") { policy.postJob.due = d }
            if let d = try duration(p, "late") { policy.postJob.late = d }
            if policy.postJob.late < policy.postJob.due { throw p.error("late", "must not be before due") }
        }
        if let b = try o.object("backups") { policy.backups = try backups(b) }
        if let h = try o.object("handoffs") { try handoffs(h, into: &policy.handoffs) }
    }

    /// `handoffs`: who takes a lead at each stage — a person's name, a role (its people in
    /// turn), or "none" — how soon approved work is scheduled, and the review's time.
    private static func handoffs(_ o: ConfigObject, into h: inout Handoffs) throws(ServerError) {
        try o.allow(["estimate", "workApproved", "scheduleWithin", "postJob", "review"])
        func owner(_ key: String) throws(ServerError) -> StageOwner?? {
            guard let text = try o.string(key) else { return .none }
            if text == "none" { return .some(nil) }
            if let role = Role(rawValue: text) {
                guard role.isOffice else { throw o.error(key, "technicians do not hold callbacks; name an office role or a person") }
                return .some(.role(role))
            }
            return .some(.person(try person(text, o, key)))
        }
        if let v = try owner("estimate") { h.estimate = v }
        if let v = try owner("workApproved") { h.workApproved = v }
        if let v = try owner("postJob") { h.postJob = v }
        if let text = try o.string("scheduleWithin") {
            if text == "close" {
                h.scheduleWithin = nil
            } else {
                guard let d = TimeSpec.duration(text) else {
                    throw o.error("scheduleWithin", "must be \"close\" or a duration like \"2h\", got \"\(text)\"")
                }
                h.scheduleWithin = d
            }
        }
        if let m = try clock(o, "review") { h.reviewMinute = m }
    }

    private static func weeklyHours(_ o: ConfigObject) throws(ServerError) -> WeeklyHours {
        try o.allow(Set(WeeklyHours.dayNames))
        var days: [Int: OpeningHours] = [:]
        for (index, name) in WeeklyHours.dayNames.enumerated() {
            guard let text = try o.string(name), text != "closed" else { continue }
            let parts = text.split(separator: "-").map(String.init)
            guard parts.count == 2, let open = parseClock(parts[0]), let close = parseClock(parts[1]), close > open else {
                throw o.error(name, "must be \"HH:MM-HH:MM\" (opening before closing) or \"closed\", got \"\(text)\"")
            }
            days[index + 1] = OpeningHours(open: open, close: close)
        }
        guard !days.isEmpty else { throw o.error("", "at least one day must be open") }
        return WeeklyHours(days: days)
    }

    private static func rhythm(_ items: [JSONValue], _ o: ConfigObject) throws(ServerError) -> [RhythmStep] {
        var steps: [RhythmStep] = []
        for (i, item) in items.enumerated() {
            guard case .object(let dict) = item else { throw o.error("missedCallRhythm", "step \(i + 1) must be an object") }
            let step = ConfigObject(file: o.file, path: o.path + "missedCallRhythm[\(i + 1)].", values: dict)
            try step.allow(["action", "after", "day", "at"])
            guard let action = try step.string("action"), !action.isEmpty else {
                throw step.error("action", "each step needs an action: call, text, email or close")
            }
            guard ["call", "text", "email", "close"].contains(action) else {
                throw step.error("action", "must be call, text, email or close, got \"\(action)\"")
            }
            if action == "close" {
                steps.append(RhythmStep(action: action, when: .after(0)))
            } else if let day = try step.int("day", 0...30) {
                guard let at = try clock(step, "at") else { throw step.error("at", "a day step needs at=\"HH:MM\"") }
                steps.append(RhythmStep(action: action, when: .day(day, minute: at)))
            } else if let after = try duration(step, "after") {
                steps.append(RhythmStep(action: action, when: .after(after)))
            } else {
                throw step.error("after", "a step needs after (\"5m\") or day (1) with at (\"09:00\"), or action close")
            }
        }
        return steps
    }

    private static func backups(_ o: ConfigObject) throws(ServerError) -> BackupRules {
        try o.allow(["byKind", "byPerson", "rotation"])
        var rules = BackupRules()
        if let byKind = try o.object("byKind") {
            try byKind.allow(Set(LeadKind.allCases.map(\.rawValue)))
            for kind in LeadKind.allCases {
                guard let value = byKind.values[kind.rawValue] else { continue }
                switch value {
                case .string(let name):
                    rules.byKind[kind] = KindBackup(backup: try person(name, byKind, kind.rawValue))
                case .object(let dict):
                    let rule = ConfigObject(file: o.file, path: byKind.path + kind.rawValue + ".", values: dict)
                    try rule.allow(["backup", "minValue"])
                    guard let name = try rule.string("backup") else { throw rule.error("backup", "names the backup") }
                    rules.byKind[kind] = KindBackup(backup: try person(name, rule, "backup"),
                                                    minValue: try rule.int("minValue", 0...100_000_000))
                default:
                    throw byKind.error(kind.rawValue, "must be a name, or { \"backup\": name, \"minValue\": dollars }")
                }
            }
        }
        if let byPerson = try o.object("byPerson") {
            for key in byPerson.values.keys.sorted() {
                let owner = try person(key, byPerson, key)
                rules.byPerson[owner] = try person(try byPerson.string(key) ?? "", byPerson, key)
            }
        }
        if let rotation = try o.object("rotation") {
            try rotation.allow(Set(WeeklyHours.dayNames))
            for (index, day) in WeeklyHours.dayNames.enumerated() {
                if let name = try rotation.string(day) { rules.rotation[index + 1] = try person(name, rotation, day) }
            }
        }
        return rules
    }

    private static func person(_ name: String, _ o: ConfigObject, _ key: String) throws(ServerError) -> String {
        do {
            return try Person.validateName(name)
        } catch {
            throw o.error(key, error.message)
        }
    }

    private static func duration(_ o: ConfigObject, _ key: String) throws(ServerError) -> TimeInterval? {
        guard let text = try o.string(key) else { return nil }
        guard let d = TimeSpec.duration(text) else {
            throw o.error(key, "must be a duration like \"90s\", \"5m\", \"2h\" or \"5d\", got \"\(text)\"")
        }
        return d
    }

    private static func clock(_ o: ConfigObject, _ key: String) throws(ServerError) -> Int? {
        guard let text = try o.string(key) else { return nil }
        guard let m = parseClock(text) else { throw o.error(key, "must be a local time like \"16:30\", got \"\(text)\"") }
        return m
    }

    static func parseClock(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 24 * 60 else { return nil }
        return h * 60 + m
    }
}

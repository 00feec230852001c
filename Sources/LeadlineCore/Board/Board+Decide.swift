import Foundation

extension Board {
    /// Checks `command`, issued by `actor` at `now`, against the rules, and returns the
    /// changes it causes and its reply, or the reason it is refused. Pure: the board is
    /// not modified; the caller stamps and applies the changes once they are durable.
    ///
    /// - Parameters:
    ///   - actor: who asks; `nil` is the server's own console (`leadlined user ...`),
    ///     which may only manage people.
    public func decide(_ command: Command, by actor: Person?, at now: Date) -> Result<Decision, CommandError> {
        do throws(CommandError) {
            switch command {
            case .addPerson, .replaceToken, .removePerson:
                return .success(try decidePeople(command, by: actor))
            default:
                break
            }
            guard let actor else { throw CommandError(.auth, "log in first") }
            switch command {
            case .newLead(let request): return .success(try decideNew(request, by: actor, at: now))
            case .claim(let id): return .success(try decideClaim(id, by: actor, at: now))
            case .release(let id, let reason): return .success(try decideRelease(id, reason: reason, by: actor))
            case .assign(let id, let owner, let backup):
                return .success(try decideAssign(id, owner: owner, backup: backup, by: actor, at: now))
            case .takeover(let id): return .success(try decideTakeover(id, by: actor, at: now))
            case .note(let id, let text): return .success(try decideNote(id, text: text, by: actor))
            case .attempt(let id, let channel, let outcome, let next, let note):
                return .success(try decideAttempt(id, channel: channel, outcome: outcome, next: next, note: note, by: actor, at: now))
            case .setStatus(let request): return .success(try decideStatus(request, by: actor, at: now))
            case .outcome(let request): return .success(try decideOutcome(request, by: actor, at: now))
            case .away(let reason): return .success(decideAway(reason, by: actor, at: now))
            case .back: return .success(decideBack(by: actor))
            case .escalate(let id, let reason): return .success(try decideEscalate(id, reason: reason, by: actor))
            case .merge(let id, let target, let force): return .success(try decideMerge(id, into: target, force: force, by: actor))
            case .acknowledge(let id, let note): return .success(try decideAcknowledge(id, note: note, by: actor, at: now))
            case .next: return .success(try decideNext(by: actor, at: now))
            case .sweep: return .success(try decideSweep(by: actor, at: now))
            case .addPerson, .replaceToken, .removePerson: fatalError("handled above")
            }
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Shared checks

    func requireLead(_ id: LeadID) throws(CommandError) -> Lead {
        guard let lead = leads[id] else { throw missing(id) }
        return lead
    }

    func requireOpen(_ lead: Lead) throws(CommandError) {
        guard lead.isOpen else {
            throw CommandError(.conflict, fields: [Field("lead", lead.id), Field("status", lead.status.rawValue)],
                               "lead \(lead.id) is closed (\(lead.status.rawValue))")
        }
    }

    /// Office roles work the leads they own or back up; supervisors work any lead.
    func requireWorker(_ actor: Person, on lead: Lead, doing verb: String) throws(CommandError) {
        if actor.role.isSupervisor { return }
        guard actor.role.isOffice else {
            throw CommandError.denied(need: Role.office, lead: lead.id,
                                      "\(verb) is for office roles; you are \(actor.role.rawValue)")
        }
        guard lead.isHeld(by: actor.name) else {
            let holder = lead.owner.map { "it belongs to \($0)" } ?? "it has no owner"
            throw CommandError(.denied, fields: [Field("lead", lead.id), Field.person("owner", lead.owner)],
                               "lead \(lead.id) is not yours to \(verb.lowercased()): \(holder); claim it, or ask a dispatcher to assign it")
        }
    }

    func requireSupervisor(_ actor: Person, doing verb: String, lead: LeadID? = nil) throws(CommandError) {
        guard actor.role.isSupervisor else {
            throw CommandError.denied(need: Role.supervisors, lead: lead,
                                      "\(verb) needs the \(Role.supervisors.spokenList) role; you are \(actor.role.rawValue)")
        }
    }

    /// Someone in the shop, by name (as typed: any case).
    func requirePerson(_ name: String, argument: String) throws(CommandError) -> Person {
        let key = name.lowercased()
        guard let person = people[key] else {
            throw CommandError(.notFound, fields: [Field("arg", argument), Field("person", key)],
                               "there is no one called \(key); WHO lists everyone")
        }
        return person
    }

    /// A person who can hold callbacks (an office role), by name.
    func requireOfficePerson(_ name: String, argument: String) throws(CommandError) -> String {
        let key = name.lowercased()
        let person = try requirePerson(key, argument: argument)
        guard person.role.isOffice else {
            throw CommandError.invalid(argument: argument,
                                       "\(key) is a technician; callbacks go to office roles (\(Role.office.spokenList))")
        }
        return key
    }

    /// Resolves a typed time that must not lie in the past (a minute of slack).
    func resolveFuture(_ spec: TimeSpec, argument: String, now: Date) throws(CommandError) -> Date {
        let date = try resolveAny(spec, argument: argument, now: now)
        guard date >= now.addingTimeInterval(-60) else {
            throw CommandError.invalid(
                argument: argument,
                "\(argument)=\(policy.spoken(date, now: now)) is in the past; it is \(policy.spoken(now, now: now)) now")
        }
        return date
    }

    /// Resolves a typed time that tells of something done (when an estimate was sent, a
    /// job finished): now or before (a minute's grace for clocks), never to come.
    func resolvePast(_ spec: TimeSpec, argument: String, now: Date) throws(CommandError) -> Date {
        let date = try resolveAny(spec, argument: argument, now: now)
        guard date <= now.addingTimeInterval(60) else {
            throw CommandError.invalid(
                argument: argument,
                "\(argument)=\(policy.spoken(date, now: now)) is still to come; it tells when it was done, and it is \(policy.spoken(now, now: now)) now")
        }
        return date
    }

    /// Resolves a typed time, past or future,
    /// within ``TimeBounds``: every time a request may name goes through here.
    func resolveAny(_ spec: TimeSpec, argument: String, now: Date) throws(CommandError) -> Date {
        guard let date = spec.resolve(now: now, policy: policy) else {
            throw CommandError.invalid(argument: argument, "\(argument) names a day that does not exist")
        }
        guard TimeBounds.contains(date) else {
            throw CommandError.invalid(argument: argument, "\(argument) must be a time \(TimeBounds.spoken)")
        }
        return Timestamp.truncatedToMillis(date)
    }
}

extension Policy {
    /// A time as a person says it: `10:30` today, else `Tue 2026-11-24 10:30`.
    public func spoken(_ date: Date, now: Date) -> String {
        let c = calendar
        let parts = c.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        let clock = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        if c.isDate(date, inSameDayAs: now) { return clock }
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let day = days[((parts.weekday ?? 1) - 1) % 7]
        return String(format: "%@ %04d-%02d-%02d %@", day, parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, clock)
    }
}

import Foundation

extension Board {
    /// `AWAY`: the person is in the field, out or tied up. Each of their open leads'
    /// backups is alerted at once (001: "backup owner handles the call immediately"),
    /// or the ops lead when the backup is missing or away too.
    func decideAway(_ reason: String?, by actor: Person, at now: Date) -> Decision {
        if presence[actor.name] != nil {
            return Decision(changes: [], reply: [Field("person", actor.name), Field("presence", "away")],
                            message: "you are already away; BACK when you return")
        }
        var changes: [Change] = [.presence(person: actor.name, away: true, reason: reason)]
        let held = (openByOwner[actor.name] ?? []).sorted().compactMap { leads[$0] }
        for lead in held {
            changes.append(.alert(awayAlert(lead, owner: actor.name, reason: reason, since: now)))
        }
        return Decision(changes: changes, reply: [Field("person", actor.name), Field("presence", "away"), Field("leads", held.count)])
    }

    /// `BACK`: the person is back; their leads are theirs again.
    func decideBack(by actor: Person) -> Decision {
        guard presence[actor.name] != nil else {
            return Decision(changes: [], reply: [Field("person", actor.name), Field("presence", "back")],
                            message: "you were not away")
        }
        return Decision(changes: [.presence(person: actor.name, away: false, reason: nil)],
                        reply: [Field("person", actor.name), Field("presence", "back")])
    }

    /// The alert asking a lead's backup to handle it because its owner is away.
    func awayAlert(_ lead: Lead, owner: String, reason: String?, since: Date) -> Alert {
        let why = reason.map { " (\($0))" } ?? ""
        if let backup = lead.backup, !isAway(backup) {
            return Alert(kind: .away, lead: lead.id, person: owner, owner: owner, backup: backup, ask: [backup], anchor: since,
                         text: "\(owner) is away\(why); \(backup), as backup of \(lead.label), please handle it now: TAKEOVER \(lead.id).")
        }
        let ask = opsContacts()
        let gap = lead.backup.map { "its backup \($0) is away too" } ?? "it has no backup"
        return Alert(kind: .away, lead: lead.id, person: owner, owner: owner, backup: lead.backup, ask: ask, anchor: since,
                     text: "\(owner) is away\(why) and \(gap); \(named(ask)), please reassign \(lead.label).")
    }
}

import Foundation

/// Who the SOP clock asks to act, and how it says why.
extension Board {
    /// Whether `name` is away.
    public func isAway(_ name: String?) -> Bool {
        guard let name else { return false }
        return presence[name] != nil
    }

    /// People with `role` who are not away, by name.
    func available(_ role: Role) -> [String] {
        people.values.filter { $0.role == role && presence[$0.name] == nil }.map(\.name).sorted()
    }

    /// The ops lead(s), else the owner(s): where escalations go.
    func opsContacts() -> [String] {
        let ops = available(.ops)
        if !ops.isEmpty { return ops }
        let owners = available(.owner)
        return owners.isEmpty ? people.values.filter { $0.role == .owner }.map(\.name).sorted() : owners
    }

    /// Where a lead that `lapsed` (its owner, its backup) let slip is escalated: the
    /// ops lead(s) who were not among them, else the owner role's people who were not
    /// (present ones first, else away ones), else — when everyone who could be asked
    /// let it slip — the ops lead(s) anyway. An ops lead who backed
    /// the lead and did not act is not the one asked to rescue it.
    func escalationContacts(past lapsed: [String?]) -> [String] {
        let passed = Set(lapsed.compactMap { $0 })
        let ops = available(.ops).filter { !passed.contains($0) }
        if !ops.isEmpty { return ops }
        let owners = available(.owner).filter { !passed.contains($0) }
        if !owners.isEmpty { return owners }
        let anyOwner = people.values.filter { $0.role == .owner && !passed.contains($0.name) }.map(\.name).sorted()
        return anyOwner.isEmpty ? opsContacts() : anyOwner
    }

    /// The dispatcher(s), else the ops lead(s), else the owner(s): who assigns leads.
    func dispatchContacts() -> [String] {
        let dispatchers = available(.dispatcher)
        return dispatchers.isEmpty ? opsContacts() : dispatchers
    }

    /// The owner role: where owner-level exceptions go (004).
    func ownerContacts() -> [String] {
        let owners = available(.owner)
        return owners.isEmpty ? people.values.filter { $0.role == .owner }.map(\.name).sorted() : owners
    }

    /// "omar (ops)" or "dora and dan (dispatcher)".
    func named(_ names: [String]) -> String {
        guard !names.isEmpty else { return "nobody (no one has that role)" }
        let role = names.first.flatMap { people[$0]?.role.rawValue } ?? ""
        let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
        return role.isEmpty ? list : "\(list) (\(role))"
    }

    /// The backup the policy's rules give a lead with this kind, value and owner, on
    /// this day: by kind, then by person, then by weekday rotation; never the owner,
    /// never someone unknown or who cannot hold callbacks.
    func ruleBackup(kind: LeadKind, value: Int?, owner: String?, at date: Date) -> String? {
        let rules = policy.backups
        guard !rules.isEmpty else { return nil }
        var candidates: [String] = []
        if let rule = rules.byKind[kind], rule.minValue.map({ (value ?? 0) >= $0 }) ?? true { candidates.append(rule.backup) }
        if let owner, let fixed = rules.byPerson[owner] { candidates.append(fixed) }
        let weekday = policy.calendar.component(.weekday, from: date)
        if let rotating = rules.rotation[weekday] { candidates.append(rotating) }
        return candidates.first { name in
            name != owner && people[name]?.role.isOffice == true
        }
    }

    /// The alert to the owner role when the policy names people who do not exist (yet):
    /// leads fall through to the next backup rule until they are added.
    public func unknownPolicyNamesAlert(_ unknown: [PolicyName]) -> Change {
        let ask = ownerContacts()
        let list = unknown.map { "\($0.name) (policy.\($0.field))" }.joined(separator: ", ")
        return .alert(Alert(kind: .escalation, lead: nil, owner: nil, backup: nil, ask: ask, anchor: nil,
                            text: "the policy names people who do not exist: \(list); until they are added (USER ADD <name> role=<role>), "
                                + "leads fall through to the next backup rule. \(named(ask)), add them or fix the policy."))
    }
}

extension Board {
    /// Every open lead, read from the holder indexes (an open lead has an owner or is
    /// in ``openUnowned``): what is open, never the whole of history.
    public var openLeads: [Lead] {
        var out: [Lead] = []
        out.reserveCapacity(openUnowned.count)
        for id in openUnowned { if let lead = leads[id] { out.append(lead) } }
        for ids in openByOwner.values { for id in ids { if let lead = leads[id] { out.append(lead) } } }
        return out
    }

    /// How many leads are open.
    var openCount: Int { openByOwner.values.reduce(openUnowned.count) { $0 + $1.count } }

    /// Calls `body` with every open lead, in no promised order, copying no list. When
    /// most leads are open, walking the table in order (memory in order) beats hopping
    /// through the indexes.
    func forEachOpenLead(_ body: (Lead) -> Void) {
        if openCount * 2 >= leads.count {
            for lead in leads.values where lead.isOpen { body(lead) }
            return
        }
        for id in openUnowned { if let lead = leads[id] { body(lead) } }
        for ids in openByOwner.values { for id in ids { if let lead = leads[id] { body(lead) } } }
    }

    /// Whether some open lead satisfies `test`, stopping at the first.
    func anyOpenLead(_ test: (Lead) -> Bool) -> Bool {
        for id in openUnowned { if let lead = leads[id], test(lead) { return true } }
        for ids in openByOwner.values { for id in ids { if let lead = leads[id], test(lead) { return true } } }
        return false
    }
}

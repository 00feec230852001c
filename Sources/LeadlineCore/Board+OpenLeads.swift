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

    /// Calls `body` with every open lead, in no promised order, copying no list.
    func forEachOpenLead(_ body: (Lead) -> Void) {
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

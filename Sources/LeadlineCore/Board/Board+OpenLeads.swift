extension Board {
    /// The open leads that pass `test`, in no promised order: only those are copied.
    /// (A list of every open lead, each a few hundred bytes, would be a second board
    /// for a moment: on 100,000 open leads it left the server 47 MiB larger for good.)
    public func openLeads(where test: (Lead) -> Bool) -> [Lead] {
        var out: [Lead] = []
        forEachOpenLead { if test($0.pointee) { out.append($0.pointee) } }
        return out
    }

    /// The ids of every open lead, ascending: eight bytes each, no lead copied.
    func openLeadIDs() -> [LeadID] {
        var ids: [LeadID] = []
        ids.reserveCapacity(openCount)
        forEachOpenLead { ids.append($0.pointee.id) }
        ids.sort()
        return ids
    }

    /// How many leads are open.
    var openCount: Int { openByOwner.values.reduce(openUnowned.count) { $0 + $1.count } }

    /// Calls `body` with the address of every open lead, in no promised order, copying
    /// neither a list nor a lead (a copy retains every string in it: a tenth of a
    /// `LIST`'s CPU). When most leads are open, walking the table in order (memory in
    /// order) beats hopping through the indexes.
    func forEachOpenLead(_ body: (UnsafePointer<Lead>) -> Void) {
        if openCount * 2 >= leads.count {
            leads.forEachResidentLead { if $0.pointee.isOpen { body($0) } }
            return
        }
        for id in openUnowned { leads.withLead(id, body) }
        for ids in openByOwner.values { for id in ids { leads.withLead(id, body) } }
    }

    /// Whether some open lead satisfies `test`, stopping at the first.
    func anyOpenLead(_ test: (Lead) -> Bool) -> Bool {
        for id in openUnowned { if let lead = leads[id], test(lead) { return true } }
        for ids in openByOwner.values { for id in ids { if let lead = leads[id], test(lead) { return true } } }
        return false
    }
}

/// Two boards are equal when they hold the same state, wherever each holds it: a board
/// started from a snapshot keeps closed leads in the store that one replayed from the
/// whole journal keeps in memory (start-up from a snapshot and the journal after it
/// must equal start-up from the whole journal). Only tests compare boards.
extension Board {
    /// How many stored properties a board has: `==` compares every one, and a test holds
    /// this to the type, so a new one cannot be forgotten.
    public static let storedPropertyCount = 20

    public static func == (a: Board, b: Board) -> Bool {
        guard a.leads == b.leads, a.sameHistories(as: b) else { return false }
        return a.people == b.people && a.lastSeq == b.lastSeq && a.nextLeadID == b.nextLeadID && a.ledger == b.ledger
            && a.lastRealWork == b.lastRealWork && a.lastDrillWork == b.lastDrillWork && a.reviewedThrough == b.reviewedThrough
            && a.handoffTurns == b.handoffTurns && a.sweptThrough == b.sweptThrough && a.presence == b.presence
            && a.openByPhone == b.openByPhone && a.openByOwner == b.openByOwner && a.openByBackup == b.openByBackup
            && a.openUnowned == b.openUnowned && a.importOrigins == b.importOrigins && a.scores == b.scores
            && a.alertIndex == b.alertIndex && a.policy == b.policy
    }

    /// Every lead's event numbers, in memory or in the store.
    private func sameHistories(as other: Board) -> Bool {
        if leads.store == nil, other.leads.store == nil { return histories == other.histories }
        return leads.keys.allSatisfy { history(of: $0) == other.history(of: $0) }
    }
}

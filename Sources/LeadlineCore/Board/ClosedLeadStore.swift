/// Where closed leads live once they are out of memory: a lead closed (and not touched
/// since) is written by the server's snapshot thread to a file of its own, and the board
/// keeps only where it lies. Memory then holds what is open and what the rules need,
/// not every lead the shop ever had (issue: «Cost that grows with the work»).
///
/// The board stays pure: the store is injected, as the clock is. A test board has none,
/// and keeps every lead in memory.
public protocol ClosedLeadStore: AnyObject, Sendable {
    /// The lead written at `offset`, with its event numbers; nil when it cannot be read
    /// back (the file was damaged or removed): `leadlined check` names the record.
    func read(at offset: UInt64) -> StoredLead?
}

/// A closed lead as the store holds it: the lead and the numbers of its events.
public struct StoredLead: Sendable, Equatable {
    public var lead: Lead
    public var history: [UInt64]

    public init(lead: Lead, history: [UInt64]) {
        self.lead = lead
        self.history = history
    }
}

/// A closed lead the store took, for the boards to let go of: where it was written,
/// and the box and history it was written from (a board whose copy changed since, by a
/// reopening or a note, keeps its own).
public struct ClosedLeadWritten: @unchecked Sendable {
    public let id: LeadID
    public let offset: UInt64
    let box: LeadTable.Box
    let historyCount: Int
}

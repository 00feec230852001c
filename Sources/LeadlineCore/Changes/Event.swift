import Foundation

/// A numbered, timed, attributed ``Change``: the unit the journal stores, clients
/// receive, and `SINCE` replays.
///
/// `seq` grows by one per event, server-wide and across restarts. A tagged state
/// change carries its tag and the reply it got on its last event, so a retry with the
/// same tag is answered as before, also after a restart.
public struct Event: Sendable, Equatable {
    public let seq: UInt64
    public let at: Date
    /// Who caused it; `nil` for the server itself (alerts, the first owner account).
    public let by: String?
    public let change: Change
    public var tag: String?
    public var reply: String?
    /// Whether `at` was read from a simulated clock: the event is a drill's, not real
    /// work. Journaled (`"clock":"sim"`), never sent.
    public var simulated: Bool

    public init(seq: UInt64, at: Date, by: String?, change: Change, tag: String? = nil, reply: String? = nil,
                simulated: Bool = false) {
        self.seq = seq
        self.at = at
        self.by = by
        self.change = change
        self.tag = tag
        self.reply = reply
        self.simulated = simulated
    }

    public var lead: LeadID? { change.lead }
    /// For a repair's `VOID` stand-in, the last number it covers.
    public var voidedThrough: UInt64? {
        if case .voided(let through, _) = change { through } else { nil }
    }
    public var isPrivate: Bool { change.isPrivate }
    public var type: String { change.type }
    public var record: EventRecord { change.record }
}

import LeadlineCore

/// The events the journal was last asked for, kept decoded so that a lead someone is
/// working on (shown again and again while they call) is not parsed from the file each
/// time: decoding its lines was about a quarter of a `SHOW`'s cost.
///
/// A journaled event never changes, so nothing here is ever stale and nothing needs
/// invalidating. Memory is bounded: two generations of at most `capacity / 2` events
/// each; when the young one fills, the old one is dropped and the young one takes its
/// place. A hit in the old generation moves the event to the young one, so what is
/// read often stays and what was read once ages out — least-recently-used in effect,
/// without a list to keep in order.
struct RecentlyRead {
    private var young: [UInt64: Event] = [:]
    private var old: [UInt64: Event] = [:]
    private let generation: Int

    /// `capacity` events at most (0 keeps nothing).
    init(capacity: Int) {
        generation = max(0, capacity / 2)
    }

    /// Event `seq`, if it was read recently.
    mutating func event(_ seq: UInt64) -> Event? {
        if let event = young[seq] { return event }
        guard let event = old.removeValue(forKey: seq) else { return nil }
        keep(event, as: seq)
        return event
    }

    /// Remembers event `seq`, dropping the oldest generation when the young one is full.
    mutating func keep(_ event: Event, as seq: UInt64) {
        guard generation > 0 else { return }
        if young.count >= generation {
            old = young
            young = [:]
            young.reserveCapacity(generation)
        }
        young[seq] = event
    }

    /// How many events are held (both generations).
    var count: Int { young.count + old.count }
}

import LeadlineCore

/// The last events, in order, kept in memory so `SINCE` can replay them.
///
/// A ring of fixed capacity: a client that was away for longer than the window is
/// told so, and resynchronises with `LIST` and `SHOW` (as a Redis replica does a
/// full resync when its backlog is gone).
struct RecentEvents {
    private var ring: [Event?]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        ring = Array(repeating: nil, count: max(1, capacity))
    }

    mutating func append(_ event: Event) {
        ring[(head + count) % ring.count] = event
        if count < ring.count {
            count += 1
        } else {
            head = (head + 1) % ring.count
        }
    }

    /// The newest event kept, if any.
    var last: Event? { count == 0 ? nil : ring[(head + count - 1) % ring.count] }

    /// The oldest kept event's seq, if any.
    var firstSeq: UInt64? { count == 0 ? nil : ring[head]?.seq }

    /// Up to `max` events with seq greater than `seq` and at most `last`, oldest first;
    /// nil when the one after `seq` is no longer kept. Costs what it returns.
    func events(after seq: UInt64, through last: UInt64, max: Int) -> [Event]? {
        guard seq < last else { return [] }
        guard let first = firstSeq, seq + 1 >= first else { return nil }
        // The first kept event after `seq`, by binary search (a repair's VOID spans
        // several numbers, so positions and numbers need not line up).
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if (ring[(head + mid) % ring.count]?.seq ?? 0) <= seq { low = mid + 1 } else { high = mid }
        }
        let skip = low
        let end = Swift.min(count, skip + max)
        var out: [Event] = []
        out.reserveCapacity(Swift.max(0, end - skip))
        for i in skip..<Swift.max(skip, end) {
            guard let event = ring[(head + i) % ring.count], event.seq <= last else { break }
            out.append(event)
        }
        return out
    }
}

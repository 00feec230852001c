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

    /// Events with seq greater than `seq`, oldest first.
    func after(_ seq: UInt64) -> [Event] {
        guard let first = firstSeq else { return [] }
        let skip = seq >= first ? Int(seq - first + 1) : 0
        guard skip < count else { return [] }
        return (skip..<count).compactMap { ring[(head + $0) % ring.count] }
    }
}

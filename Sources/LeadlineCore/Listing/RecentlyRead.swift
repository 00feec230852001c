/// Values last asked for by number, kept so that what is asked for again and again is
/// not made again each time: the server keeps the `HISTORY` lines of the events `SHOW`
/// last read, since a lead being worked is shown again and again while people call, and
/// reading its lines back from the journal and rendering them was about a third of a
/// `SHOW`'s cost.
///
/// For values that never change once made (a journaled event never does), so nothing
/// here is ever stale and nothing needs invalidating. Memory is bounded: two
/// generations of at most `capacity / 2` values each; when the young one fills, the old
/// one is dropped and the young one takes its place. A hit in the old generation moves
/// the value to the young one, so what is asked for often stays and what was asked for
/// once ages out — least-recently-used in effect, without a list to keep in order.
public struct RecentlyRead<Value> {
    private var young: [UInt64: Value] = [:]
    private var old: [UInt64: Value] = [:]
    private let generation: Int

    /// `capacity` values at most (0 keeps nothing).
    public init(capacity: Int) {
        generation = max(0, capacity / 2)
    }

    /// Value `key`, if it was kept recently.
    public mutating func value(_ key: UInt64) -> Value? {
        if let value = young[key] { return value }
        guard let value = old.removeValue(forKey: key) else { return nil }
        keep(value, as: key)
        return value
    }

    /// Remembers `value` as `key`, dropping the oldest generation when the young one is full.
    public mutating func keep(_ value: Value, as key: UInt64) {
        guard generation > 0 else { return }
        if young.count >= generation {
            old = young
            young = [:]
            young.reserveCapacity(generation)
        }
        young[key] = value
    }

    /// How many values are held (both generations).
    public var count: Int { young.count + old.count }
}

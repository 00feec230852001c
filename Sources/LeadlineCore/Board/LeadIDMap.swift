/// Values by lead id, in an array indexed by the id.
///
/// Lead ids are small and dense (1, 2, 3, ... as leads come in), so an array holds one
/// value per lead with no hashing, no keys stored and no empty buckets — a dictionary of
/// 100,000 leads keeps 262,144 buckets. An id far beyond the others (only a hand-made
/// or damaged journal has one) goes to a dictionary instead, so it cannot make the
/// array huge.
struct LeadIDMap<Value> {
    private var dense: [Value?] = []
    private var sparse: [LeadID: Value] = [:]
    private(set) var count = 0

    init() {}

    /// Whether `id` belongs in the array: within it, or close enough to grow it to.
    private func isDense(_ id: LeadID) -> Bool {
        id >= 0 && (id < dense.count || id <= 2 * count + 65_536)
    }

    subscript(id: LeadID) -> Value? {
        get {
            if id >= 0, id < dense.count, let value = dense[id] { return value }
            return sparse.isEmpty ? nil : sparse[id]
        }
        // A plain setter, not a `_modify` coroutine (whose frame is allocated on every
        // call): a value changed in place goes through ``update(_:_:)``.
        set { update(id) { $0 = newValue } }
    }

    /// Calls `body` with the value for `id` (nil when there is none) to change in place:
    /// one look-up, and no copy of the value (through the subscript, a value read, changed
    /// and set back would be copied, and its array with it).
    mutating func update<R>(_ id: LeadID, _ body: (inout Value?) -> R) -> R {
        if isDense(id), sparse[id] == nil {
            if id >= dense.count { dense.append(contentsOf: repeatElement(nil, count: id + 1 - dense.count)) }
            let had = dense[id] != nil
            let result = body(&dense[id])
            count += (dense[id] != nil ? 1 : 0) - (had ? 1 : 0)
            return result
        }
        let had = sparse[id] != nil
        let result = body(&sparse[id])
        count += (sparse[id] != nil ? 1 : 0) - (had ? 1 : 0)
        return result
    }

    /// The ids held, ascending.
    var keys: [LeadID] {
        var out: [LeadID] = []
        out.reserveCapacity(count)
        for (id, value) in dense.enumerated() where value != nil { out.append(id) }
        if !sparse.isEmpty { out = (out + sparse.keys).sorted() }
        return out
    }

    /// Every (id, value), ascending by id.
    var entries: [(key: LeadID, value: Value)] {
        var out: [(key: LeadID, value: Value)] = []
        out.reserveCapacity(count)
        for (id, value) in dense.enumerated() { if let value { out.append((id, value)) } }
        if !sparse.isEmpty { out = (out + sparse.map { ($0.key, $0.value) }).sorted { $0.key < $1.key } }
        return out
    }

    /// Every value, ascending by id in the array (then any far-off ones), as a sequence
    /// that copies nothing.
    var values: Values { Values(map: self) }

    struct Values: Sequence {
        let map: LeadIDMap

        struct Iterator: IteratorProtocol {
            let map: LeadIDMap
            var index = 0
            var far: Dictionary<LeadID, Value>.Values.Iterator?

            mutating func next() -> Value? {
                while index < map.dense.count {
                    defer { index += 1 }
                    if let value = map.dense[index] { return value }
                }
                if far == nil { far = map.sparse.values.makeIterator() }
                return far?.next()
            }
        }

        func makeIterator() -> Iterator { Iterator(map: map) }
    }

    /// Calls `body` with every value, in no promised order, copying nothing.
    func forEachValue(_ body: (LeadID, Value) -> Void) {
        for (id, value) in dense.enumerated() { if let value { body(id, value) } }
        for (id, value) in sparse { body(id, value) }
    }
}

extension LeadIDMap: Equatable where Value: Equatable {
    static func == (a: LeadIDMap, b: LeadIDMap) -> Bool {
        guard a.count == b.count else { return false }
        var same = true
        a.forEachValue { id, value in if same, b[id] != value { same = false } }
        return same
    }
}

extension LeadIDMap: Sendable where Value: Sendable {}

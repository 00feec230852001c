/// The numbers of one lead's events, oldest first: the first held inline, the rest in
/// an array that is only allocated once there is a second. Most open leads have few
/// events, and a board holds one of these per lead.
struct EventNumbers: Sendable, Equatable {
    let first: UInt64
    private(set) var rest: [UInt64] = []

    init(first: UInt64) { self.first = first }

    init?(_ seqs: [UInt64]) {
        guard let first = seqs.first else { return nil }
        self.first = first
        rest = Array(seqs.dropFirst())
    }

    mutating func append(_ seq: UInt64) { rest.append(seq) }

    var all: [UInt64] { [first] + rest }

    var count: Int { 1 + rest.count }
}

/// The open leads with one phone number: almost always one, held without a set.
public enum PhoneLeads: Sendable, Equatable {
    case one(LeadID)
    case many(Set<LeadID>)

    /// The oldest of them.
    public var oldest: LeadID {
        switch self {
        case .one(let id): id
        case .many(let ids): ids.min()!
        }
    }

    mutating func insert(_ id: LeadID) {
        switch self {
        case .one(let existing) where existing != id: self = .many([existing, id])
        case .one: break
        case .many(var ids):
            self = .one(id)  // let go of the set while it changes, so it is not copied
            ids.insert(id)
            self = .many(ids)
        }
    }

    /// Removes `id`; false when none is left.
    mutating func remove(_ id: LeadID) -> Bool {
        switch self {
        case .one(let existing): return existing != id
        case .many(var ids):
            self = .one(id)
            ids.remove(id)
            if ids.count == 1 { self = .one(ids.first!) } else { self = .many(ids) }
            return !ids.isEmpty
        }
    }
}

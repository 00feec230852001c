/// The connections that have not logged in yet, by remote address, with their own
/// bounded share of the server so idle sockets cannot lock real users out.
///
/// Ten thousand sockets that never log in once filled every connection slot. Now
/// connections that have not logged in share a smaller pool (1,000 by default), and
/// each address a slice of it (64). When the pool or an address's slice is full, the
/// newcomer is let in and the oldest waiting connection of the busiest address (or of
/// that address) is closed: an attacker's flood evicts itself, and a person connecting
/// from anywhere gets a slot and time to type LOGIN. Pure: the hub closes what it says.
struct PendingLogins {
    let total: Int
    let perAddress: Int
    /// Connection ids by address, oldest first.
    private var byAddress: [String: [Int]] = [:]
    private(set) var count = 0

    init(total: Int, perAddress: Int) {
        self.total = max(1, total)
        self.perAddress = max(1, perAddress)
    }

    /// Admits connection `id` from `address`; returns the connection to close to make
    /// room, if one must go.
    mutating func admit(_ id: Int, from address: String) -> Int? {
        var evicted: Int?
        if byAddress[address, default: []].count >= perAddress {
            evicted = evictOldest(of: address)
        } else if count >= total, let busiest = byAddress.max(by: { a, b in
            // The busiest address; among equals, the one whose oldest has waited longest.
            (a.value.count, -(a.value.first ?? 0)) < (b.value.count, -(b.value.first ?? 0))
        })?.key {
            evicted = evictOldest(of: busiest)
        }
        byAddress[address, default: []].append(id)
        count += 1
        return evicted
    }

    /// The connection logged in or closed: it no longer waits.
    mutating func remove(_ id: Int, from address: String) {
        guard var ids = byAddress[address], let index = ids.firstIndex(of: id) else { return }
        ids.remove(at: index)
        byAddress[address] = ids.isEmpty ? nil : ids
        count -= 1
    }

    /// How many connections from `address` wait.
    func waiting(from address: String) -> Int { byAddress[address]?.count ?? 0 }

    private mutating func evictOldest(of address: String) -> Int? {
        guard let oldest = byAddress[address]?.first else { return nil }
        remove(oldest, from: address)
        return oldest
    }
}

import Foundation

/// The replies to tagged state changes, per person, so a retried request (same
/// person, same tag) is answered as before instead of being applied twice.
///
/// Rebuilt from the journal on start-up, so it holds across restarts. Bounded, but
/// never below what a retry needs: a tag is kept for at least ``retention`` (a day,
/// by the time of its event) and, beyond that, among the person's last ``capacity``.
/// A phone that was off while the same person worked elsewhere all day still gets its
/// first answer when it retries.
public struct TagLedger: Sendable, Equatable {
    public static let capacity = 1024
    public static let retention: TimeInterval = 86_400

    var replies: [String: [String: String]] = [:]
    /// Each person's tags, oldest first, with their event's time.
    var order: [String: [(tag: String, at: Date)]] = [:]

    public init() {}

    /// The reply a tagged request by `person` got, if it was a state change we recorded.
    public func reply(person: String, tag: String) -> String? {
        replies[person]?[tag]
    }

    public mutating func remember(person: String, tag: String, reply: String, at: Date) {
        guard replies[person, default: [:]].updateValue(reply, forKey: tag) == nil else { return }
        var tags = order[person, default: []]
        tags.append((tag, at))
        var drop = 0
        while tags.count - drop > Self.capacity, at.timeIntervalSince(tags[drop].at) > Self.retention {
            replies[person]?[tags[drop].tag] = nil
            drop += 1
        }
        order[person] = drop > 0 ? Array(tags.dropFirst(drop)) : tags
    }

    /// How many tags `person` has kept.
    public func count(person: String) -> Int { order[person]?.count ?? 0 }

    public static func == (a: TagLedger, b: TagLedger) -> Bool {
        a.replies == b.replies && a.order.mapValues { $0.map(\.tag) } == b.order.mapValues { $0.map(\.tag) }
            && a.order.mapValues { $0.map(\.at) } == b.order.mapValues { $0.map(\.at) }
    }
}

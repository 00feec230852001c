/// The replies to tagged state changes, per person, so a retried request (same
/// person, same tag) is answered as before instead of being applied twice.
///
/// Rebuilt from the journal on start-up, so it holds across restarts. Bounded: each
/// person's oldest tags are forgotten past ``capacity``; a client retries within
/// seconds or minutes, not hundreds of requests later.
public struct TagLedger: Sendable, Equatable {
    public static let capacity = 1024

    private var replies: [String: [String: String]] = [:]
    private var order: [String: [String]] = [:]

    public init() {}

    /// The reply a tagged request by `person` got, if it was a state change we recorded.
    public func reply(person: String, tag: String) -> String? {
        replies[person]?[tag]
    }

    public mutating func remember(person: String, tag: String, reply: String) {
        if replies[person, default: [:]].updateValue(reply, forKey: tag) == nil {
            order[person, default: []].append(tag)
            if let tags = order[person], tags.count > Self.capacity {
                let drop = tags.count - Self.capacity
                for old in tags.prefix(drop) { replies[person]?[old] = nil }
                order[person] = Array(tags.dropFirst(drop))
            }
        }
    }
}

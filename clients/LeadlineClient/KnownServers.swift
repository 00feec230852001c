/// The certificates of self-signed servers a person chose to trust, by fingerprint, as
/// ssh keeps `known_hosts`: `~/.config/leadline/known_servers`.
///
/// ```
/// # Leadline: servers whose self-signed certificates you chose to trust
/// tls://shop.example.com:7701 2E:67:0B:...:6D:A7
/// ```
public struct KnownServers: Sendable, Equatable {
    public let path: String
    private var fingerprints: [String: String] = [:]

    /// `LEADLINE_KNOWN_SERVERS`, else `known_servers` beside the credentials.
    public static func defaultPath(environment: [String: String]) -> String {
        if let path = environment["LEADLINE_KNOWN_SERVERS"], !path.isEmpty { return path }
        return PrivateFile.configPath("known_servers", environment: environment)
    }

    /// The file at `path` (none yet: an empty list).
    public static func load(path: String) throws(ClientError) -> KnownServers {
        var known = KnownServers(path: path)
        guard let text = try PrivateFile.read(path) else { return known }
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = raw.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if words.isEmpty || words[0].hasPrefix("#") { continue }
            guard words.count == 2, let address = ServerAddress(words[0]), let fingerprint = Fingerprint.normalized(words[1]) else {
                throw ClientError.usage("\(path) line \(number + 1): expected tls://HOST:PORT FINGERPRINT")
            }
            known.fingerprints[address.description] = fingerprint
        }
        return known
    }

    private init(path: String) { self.path = path }

    /// The fingerprint trusted for `address`, if any.
    public func fingerprint(for address: ServerAddress) -> String? { fingerprints[address.description] }

    /// Trusts `fingerprint` for `address` from now on, and saves the list.
    public mutating func trust(_ fingerprint: String, for address: ServerAddress) throws(ClientError) {
        fingerprints[address.description] = fingerprint
        var text = "# Leadline: servers whose self-signed certificates you chose to trust\n"
        for (server, fingerprint) in fingerprints.sorted(by: { $0.key < $1.key }) { text += "\(server) \(fingerprint)\n" }
        try PrivateFile.write(text, to: path)
    }
}

/// SHA-256 fingerprints as people copy them: with or without colons, either case.
public enum Fingerprint {
    /// `AB:CD:...` (32 pairs), or nil when `text` is not 64 hex digits.
    public static func normalized(_ text: String) -> String? {
        let digits = text.filter { $0 != ":" }.uppercased()
        guard digits.count == 64, digits.allSatisfy(\.isHexDigit) else { return nil }
        var pairs: [String] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            pairs.append(String(digits[index..<next]))
            index = next
        }
        return pairs.joined(separator: ":")
    }
}

import LeadlineCore

/// `key=value` pairs of a server line, in order, values unquoted.
public struct WireFields: Sendable, Equatable {
    public private(set) var pairs: [(String, String)] = []

    public init(_ pairs: [(String, String)] = []) { self.pairs = pairs }

    public subscript(_ key: String) -> String? { pairs.first { $0.0 == key }?.1 }

    /// A person or time field, nil for `none`.
    public func value(_ key: String) -> String? {
        let v = self[key]
        return v == "none" ? nil : v
    }

    public static func == (a: WireFields, b: WireFields) -> Bool {
        a.pairs.map { $0.0 + "=" + $0.1 } == b.pairs.map { $0.0 + "=" + $0.1 }
    }
}

/// One line from the server, read into its parts (the client's side of the codec).
public enum ServerLine: Sendable, Equatable {
    case hello(name: String, fields: WireFields, text: String?)
    case ok(tag: String?, verb: String, fields: WireFields, text: String?)
    case err(tag: String?, code: String, fields: WireFields, message: String?)
    /// A pushed event, or (tagged) an event replayed by `SINCE`.
    case event(tag: String?, seq: UInt64, type: String, fields: WireFields, text: String?)
    /// A row of a multi-line reply: `LEAD 42 ...`, `HISTORY ...`, `PERSON ana ...`, `HELP :...`.
    case data(tag: String?, keyword: String, words: [String], fields: WireFields, text: String?)
    case ping(String)
    case bye(code: String?, text: String?)

    /// The tag of a reply line, if any.
    public var tag: String? {
        switch self {
        case .ok(let t, _, _, _), .err(let t, _, _, _), .event(let t, _, _, _, _), .data(let t, _, _, _, _): return t
        default: return nil
        }
    }

    /// Reads a line as the server writes it.
    public static func parse(_ line: String) -> ServerLine {
        var rest = Substring(line)
        var tag: String?
        if rest.first == "@", let space = rest.firstIndex(of: " ") {
            tag = String(rest[..<space])
            rest = rest[rest.index(after: space)...]
        }
        let end = rest.firstIndex(of: " ") ?? rest.endIndex
        let keyword = String(rest[..<end])
        var scanner = ArgumentScanner(rest[end...])
        var words: [String] = []
        var pairs: [(String, String)] = []
        var text: String?
        while let token = try? scanner.next() {
            switch token {
            case .word(let w): words.append(w)
            case .pair(let k, let v): pairs.append((k, v))
            case .text(let t): text = t
            }
        }
        let fields = WireFields(pairs)
        switch keyword {
        case "HELLO": return .hello(name: words.first ?? "", fields: fields, text: text)
        case "OK": return .ok(tag: tag, verb: words.first ?? "", fields: fields, text: text)
        case "ERR": return .err(tag: tag, code: words.first ?? "", fields: fields, message: text)
        case "PING" where tag == nil: return .ping(words.first ?? "")
        case "BYE": return .bye(code: words.first, text: text)
        case "EVENT":
            if words.count >= 2, let seq = UInt64(words[0]) {
                return .event(tag: tag, seq: seq, type: words[1], fields: fields, text: text)
            }
            return .data(tag: tag, keyword: keyword, words: words, fields: fields, text: text)
        default:
            return .data(tag: tag, keyword: keyword, words: words, fields: fields, text: text)
        }
    }
}

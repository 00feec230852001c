import LeadlineCore

/// How a verb reads its arguments, and how HELP explains it to a person. A class: one
/// is looked up for every request, and a reference is handed on where a value of ten
/// strings and arrays was copied.
///
/// One table (``VerbCatalog``) drives both the parser and the HELP text, so what
/// HELP promises is what the parser accepts.
public final class VerbSpec: Sendable {
    /// How a verb takes free text.
    public enum TextRule: Sendable {
        /// No free text.
        case none
        /// Only after ` :`.
        case afterColon
        /// The rest of the line after the positional arguments and known keys,
        /// with or without the `:` (NOTE, RELEASE, ATTEMPT, ...).
        case rest
    }

    public let verb: Verb
    /// The verb in capitals, as typed and echoed.
    public var name: String { verb.rawValue }
    /// `CLAIM <lead>`.
    public let usage: String
    /// One line for the HELP overview.
    public let summary: String
    /// Further lines for `HELP <VERB>`.
    public let details: [String]
    public let examples: [String]
    /// Whether the verb needs a logged-in connection.
    public let needsLogin: Bool
    let required: [String]
    let optional: [String]
    /// The `key=` arguments the verb knows.
    public let keys: [String]
    /// The same, to look up: made once with the catalog, not for every request.
    let keySet: Set<String>
    public let text: TextRule

    /// How many positional words the verb takes before its keys and free text.
    public var positionalCount: Int { required.count + optional.count }

    init(_ verb: Verb, usage: String, summary: String, details: [String] = [], examples: [String] = [],
         needsLogin: Bool = true, required: [String] = [], optional: [String] = [], keys: [String] = [],
         text: TextRule = .none) {
        self.verb = verb
        self.usage = usage
        self.summary = summary
        self.details = details
        self.examples = examples
        self.needsLogin = needsLogin
        self.required = required
        self.optional = optional
        self.keys = keys
        keySet = Set(keys)
        self.text = text
    }
}

/// A request's arguments, split by its verb's ``VerbSpec``.
struct ParsedArguments {
    var positionals: [String] = []
    var pairs: [String: String] = [:]
    var text: String?

    func positional(_ i: Int) -> String? { i < positionals.count ? positionals[i] : nil }
}

extension VerbSpec {
    /// Splits the arguments after the verb, or says what is wrong with them.
    func parse(_ scanner: inout ArgumentScanner) throws(CommandError) -> ParsedArguments {
        var args = ParsedArguments()
        let capacity = required.count + optional.count
        while !scanner.atEnd {
            if text == .rest, args.positionals.count >= required.count, !scanner.nextIsPair(in: keySet) {
                args.text = scanner.rest()
                break
            }
            guard let token = try scanner.next() else { break }
            switch token {
            case .text(let t):
                guard text != .none else {
                    throw CommandError.invalid(argument: "text", "\(name) takes no free text; usage: \(usage)")
                }
                args.text = t.isEmpty ? nil : t
            case .pair(let key, let value):
                guard keySet.contains(key) else {
                    let allowed = keys.isEmpty ? "\(name) takes no key=value arguments" : "\(name) knows \(keys.map { $0 + "=" }.joined(separator: " "))"
                    throw CommandError.invalid(argument: key, "unknown argument \(key)=; \(allowed)")
                }
                guard args.pairs[key] == nil else {
                    throw CommandError.invalid(argument: key, "\(key)= is given twice")
                }
                args.pairs[key] = value
            case .word(let word):
                guard args.positionals.count < capacity else {
                    throw CommandError.invalid(argument: word, "unexpected \"\(word)\"; usage: \(usage)")
                }
                args.positionals.append(word)
            }
        }
        if args.positionals.count < required.count {
            let missing = required[args.positionals.count]
            throw CommandError.invalid(argument: missing, "\(name) needs \(missing); usage: \(usage)")
        }
        return args
    }
}

import LeadlineWire

/// What `leadline` was asked to do.
public enum ClientMode: Sendable, Equatable {
    /// The prompt (`leadline`, `leadline connect HOST:PORT`).
    case interactive
    /// The supervisor's stream (`leadline watch [--alerts]`).
    case watch(alertsOnly: Bool)
    /// The live full-screen board.
    case board
    /// One request, its reply, an exit status (`leadline send '...'` and short forms).
    case send(String)
    /// `leadline report week [DATE] [--person NAME]`: the scorecard, as a table on a
    /// terminal (with each day's sparkline), as `SCORE` lines to a pipe.
    case report(String)
    /// `leadline export leads|events|report ...`: the CSV, on standard output.
    case export(String)
    /// `leadline import leads FILE.csv [--strict] [--system NAME]`.
    case importLeads(path: String, strict: Bool, system: String?)
    /// Save credentials after checking them with the server.
    case login
    case help
    case version
}

/// The parsed command line.
public struct ClientInvocation: Sendable, Equatable {
    public var mode: ClientMode = .interactive
    public var server: String?
    public var user: String?
    public var credentials: String?
    public var keepalive: Int?
    /// `--wait SECONDS`: how long a one-shot request keeps trying to reach the server.
    public var wait: Double?
    /// `--ca-file FILE`: the authorities a TLS server's certificate may come from.
    public var caFile: String?
    /// `--trust FINGERPRINT`: accept the TLS server showing this certificate.
    public var trust: String?
    /// The request came from a short form (`leadline agenda`), for a person to read:
    /// on a terminal its reply is laid out to fit the screen.
    public var readable = false

    public init() {}
}

/// Parses `leadline`'s arguments.
public enum ClientCommandLine {
    public static let usage = """
        leadline: the Leadline client, for the office, the field and the supervisor's screen.

        usage:
          leadline [connect HOST:PORT]          the prompt: type requests, see events as they happen
          leadline watch [--alerts]             one line per event (or per alert), for a supervisor
          leadline board                        the live board of open leads, most urgent first
          leadline send 'CLAIM 42'              one request: prints the reply, exits 0 on OK, 1 on ERR
          leadline VERB ARGS... [--key value]   the same, short: leadline outcome 42 no-decision --followup thu
                                                (on a terminal, leads are laid out to fit it: leadline agenda)
          leadline report week [DATE]           the scorecard as a table (day, week, range FROM TO; --person NAME)
          leadline export leads [all] > f.csv   leads as CSV (also: export events, export report week)
          leadline import leads FILE.csv        leads from a CRM's CSV export, all or nothing (--strict, --system NAME)
          leadline login                        check a name and token, and save them in the credentials file

        options (anywhere):
          --server HOST:PORT   else $LEADLINE_SERVER, else the credentials file, else 127.0.0.1:\(LeadlineVersion.defaultPort);
                               tls://HOST[:PORT] for TLS (default port \(LeadlineVersion.defaultTLSPort)): use it from outside the shop
          --ca-file FILE       TLS: trust the authorities in FILE (else $LEADLINE_CA_FILE, else the system's)
          --trust FINGERPRINT  TLS: accept the server showing this SHA-256 fingerprint (a self-signed
                               certificate, or a new one after it changed), and remember it
          --user NAME          else $LEADLINE_USER, else the credentials file (else asked)
          --credentials FILE   else $LEADLINE_CREDENTIALS, else ~/.config/leadline/credentials
          --keepalive SECONDS  how soon to notice a dead line (default 15; 0 turns it off)
          --wait SECONDS       one request (send, short forms): how long to keep trying to reach
                               the server before exit status 3 (default 10; 0 tries once;
                               fractions too: 0.5)

        A self-signed TLS server's fingerprint is shown once and asked about, as ssh does,
        and remembered in ~/.config/leadline/known_servers; a changed one is refused.
        The token comes from $LEADLINE_TOKEN, else the credentials file (which must be
        readable by you only: chmod 600), else it is asked. The client reconnects by
        itself and resumes where it left off: nothing missed, nothing shown twice.
        Exit status: 0 OK, 1 the server said ERR, 2 a usage mistake, 3 no connection or login.
        """

    public static func parse(_ arguments: [String]) -> Result<ClientInvocation, ClientError> {
        do throws(ClientError) {
            return .success(try parseOrThrow(arguments))
        } catch {
            return .failure(error)
        }
    }

    private static func parseOrThrow(_ arguments: [String]) throws(ClientError) -> ClientInvocation {
        var invocation = ClientInvocation()
        var words: [String] = []
        var options: [(String, String?)] = []
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                words.append(argument)
                continue
            }
            let parts = argument.dropFirst(2).split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0]
            var value: String? = parts.count == 2 ? parts[1] : nil
            let takesValue = !["help", "version", "alerts", "strict"].contains(name)
            if value == nil, takesValue {
                guard i < arguments.count else { throw ClientError.usage("--\(name) needs a value") }
                value = arguments[i]
                i += 1
            }
            switch name {
            case "help": return with(invocation, .help)
            case "version": return with(invocation, .version)
            case "server": invocation.server = value
            case "user": invocation.user = value
            case "credentials": invocation.credentials = value
            case "ca-file": invocation.caFile = value
            case "trust":
                guard let fingerprint = value.flatMap(Fingerprint.normalized) else {
                    throw ClientError.usage("--trust takes a SHA-256 fingerprint: 32 pairs of hex digits, like 2E:67:0B:...; got \"\(value ?? "")\"")
                }
                invocation.trust = fingerprint
            case "keepalive":
                guard let v = value.flatMap(Int.init), (0...3600).contains(v) else {
                    throw ClientError.usage("--keepalive takes 0 to 3600 seconds")
                }
                invocation.keepalive = v
            case "wait":
                guard let v = value.flatMap(Double.init), v.isFinite, (0...86_400).contains(v) else {
                    throw ClientError.usage("--wait takes 0 to 86400 seconds (2.5 is a time too)")
                }
                invocation.wait = v
            default: options.append((name, value))
            }
        }
        guard let first = words.first else {
            try noOptions(options, for: "the prompt")
            return invocation
        }
        switch first.lowercased() {
        case "connect":
            guard words.count == 2 else { throw ClientError.usage("usage: leadline connect HOST:PORT") }
            try noOptions(options, for: "connect")
            invocation.server = words[1]
            invocation.mode = .interactive
        case "watch":
            guard words.count == 1 else { throw ClientError.usage("leadline watch takes no words; --alerts for alerts only") }
            invocation.mode = .watch(alertsOnly: options.contains { $0.0 == "alerts" })
            try noOptions(options.filter { $0.0 != "alerts" }, for: "watch")
        case "board":
            guard words.count == 1 else { throw ClientError.usage("leadline board takes no words") }
            try noOptions(options, for: "board")
            invocation.mode = .board
        case "send":
            guard words.count == 2 else { throw ClientError.usage("usage: leadline send 'REQUEST' (one request, quoted)") }
            try noOptions(options, for: "send")
            invocation.mode = .send(words[1])
        case "login":
            try noOptions(options, for: "login")
            invocation.mode = .login
        case "report":
            invocation.mode = .report(try ShortForm.request(words, options: options))
        case "export":
            invocation.mode = .export(try ShortForm.request(words, options: options))
        case "import":
            guard words.count == 3, words[1].lowercased() == "leads" else {
                throw ClientError.usage("usage: leadline import leads FILE.csv [--strict] [--system NAME]")
            }
            try noOptions(options.filter { $0.0 != "strict" && $0.0 != "system" }, for: "import")
            invocation.mode = .importLeads(path: words[2], strict: options.contains { $0.0 == "strict" },
                                           system: options.first { $0.0 == "system" }?.1)
        default:
            invocation.mode = .send(try ShortForm.request(words, options: options))
            invocation.readable = true
        }
        switch invocation.mode {
        case .send(let line), .report(let line), .export(let line): try checkOneRequest(line)
        default: break
        }
        return invocation
    }

    /// A one-shot request is one protocol line. A line break in it would reach the
    /// server as a second request (`leadline note 17 "hello<LF>RELEASE 17"` released the
    /// lead), so it is refused here, as are no request at all and `QUIT`, which ends a
    /// session at the prompt (a one-shot ends by itself).
    static func checkOneRequest(_ line: String) throws(ClientError) {
        guard ServerLink.isOneLine(line) else {
            throw ClientError.usage("a request is one line, and this one holds a line break; send each line as its own request")
        }
        let verb = ServerLink.verb(of: line)
        guard let verb else { throw ClientError.usage("no request given: leadline send 'REQUEST'") }
        if ServerLink.sessionEnders.contains(verb) {
            throw ClientError.usage("\(verb) ends a session at the prompt; a one-shot request ends by itself")
        }
        if verb == ServerLink.uploadVerb {
            throw ClientError.usage("IMPORT sends a file after it: leadline import leads FILE.csv")
        }
    }

    private static func with(_ invocation: ClientInvocation, _ mode: ClientMode) -> ClientInvocation {
        var copy = invocation
        copy.mode = mode
        return copy
    }

    private static func noOptions(_ options: [(String, String?)], for what: String) throws(ClientError) {
        if let (name, _) = options.first { throw ClientError.usage("unknown option --\(name) for \(what)") }
    }
}

/// `leadline outcome 42 no-decision --followup thu` → `OUTCOME 42 no-decision followup=thu`:
/// a verb, its positional words, `--key value` as `key=value`, and the remaining words
/// as free text — the way the verb's HELP describes it.
public enum ShortForm {
    public static func request(_ words: [String], options: [(String, String?)]) throws(ClientError) -> String {
        let verb = words[0].uppercased()
        guard let spec = VerbCatalog.spec(verb) else {
            var hint = "leadline --help shows the modes; leadline send 'HELP' lists the verbs"
            if let near = VerbCatalog.suggestion(for: verb) { hint = "did you mean \(near.lowercased())? " + hint }
            throw ClientError.usage("unknown verb or mode \"\(words[0])\"; \(hint)")
        }
        var parts = [verb]
        let rest = Array(words.dropFirst())
        parts += rest.prefix(spec.positionalCount)
        for (name, value) in options {
            guard spec.keys.contains(name), let value else {
                let known = spec.keys.isEmpty ? "none" : spec.keys.map { "--" + $0 }.joined(separator: " ")
                throw ClientError.usage("\(verb) has no option --\(name) (it knows: \(known))")
            }
            parts.append(name + "=" + quoted(value))
        }
        let text = rest.dropFirst(spec.positionalCount).joined(separator: " ")
        if !text.isEmpty { parts.append(":" + text) }
        return parts.joined(separator: " ")
    }

    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "\\" || $0 == "\t" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

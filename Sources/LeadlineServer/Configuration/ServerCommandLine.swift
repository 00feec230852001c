import LeadlineCore
import LeadlineTransport
import LeadlineWire

/// What `leadlined` was asked to do.
public enum Invocation: Sendable, Equatable {
    case serve(ServeOptions)
    case user(UserAction, ServeOptions)
    /// `leadlined check`: verify the data folder, line by line.
    case check(ServeOptions)
    /// `leadlined repair`: set damaged journal lines aside so the server starts.
    case repair(ServeOptions)
    /// `leadlined tls fingerprint`: the SHA-256 fingerprint of the TLS certificate.
    case tlsFingerprint(ServeOptions)
    /// `leadlined report`: the scorecard from a data folder.
    case report(ReportRequest, DataFolderExchange.ReportFormat, ServeOptions)
    /// `leadlined export leads|events|report`: CSV from a data folder.
    case export(ExportRequest, ServeOptions)
    /// `leadlined import leads FILE.csv`: leads into a stopped server's folder.
    case importLeads(path: String, strict: Bool, system: String?, ServeOptions)
    case help
    case version
}

/// Options given on the command line; unset ones fall back to the config file, then
/// to the built-in defaults.
public struct ServeOptions: Sendable, Equatable {
    public var host: String?
    public var port: UInt16?
    public var data: String?
    public var config: String?
    /// `--clock sim`: a simulated clock that only `CLOCK ADVANCE` moves.
    public var simulatedClock = false
    /// `--start`: where a simulated clock starts (local time in the shop's zone).
    public var start: String?
    /// `--force` (repair): set aside every line even when none would stand.
    public var force = false
    /// `--drill-copy`: this folder is a copy made for a drill; a simulated clock may run
    /// on the real work it holds.
    public var drillCopy = false
    /// `--tls-listen ADDR[:PORT]`, `--tls-cert FILE`, `--tls-key FILE`.
    public var tlsListen: Endpoint?
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// `--proxy-from ADDR[,ADDR]`: who may send a PROXY protocol header.
    public var trustedProxies: [String]?
    /// The owner's desk: `report`, `export` and `import` flags.
    public var desk = DeskFlags()

    public init() {}

    /// Lays the listening flags over `config` (which holds the defaults and the config
    /// file's settings): flags win.
    public func applyListeners(to config: inout ServerConfiguration) throws(UsageError) {
        if let host { config.host = host }
        if let port { config.port = port }
        if let tlsListen {
            var settings = config.tls ?? TLSSettings()
            (settings.host, settings.port) = (tlsListen.host, tlsListen.port)
            config.tls = settings
        }
        if tlsCertificate != nil || tlsKey != nil {
            guard var settings = config.tls else {
                throw UsageError("--tls-cert and --tls-key go with --tls-listen ADDR:PORT (or tls.listen in the config file)")
            }
            if let tlsCertificate { settings.certificate = tlsCertificate }
            if let tlsKey { settings.key = tlsKey }
            config.tls = settings
        }
        if let tls = config.tls, (tls.certificate == nil) != (tls.key == nil) {
            throw UsageError(tls.certificate == nil
                ? "--tls-key needs its certificate: --tls-cert FILE (the full chain, PEM)"
                : "--tls-cert needs its key: --tls-key FILE (PEM)")
        }
        if let trustedProxies { config.trustedProxies = trustedProxies }
    }
}

/// `leadlined user ...`
public enum UserAction: Sendable, Equatable {
    case add(name: String, role: Role)
    case list
    case remove(name: String)
    case token(name: String)
}

/// A mistake on the command line, with a message for the person who typed it.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d + "\n(leadlined --help shows how to use it)" }
}

/// Parses `leadlined`'s arguments, by hand: the toolchain is our only dependency.
public enum ServerCommandLine {
    public static let usage = """
        leadlined: the Leadline callback coordination server.

        usage:
          leadlined [--host HOST] [--port PORT] [--tls-listen ADDR:PORT [--tls-cert FILE --tls-key FILE]]
                    [--proxy-from ADDRS] [--data DIR] [--config FILE] [--clock sim [--start TIME] [--drill-copy]]
          leadlined user add NAME --role ROLE [--data DIR]   prints the new token alone on stdout
          leadlined user token NAME [--data DIR]             issues a new token, prints it
          leadlined user remove NAME [--data DIR]
          leadlined user list [--data DIR]
          leadlined check [--data DIR]                       verifies the data folder, line by line
          leadlined repair [--data DIR] [--force]            sets damaged journal lines aside (server stopped)
          leadlined tls fingerprint [--data DIR]             prints the TLS certificate's SHA-256 fingerprint
          leadlined report (--day D | --week D | --from D --to D) [--person NAME|ROLE] [--format text|csv|html] [--data DIR]
                                                             the scorecard (reads only: a backup's copy works)
          leadlined export leads [open|all] [--from D --to D] [--data DIR]   leads as CSV on stdout
          leadlined export events | export report --week D  the history, a report, as CSV
          leadlined import leads FILE.csv [--strict] [--system NAME] [--data DIR]   (server stopped)
          leadlined --help | --version

        options:
          --host HOST     address of the plaintext listener (default 127.0.0.1: keep it there
                          and give everyone else TLS)
          --port PORT     its TCP port (default \(LeadlineVersion.defaultPort); 0 picks a free one)
          --tls-listen ADDR:PORT  also listen for TLS (default port \(LeadlineVersion.defaultTLSPort)), e.g. 0.0.0.0:\(LeadlineVersion.defaultTLSPort)
          --tls-cert FILE the certificate's full chain (PEM); without it and --tls-key, a
                          self-signed one is made in the data folder. SIGHUP reloads them.
          --tls-key FILE  its private key (PEM)
          --proxy-from ADDRS  comma-separated addresses (HAProxy, stunnel) allowed to send a
                          PROXY protocol v1 header with the real client's address
          --data DIR      data folder: journal and lock (default ./leadline-data)
          --config FILE   JSON config: listen address, limits, policy (see README); report,
                          export and import default to the one the server last started with
          --clock sim     a simulated clock that only moves on CLOCK ADVANCE (demos, drills)
          --start TIME    where the simulated clock starts, e.g. 2026-11-23T08:00 (shop time);
                          without it, a drill's folder goes on where the drill stopped
          --drill-copy    the folder is a copy made for a drill: a simulated clock may run on its real work
          --role ROLE     one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))

        On the first start with nobody set up, an account named "owner" is created and
        its token printed once. Stop with Ctrl-C or SIGTERM: pending writes finish and
        every client gets BYE. User commands refuse to run while the server holds the
        data folder; then use USER ADD / USER TOKEN / USER REMOVE over the protocol.
        """

    public static func parse(_ arguments: [String]) -> Result<Invocation, UsageError> {
        do throws(UsageError) {
            return .success(try parseOrThrow(arguments))
        } catch {
            return .failure(error)
        }
    }

    private static func parseOrThrow(_ arguments: [String]) throws(UsageError) -> Invocation {
        var options = ServeOptions()
        var role: Role?
        var words: [String] = []
        var i = 0
        func value(_ flag: String, inline: String?) throws(UsageError) -> String {
            if let inline { return inline }
            i += 1
            guard i < arguments.count, !arguments[i].hasPrefix("--") else { throw UsageError("\(flag) needs a value") }
            return arguments[i]
        }
        while i < arguments.count {
            let argument = arguments[i]
            if argument.hasPrefix("-") {
                let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
                let flag = parts[0]
                let inline = parts.count == 2 ? parts[1] : nil
                switch flag {
                case "--help", "-h": return .help
                case "--version": return .version
                case "--host":
                    let host = try value(flag, inline: inline)
                    guard !host.isEmpty else { throw UsageError("--host needs an address") }
                    options.host = host
                case "--port":
                    let text = try value(flag, inline: inline)
                    guard let port = UInt16(text) else { throw UsageError("--port must be a number from 0 to 65535; got \"\(text)\"") }
                    options.port = port
                case "--data": options.data = try value(flag, inline: inline)
                case "--config": options.config = try value(flag, inline: inline)
                case "--clock":
                    let mode = try value(flag, inline: inline)
                    guard mode == "sim" || mode == "real" else { throw UsageError("--clock is real or sim; got \"\(mode)\"") }
                    options.simulatedClock = mode == "sim"
                case "--start": options.start = try value(flag, inline: inline)
                case "--tls-listen":
                    let text = try value(flag, inline: inline)
                    guard let endpoint = Endpoint(text, defaultHost: "0.0.0.0", defaultPort: LeadlineVersion.defaultTLSPort,
                                                  allowsAnyPort: true) else {
                        throw UsageError("--tls-listen takes ADDR:PORT, ADDR or :PORT, e.g. 0.0.0.0:\(LeadlineVersion.defaultTLSPort); got \"\(text)\"")
                    }
                    options.tlsListen = endpoint
                case "--tls-cert": options.tlsCertificate = try value(flag, inline: inline)
                case "--tls-key": options.tlsKey = try value(flag, inline: inline)
                case "--proxy-from":
                    let text = try value(flag, inline: inline)
                    let addresses = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    guard !addresses.isEmpty, addresses.allSatisfy(Endpoint.isNumericAddress) else {
                        throw UsageError("--proxy-from takes IP addresses separated by commas, e.g. 127.0.0.1,10.0.0.5; got \"\(text)\"")
                    }
                    options.trustedProxies = addresses
                case "--day", "--week", "--from", "--to", "--person", "--format", "--system":
                    options.desk.values[String(flag.dropFirst(2))] = try value(flag, inline: inline)
                case "--strict": options.desk.strict = true
                case "--force": options.force = true
                case "--drill-copy": options.drillCopy = true
                case "--role":
                    let text = try value(flag, inline: inline)
                    guard let r = Role(rawValue: text.lowercased()) else {
                        throw UsageError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(text)\"")
                    }
                    role = r
                default:
                    throw UsageError("unknown option \(flag)")
                }
            } else {
                words.append(argument)
            }
            i += 1
        }
        if options.start != nil && !options.simulatedClock { throw UsageError("--start goes with --clock sim") }
        if options.drillCopy && !options.simulatedClock { throw UsageError("--drill-copy goes with --clock sim") }
        guard let first = words.first else {
            if role != nil { throw UsageError("--role belongs to: leadlined user add NAME --role ROLE") }
            if options.force { throw UsageError("--force goes with leadlined repair") }
            return .serve(options)
        }
        if first != "report", first != "export", first != "import", !options.desk.isEmpty {
            throw UsageError("--day, --week, --from, --to, --person, --format, --strict and --system go with leadlined report, export or import")
        }
        switch first {
        case "report", "export", "import":
            if options.simulatedClock || options.host != nil || options.port != nil || options.force {
                throw UsageError("leadlined \(first) takes only --data and --config, and its own flags")
            }
            return try options.desk.invocation(first, Array(words.dropFirst()), options)
        case "tls":
            guard words.count == 2, words[1] == "fingerprint" else {
                throw UsageError(words.count < 2 ? "leadlined tls needs: fingerprint" : "unknown tls command \"\(words.dropFirst().joined(separator: " "))\"; use: leadlined tls fingerprint")
            }
            if options.simulatedClock || options.host != nil || options.port != nil || options.force {
                throw UsageError("leadlined tls fingerprint takes only --data, --config, --tls-cert and --tls-key")
            }
            return .tlsFingerprint(options)
        case "serve", "check", "repair":
            guard words.count == 1 else { throw UsageError("unexpected \"\(words[1])\"") }
            if first != "serve", options.simulatedClock || options.host != nil || options.port != nil {
                throw UsageError("leadlined \(first) takes only --data (and --config)")
            }
            if options.force, first != "repair" { throw UsageError("--force goes with leadlined repair") }
            return first == "check" ? .check(options) : first == "repair" ? .repair(options) : .serve(options)
        case "user":
            guard words.count >= 2 else { throw UsageError("leadlined user needs add, list, remove or token") }
            if options.force { throw UsageError("--force goes with leadlined repair") }
            let name = words.count >= 3 ? words[2] : nil
            guard words.count <= 3 else { throw UsageError("unexpected \"\(words[3])\"") }
            let action: UserAction
            switch words[1] {
            case "add":
                guard let name else { throw UsageError("leadlined user add needs a NAME") }
                guard let role else { throw UsageError("leadlined user add needs --role ROLE") }
                action = .add(name: name, role: role)
            case "list":
                guard name == nil else { throw UsageError("leadlined user list takes no name") }
                action = .list
            case "remove":
                guard let name else { throw UsageError("leadlined user remove needs a NAME") }
                action = .remove(name: name)
            case "token":
                guard let name else { throw UsageError("leadlined user token needs a NAME") }
                action = .token(name: name)
            default:
                throw UsageError("unknown user command \"\(words[1])\"; use add, list, remove or token")
            }
            if role != nil {
                guard case .add = action else { throw UsageError("--role belongs to: leadlined user add NAME --role ROLE") }
            }
            return .user(action, options)
        default:
            throw UsageError("unknown command \"\(first)\"")
        }
    }
}

import Foundation
import LeadlineCore
import LeadlineServer

/// A conformance transcript: what people type and what each of them must see.
///
/// ```
/// # two staff race for the same lead
/// A> LOGIN ana <token-of-ana>
/// A< OK LOGIN user=ana role=csr
/// B> CLAIM 1
/// B< ERR CONFLICT lead=1 owner=ana :lead 1 is already claimed by ana
/// !advance 20m
/// ```
/// `X> line` sends a line on connection X (opened, greeting read, at first use);
/// `X< line` is the next line X must receive (`*` matches any run of characters);
/// `!advance 15m` moves the simulated clock (raising alerts on the way, as `CLOCK ADVANCE` does); `!disconnect X` drops X; `!restart` restarts
/// the server on the same data folder (open connections are dropped first);
/// `#` starts a comment. `<token-of-NAME>` stands for that person's token. At the
/// end, each open connection must have nothing left unread.
///
/// Before the first step, `!start 2026-10-30T16:00:00-05:00` sets where the simulated
/// clock starts, and `!config {...}` gives the server a JSON config (as `--config`
/// would, e.g. a `policy` section).
public struct Transcript: Sendable {
    public enum Step: Sendable, Equatable {
        case send(String, String)
        case expect(String, String)
        case advance(TimeInterval)
        case disconnect(String)
        case restart
    }

    public let name: String
    /// Where the simulated clock starts (`!start`), if not the default.
    public private(set) var start: Date?
    /// JSON config for the server (`!config`), if any.
    public private(set) var config: String?
    /// Steps with their line numbers in the file.
    public let steps: [(line: Int, step: Step)]

    public init(name: String, text: String) throws {
        self.name = name
        var steps: [(Int, Step)] = []
        start = nil
        config = nil
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            let number = index + 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("!") {
                let words = line.dropFirst().split(separator: " ").map(String.init)
                switch words.first {
                case "advance":
                    guard words.count == 2, let seconds = TimeSpec.duration(words[1]) else {
                        throw ClientError("\(name):\(number): !advance needs a duration like 15m")
                    }
                    steps.append((number, .advance(seconds)))
                case "disconnect":
                    guard words.count == 2 else { throw ClientError("\(name):\(number): !disconnect needs a connection") }
                    steps.append((number, .disconnect(words[1])))
                case "restart":
                    steps.append((number, .restart))
                case "start":
                    guard steps.isEmpty, words.count == 2, let date = Timestamp.parse(words[1]) else {
                        throw ClientError("\(name):\(number): !start takes an ISO time, before any step")
                    }
                    start = date
                case "config":
                    guard steps.isEmpty else { throw ClientError("\(name):\(number): !config comes before any step") }
                    config = String(line.dropFirst("!config".count)).trimmingCharacters(in: .whitespaces)
                default:
                    throw ClientError("\(name):\(number): unknown directive \(line)")
                }
                continue
            }
            guard let marker = line.firstIndex(where: { $0 == ">" || $0 == "<" }), marker > line.startIndex else {
                throw ClientError("\(name):\(number): expected 'X> request' or 'X< reply', got \(line)")
            }
            let who = String(line[line.startIndex..<marker])
            var body = line[line.index(after: marker)...]
            if body.first == " " { body = body.dropFirst() }
            guard who.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                throw ClientError("\(name):\(number): bad connection name \(who)")
            }
            steps.append((number, line[marker] == ">" ? .send(who, String(body)) : .expect(who, String(body))))
        }
        self.steps = steps
    }

    /// Whether `line` matches `pattern`, where `*` matches any run of characters.
    public static func matches(_ line: String, _ pattern: String) -> Bool {
        let parts = pattern.components(separatedBy: "*")
        guard parts.count > 1 else { return line == pattern }
        guard line.hasPrefix(parts[0]) else { return false }
        var rest = line[line.index(line.startIndex, offsetBy: parts[0].count)...]
        for (i, part) in parts.enumerated().dropFirst() {
            if i == parts.count - 1 { return part.isEmpty || rest.hasSuffix(part) }
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}

/// Plays a transcript against a ``TestServer`` and reports every mismatch.
public enum TranscriptRunner {
    /// A test server set up as the transcript's `!start` and `!config` ask.
    public static func server(for transcript: Transcript) throws -> TestServer {
        var parsed = ServerConfiguration()
        if let config = transcript.config {
            try ConfigurationFile.apply(Data(config.utf8), from: transcript.name, to: &parsed)
        }
        let policy = parsed.policy
        let limits = parsed.limits
        return try TestServer(start: transcript.start ?? TestServer.start) { configuration in
            configuration.policy = policy
            configuration.policy.timeZone = TestServer.zone
            configuration.limits = limits
        }
    }

    /// Runs `transcript` with every connection over `route`; returns failures (empty
    /// when the server conforms).
    public static func run(_ transcript: Transcript, on server: TestServer, over route: TestServer.Route = .memory,
                           timeout: TimeInterval = 5) -> [String] {
        var clients: [String: LineClient] = [:]
        var closed: Set<String> = []
        func client(_ who: String) throws -> LineClient {
            if let c = clients[who] { return c }
            let c = try server.client(over: route)
            clients[who] = c
            return c
        }
        for (number, step) in transcript.steps {
            let place = "\(transcript.name):\(number)"
            do {
                switch step {
                case .send(let who, let line):
                    try client(who).send(substitute(line, tokens: server.tokens))
                case .expect(let who, let pattern):
                    guard let got = try client(who).readLine(timeout: timeout) else {
                        return ["\(place): \(who) expected \"\(pattern)\" but got nothing"]
                    }
                    guard Transcript.matches(got, pattern) else {
                        return ["\(place): \(who) expected\n    \(pattern)\n  got\n    \(got)"]
                    }
                    if got.hasPrefix("BYE") { closed.insert(who) }
                case .advance(let seconds):
                    server.advance(by: seconds)
                case .disconnect(let who):
                    clients[who]?.closeNow()
                    closed.insert(who)
                case .restart:
                    for (who, c) in clients where !closed.contains(who) {
                        c.closeNow()
                        closed.insert(who)
                    }
                    try server.restart()
                    clients = [:]
                    closed = []
                }
            } catch {
                return ["\(place): \(error)"]
            }
        }
        var failures: [String] = []
        for (who, c) in clients.sorted(by: { $0.key < $1.key }) where !closed.contains(who) {
            c.send("PING end-of-transcript")
            let got = c.readLine(timeout: timeout)
            if got != "OK PING :end-of-transcript" {
                failures.append("\(transcript.name): at the end \(who) had an unexpected line: \(got ?? "nothing")")
            }
        }
        return failures
    }

    static func substitute(_ line: String, tokens: [String: String]) -> String {
        var out = line
        for (name, token) in tokens { out = out.replacingOccurrences(of: "<token-of-\(name)>", with: token) }
        return out
    }
}

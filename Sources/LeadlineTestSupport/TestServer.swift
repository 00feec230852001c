import Foundation
import LeadlineCore
import LeadlineServer
import LeadlineTransport
import Synchronization

/// A real server on a free loopback port, a temporary data folder, a manual clock in
/// a fixed zone, and a cast of people with known tokens.
///
/// The clock starts on Monday 2026-11-23 at 08:00 in America/Chicago, so times in
/// replies and transcripts are the same on every run.
public final class TestServer: @unchecked Sendable {
    /// The people every test server knows, by name and role.
    public static let cast: [(name: String, role: Role)] = [
        ("ana", .csr), ("ben", .csr), ("cara", .csr), ("dora", .dispatcher),
        ("omar", .ops), ("olive", .owner), ("sam", .sales), ("tess", .tech),
    ]
    public static let zone = TimeZone(identifier: "America/Chicago")!
    public static let start = Timestamp.parse("2026-11-23T08:00:00-06:00")!

    public let directory: String
    public let clock: ManualClock
    public private(set) var tokens: [String: String] = [:]
    public private(set) var server: LeadlineServer!
    public private(set) var logLines: LogLines
    private let configure: @Sendable (inout ServerConfiguration) -> Void

    /// Whether the server runs its clock as a real one (checking alerts on each tick),
    /// though the test moves it: for clocks that step.
    private let realClock: Bool

    /// Starts a server. `configure` adjusts its configuration (limits, storage...).
    /// - Parameter realClock: run the manual clock as the server's real clock.
    public init(seedPeople: Bool = true, start: Date = TestServer.start, realClock: Bool = false,
                configure: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in }) throws {
        directory = NSTemporaryDirectory() + "leadline-test-" + UUID().uuidString
        clock = ManualClock(start)
        self.realClock = realClock
        self.configure = configure
        logLines = LogLines()
        if seedPeople {
            for member in Self.cast {
                tokens[member.name] = try DataFolderAdmin.run(.add(name: member.name, role: member.role),
                                                              dataDirectory: directory, now: clock.now)
            }
        }
        server = try makeServer()
    }

    private func makeServer() throws -> LeadlineServer {
        var config = ServerConfiguration()
        config.host = "127.0.0.1"
        config.port = 0
        config.dataDirectory = directory
        config.clock = .simulated(clock)
        config.policy.timeZone = Self.zone
        config.tick = 0.05
        // TLS beside plaintext, with a self-signed certificate made in the data folder.
        config.tls = TLSSettings(host: "127.0.0.1", port: 0)
        let lines = logLines
        config.log = { lines.append($0) }
        configure(&config)
        // The test's clock always wins, whatever the configuration said.
        config.clock = realClock ? .real(clock) : .simulated(clock)
        let server = LeadlineServer(configuration: config)
        try server.start()
        return server
    }

    public var port: UInt16 { server.port }
    /// The TLS listener's port.
    public var tlsPort: UInt16? { server.tlsPort }

    /// Moves the simulated clock forward, raising every alert on the way, as
    /// `CLOCK ADVANCE` does.
    public func advance(by seconds: TimeInterval) {
        server.advanceClock(to: clock.now.addingTimeInterval(seconds))
    }

    /// How a test's connection reaches the server.
    public enum Route: String, Sendable, CaseIterable {
        /// Through memory: no socket, no port, nothing to wait for but the server.
        case memory
        /// Over TCP on loopback, as `nc` connects.
        case tcp
        /// Over TLS on loopback, as `openssl s_client` connects.
        case tls
    }

    /// A connection that has read the greeting and, given a name, logged in.
    /// - Parameters:
    ///   - source: the address to connect from (127.0.0.x), so a test can be several hosts.
    ///   - route: through memory (the default: a test that needs no socket uses none),
    ///     or over TCP.
    public func client(_ name: String? = nil, from source: String? = nil, over route: Route = .memory) throws -> LineClient {
        let client: LineClient
        switch route {
        case .memory:
            guard let end = server.connectInMemory(as: Peer(address: source ?? "127.0.0.1", port: Self.nextMemoryPort())) else {
                throw ClientError("the server is not running")
            }
            client = LineClient(memory: end)
        case .tcp:
            client = try LineClient(port: port, from: source)
        case .tls:
            guard let tlsPort = server.tlsPort else { throw ClientError("the test server has no TLS listener") }
            client = try LineClient(tlsPort: tlsPort, from: source)
        }
        guard let hello = client.readLine(), hello.hasPrefix("HELLO ") else {
            throw ClientError("no greeting")
        }
        if let name {
            let reply = client.request("LOGIN \(name) \(tokens[name] ?? "unknown")")
            guard reply.last?.hasPrefix("OK LOGIN") == true else {
                let how = client.sawEndOfStream ? "the server closed the connection" : "no answer within 5 s"
                throw ClientError("login as \(name) failed (\(how)): \(reply); server log: \(logLines.all.suffix(5))")
            }
        }
        return client
    }

    /// Stops gracefully and starts a new server on the same data folder.
    public func restart() throws {
        server.stop()
        server = try makeServer()
    }

    public func stop() { server.stop() }

    private static let memoryConnections = Atomic<Int>(0)
    /// A made-up port for an in-memory connection, so log lines tell them apart.
    private static func nextMemoryPort() -> UInt16 {
        UInt16(40_000 + memoryConnections.wrappingAdd(1, ordering: .relaxed).newValue % 20_000)
    }

    deinit {
        server?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    public var journalPath: String { directory + "/journal.jsonl" }
}

/// Log lines collected from a test server.
public final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    public init() {}

    public func append(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        lines.append(line)
    }

    public var all: [String] {
        lock.lock(); defer { lock.unlock() }
        return lines
    }
}

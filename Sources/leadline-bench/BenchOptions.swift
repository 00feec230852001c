import Foundation

/// What `leadline-bench` was asked to run.
struct BenchOptions {
    /// One short repetition of everything, fewer connections: a smoke test (CI), no figures to quote.
    var quick = false
    var repetitions = 5
    /// Seconds each throughput measurement runs.
    var duration = 3.0
    /// Clients for the request-reply row, watchers for the fan-out row, idle connections for memory.
    var pingClients = 50
    var watchers = 1000
    var idleConnections = 1000
    /// Clients of the durable-changes row.
    var durableClients = 50
    /// Open leads on the big board (LIST, SHOW, the trickle, memory per open lead).
    var openLeads = 10_000
    /// Seconds of one-NOTE-a-second trickle on the big board.
    var trickleSeconds = 10.0
    /// Events in the journal start-up is timed on (a tenth as many leads, 90 % closed).
    var journalEvents = 1_000_000
    /// Pin the server to CPU 0 and the load generator to CPU 1 (on two or more CPUs).
    var pin = true
    /// Which rows to run (nil: all).
    var only: Set<String>?

    static let usage = """
        leadline-bench: measures a release leadlined (spawned from beside this executable)
        with a load generator pinned to another CPU: PING round trips with 50 clients,
        fan-out of durable events to 1000 watchers, TLS handshakes per second, and memory
        per idle connection, each over plaintext and over TLS, interleaved and repeated.

        usage: leadline-bench [--quick] [--reps N] [--duration SECONDS] [--only ROWS] [--no-pin]
          --quick        one short repetition with fewer connections (a smoke test, figures not to quote)
          --reps N       repetitions of each row (default 5); the table shows median [min-max]
          --duration S   seconds per throughput measurement (default 3)
          --only ROWS    comma-separated: ping, fanout, handshake, idle (plaintext beside TLS);
                         durable, board, startup, since (cost with the work, plaintext); desk (REPORT, IMPORT);
                         soak (10 minutes at 96 requests/s; only when named)
          --no-pin       do not pin the server and the generator to separate CPUs

        Build first: swift build -c release && .build/release/leadline-bench
        """

    static func parse(_ arguments: [String]) -> BenchOptions {
        var options = BenchOptions()
        var i = 0
        func value() -> String {
            i += 1
            guard i < arguments.count else { fail("\(arguments[i - 1]) needs a value") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--quick":
                options.quick = true
                options.repetitions = 1
                options.duration = 0.5
                options.pingClients = 10
                options.watchers = 50
                options.idleConnections = 50
                options.durableClients = 10
                options.openLeads = 500
                options.trickleSeconds = 2.5
                options.journalEvents = 20_000
            case "--reps": options.repetitions = Int(value()) ?? { fail("--reps takes a number") }()
            case "--duration": options.duration = Double(value()) ?? { fail("--duration takes seconds") }()
            case "--only": options.only = Set(value().split(separator: ",").map(String.init))
            case "--no-pin": options.pin = false
            case "--help", "-h":
                print(usage)
                exit(0)
            default: fail("unknown option \(arguments[i])")
            }
            i += 1
        }
        return options
    }

    func runs(_ row: String) -> Bool { only?.contains(row) ?? true }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("leadline-bench: \(message)\n".utf8))
    exit(2)
}

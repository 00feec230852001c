import Foundation
import LeadlineTransport
import LeadlineCore
import LeadlineJournal
import LeadlineWire

/// Everything a server needs to run; every field has a working default, so
/// `ServerConfiguration()` is the server `swift run leadlined` starts.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port: UInt16 = LeadlineVersion.defaultPort
    /// The TLS listener, if any (`--tls-listen`).
    public var tls: TLSSettings?
    /// Addresses allowed to begin a connection with a PROXY protocol v1 header naming
    /// the real client (a HAProxy or stunnel in front of the server); empty: none.
    public var trustedProxies: [String] = []
    /// The data folder: the journal and the lock live here.
    public var dataDirectory = "leadline-data"
    /// The server's name in the greeting.
    public var name = "leadline"
    public var limits = Limits()
    public var policy = Policy()
    /// Where "now" comes from: the machine's clock, or a simulated one that only
    /// `CLOCK ADVANCE` moves (`--clock sim`, tests and demos).
    public var clock: ServerClock = .real(SystemClock())
    /// The config file these settings were read from (an absolute path; nil: the
    /// defaults). The server remembers it in the data folder for the offline desk
    /// commands (see `DataDirectory.recordServedConfig`).
    public var configPath: String?
    /// The data folder is a copy made for a drill: a simulated clock may run on its real work.
    public var drillCopy = false
    /// A simulated clock given no start (`--clock sim` without `--start`): on a drill's
    /// folder it resumes where the drill stopped, the latest time its events were stamped
    /// at, rather than at the machine's time (which would leap the drill ahead and raise
    /// every alert in between at once); on a folder with no drill yet it starts at the
    /// clock's time.
    public var resumeDrill = false
    /// Where log lines go (stderr by default; a reader that went away loses them and
    /// stops nothing).
    public var log: @Sendable (String) -> Void = { line in
        DescriptorText.write("leadlined: " + line + "\n", to: 2)
    }
    /// How often timers (idle, keepalive, linger) are checked, in seconds.
    public var tick: TimeInterval = 0.25
    /// Makes the journal's storage from its path; tests substitute storage that fails on demand.
    public var journalStorage: @Sendable (String) throws(JournalError) -> JournalStorage = { path throws(JournalError) in
        try JournalFile(path: path)
    }

    public init() {}
}

/// Where the TLS listener listens and which certificate it shows.
public struct TLSSettings: Sendable, Equatable {
    public var host: String
    public var port: UInt16
    /// The full certificate chain (PEM, leaf first) and its private key; when both are
    /// nil, a self-signed pair made in the data folder on the first start.
    public var certificate: String?
    public var key: String?

    public init(host: String = "0.0.0.0", port: UInt16 = LeadlineVersion.defaultTLSPort,
                certificate: String? = nil, key: String? = nil) {
        self.host = host
        self.port = port
        self.certificate = certificate
        self.key = key
    }
}

/// The server's source of time.
public enum ServerClock: Sendable {
    /// A clock that runs by itself; alerts are raised as their times pass.
    case real(any Clock)
    /// A clock that moves only when told (`CLOCK ADVANCE`); every alert that falls due
    /// on the way is raised in time order.
    case simulated(ManualClock)

    public var now: Date {
        switch self {
        case .real(let clock): return clock.now
        case .simulated(let clock): return clock.now
        }
    }

    public var isSimulated: Bool {
        if case .simulated = self { return true }
        return false
    }
}

/// The bounds that keep one client from hurting the others.
public struct Limits: Sendable, Equatable {
    /// Longest request line, in bytes, terminator included.
    public var maxLine = 4096
    /// Unsent bytes a connection may accumulate before it is cut off as a slow consumer.
    public var maxOutboundBytes = 8 << 20
    /// Unsent bytes above which the server stops reading that connection's requests
    /// until it drains (replies are throttled, never dropped).
    public var outboundHighWater = 256 << 10
    /// Received but unprocessed bytes above which the server stops reading a connection.
    public var maxInboundBytes = 64 << 10
    /// Seconds a connection may stay without logging in.
    public var loginTimeout: TimeInterval = 60
    /// Logged-in connections at once; a login beyond them is told BYE BUSY.
    public var maxConnections = 10_000
    /// Connections that have not logged in yet, at once: their own, smaller share, so
    /// idle sockets cannot crowd out real users. When full, the oldest waiting
    /// connection of the busiest address is closed (BYE BUSY) to make room.
    public var maxUnauthenticated = 1000
    /// The same, per remote address: when full, that address's oldest waiting connection goes.
    /// 256: a whole office behind one NAT address, or every client behind a local TLS
    /// terminator without PROXY, reconnecting at once after a restart; the total
    /// (``maxUnauthenticated``) and its busiest-address-first eviction protect the rest.
    public var maxUnauthenticatedPerAddress = 256
    /// How many events back `SINCE` reaches (0: all of history, read from the journal).
    public var sinceWindow = 0
    /// A snapshot of the state is written (in the background) after this many events,
    /// so start-up replays only the journal after it (0: never).
    public var snapshotEveryEvents = 50_000
    /// Bytes of `IMPORT` files the server holds at once, across every connection
    /// sending one (each file may hold 32 MiB): past it, a file's lines are read and
    /// dropped, and its import refused with `ERR RATE`, so many uploads at once cannot
    /// exhaust memory.
    public var maxUploadBytes = 128 << 20
    /// Failed logins before the server says BYE.
    public var maxLoginFailures = 5
    /// The delay after the first failed login; it doubles with each failure (up to 8 s).
    public var loginFailureDelay: TimeInterval = 0.5
    /// Requests per second a connection may sustain, and the burst it may send at once.
    public var requestsPerSecond: Double = 1000
    public var requestBurst: Double = 2000
    /// Seconds the server waits for a closing connection's last bytes to drain.
    public var closeLinger: TimeInterval = 2
    /// The longest the server keeps looking for the next request, without sleeping,
    /// after answering (0: it sleeps at once). Waking a sleeping server costs each
    /// request tens of microseconds on a virtual machine; the window fits itself to the
    /// traffic, so looking costs CPU only while requests come back to back (see
    /// `EventPoller` and `SpinWindow`).
    public var pollSpin: Duration = .microseconds(100)
    /// The kernel send buffer of each connection (`SO_SNDBUF`); nil leaves the kernel's
    /// autotuning (up to `tcp_wmem`). Smaller bounds memory per idle watcher further.
    public var socketSendBuffer: Int?

    public init() {}
}

extension ServerConfiguration {
    /// Whether `peer` may name another address with a PROXY header (an IPv4 address
    /// matches its IPv6-mapped form too).
    func trustsProxy(_ peer: Peer) -> Bool {
        guard !trustedProxies.isEmpty else { return false }
        let address = peer.address.hasPrefix("::ffff:") ? String(peer.address.dropFirst(7)) : peer.address
        return trustedProxies.contains(address) || trustedProxies.contains(peer.address)
    }
}

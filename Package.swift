// swift-tools-version: 6.0
import PackageDescription

// Leadline: a callback coordination server for home-service businesses.
// No package dependencies: the toolchain (Foundation, Dispatch, Glibc,
// Synchronization, Testing) and the system's libcrypt, zlib and OpenSSL are all it uses.
let package = Package(
    name: "Leadline",
    products: [
        .executable(name: "leadlined", targets: ["leadlined"]),
        .executable(name: "leadline", targets: ["leadline"]),
        .executable(name: "leadline-bench", targets: ["leadline-bench"]),
        .library(name: "LeadlineCore", targets: ["LeadlineCore"]),
        .library(name: "LeadlineWire", targets: ["LeadlineWire"]),
    ],
    targets: [
        // libcrypt (libxcrypt) for token hashes: crypt_r and crypt_gensalt_rn.
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt"),
        // epoll, CPU affinity and malloc_trim, which Glibc's module leaves out.
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        // zlib, for the CRC-32 of each journal line.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // OpenSSL 3 (libssl, libcrypto), for TLS: its protocol, never our own cryptography.
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),

        // The domain, pure: leads, ownership, people, policy, time. No I/O.
        .target(name: "LeadlineCore"),
        // The line protocol: framing, request parsing, reply and event encoding, HELP.
        .target(name: "LeadlineWire", dependencies: ["LeadlineCore"]),
        // Leads and reports in and out: CSV (RFC 4180, the CRMs' column names), the HTML scorecard.
        .target(name: "LeadlineExchange", dependencies: ["LeadlineCore", "LeadlineWire"]),
        // The append-only journal: JSON lines, group-committed fsync, replay.
        .target(name: "LeadlineJournal", dependencies: ["LeadlineCore", "CZlib"]),
        // Moving bytes: the typed socket, plain and TLS streams, an in-memory pipe for tests.
        .target(name: "LeadlineTransport", dependencies: ["COpenSSL", "CLinux"]),
        // Connections, sessions, the shop's state and the hub that fans events out.
        .target(
            name: "LeadlineServer",
            dependencies: ["LeadlineCore", "LeadlineWire", "LeadlineJournal", "LeadlineTransport", "LeadlineExchange", "CCrypt", "CLinux"]),
        // The server executable: flags, config, user management.
        .executableTarget(name: "leadlined", dependencies: ["LeadlineServer", "LeadlineCore", "LeadlineWire", "LeadlineExchange", "LeadlineTransport", "LeadlineJournal"]),
        // The bundled client: its logic (a library, so it is testable) and the
        // executable, on the wire codec and the transport.
        .target(name: "LeadlineClient", dependencies: ["LeadlineWire", "LeadlineTransport", "LeadlineExchange"], path: "clients/LeadlineClient"),
        .executableTarget(name: "leadline", dependencies: ["LeadlineClient"], path: "clients/leadline"),
        // The benchmark: a release leadlined measured over plaintext and TLS (BENCHMARKS.md).
        .executableTarget(name: "leadline-bench", dependencies: ["LeadlineServer", "LeadlineCore", "LeadlineJournal", "LeadlineTransport", "LeadlineWire", "CLinux"]),

        // Helpers shared by the test targets: a line client, a server harness, transcripts.
        .target(
            name: "LeadlineTestSupport",
            dependencies: ["LeadlineServer", "LeadlineWire", "LeadlineJournal", "LeadlineTransport"]),

        .testTarget(name: "LeadlineCoreTests", dependencies: ["LeadlineCore"]),
        .testTarget(name: "LeadlineWireTests", dependencies: ["LeadlineWire"]),
        .testTarget(name: "LeadlineExchangeTests", dependencies: ["LeadlineExchange"]),
        .testTarget(name: "LeadlineTransportTests", dependencies: ["LeadlineTransport"]),
        .testTarget(name: "LeadlineJournalTests", dependencies: ["LeadlineJournal", "LeadlineWire"]),
        .testTarget(name: "LeadlineClientTests", dependencies: ["LeadlineClient", "LeadlineTestSupport", "LeadlineTransport"]),
        .testTarget(
            name: "LeadlineServerTests",
            dependencies: ["LeadlineServer", "LeadlineTestSupport", "CLinux"],
            resources: []),
    ],
    swiftLanguageModes: [.v6]
)

import Foundation
import Glibc
import LeadlineServer

/// A `leadlined` process on a fresh data folder, listening for plaintext and TLS on
/// loopback, with people to log in as; pinned to CPU 0 when asked.
final class ServerUnderTest {
    let process = Process()
    let folder: String
    let plainPort: UInt16
    let tlsPort: UInt16
    /// Tokens of the people made for the load, by name.
    private(set) var tokens: [String: String] = [:]
    static let people = (0..<8).map { "bench\($0)" }

    /// Starts on a fresh data folder, or on `prepared` (a folder and its people's tokens).
    init(pin: Bool, prepared: (folder: String, tokens: [String: String])? = nil) throws {
        if let prepared {
            folder = prepared.folder
            tokens = prepared.tokens
        } else {
            folder = Self.freshFolder()
            tokens = try Self.addPeople(to: folder)
        }
        // The per-connection rate limit would cap every client; the login share is for one address here.
        let config = """
            { "limits": { "maxConnections": 20000, "maxUnauthenticated": 20000, "maxUnauthenticatedPerAddress": 20000,
                          "requestsPerSecond": 0, "maxOutboundBytes": 67108864 },
              "policy": { "timeZone": "UTC" } }
            """
        try config.write(toFile: folder + "/bench.json", atomically: true, encoding: .utf8)
        plainPort = Self.freePort()
        tlsPort = Self.freePort()
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("leadlined").path
        guard FileManager.default.isExecutableFile(atPath: executable) else { fail("no leadlined beside this executable (\(executable))") }
        let arguments = ["--port", "\(plainPort)", "--tls-listen", "127.0.0.1:\(tlsPort)", "--data", folder, "--config", folder + "/bench.json"]
        if pin && ProcessInfo.processInfo.activeProcessorCount >= 2 && FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset") {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
            process.arguments = ["-c", "0", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        process.standardOutput = FileHandle.nullDevice
        // LEADLINE_BENCH_SERVER_LOG=FILE keeps the server's log, to see why a row failed.
        let logPath = ProcessInfo.processInfo.environment["LEADLINE_BENCH_SERVER_LOG"]
        if let logPath, FileManager.default.createFile(atPath: logPath, contents: nil) || FileManager.default.fileExists(atPath: logPath),
           let log = FileHandle(forWritingAtPath: logPath) {
            log.seekToEndOfFile()
            process.standardError = log
        } else {
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        }
        try process.run()
        let started = Workloads.now()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let probe = try? BenchConnection.open(port: plainPort, tls: false, timeout: 1),
               (try? probe.login(Self.people[0], tokens[Self.people[0]]!)) != nil, probe.request("PING")?.hasPrefix("OK PING") == true {
                probe.close()
                startSeconds = Workloads.now() - started
                return
            }
            usleep(5_000)
        }
        fail("leadlined did not start")
    }

    /// From launch to the first `PING` answered after a login.
    private(set) var startSeconds = 0.0

    static func freshFolder() -> String { NSTemporaryDirectory() + "leadline-bench-" + UUID().uuidString }

    /// The bench's people, made in `folder` (ops: they may do anything the loads need).
    static func addPeople(to folder: String) throws -> [String: String] {
        var tokens: [String: String] = [:]
        for name in people { tokens[name] = try DataFolderAdmin.run(.add(name: name, role: .ops), dataDirectory: folder) }
        return tokens
    }

    /// Resident memory, in KiB.
    var residentKiB: Int { Self.status(process.processIdentifier, "VmRSS:") }

    /// CPU seconds used so far (user and system).
    var cpuSeconds: Double {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func stop() {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
    }

    private static func status(_ pid: Int32, _ key: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    /// A port the kernel has free now.
    private static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}

import Foundation
import Glibc
import LeadlineClient
import LeadlineServer
import LeadlineTestSupport
import Synchronization
import Testing

/// The client over TLS: a certificate from an authority (a test CA made here) needs no
/// question; a self-signed one is shown and asked about once, on a terminal, then
/// remembered; a changed one is refused loudly until accepted on purpose.
@Suite struct ClientTLSTests {
    /// A folder standing in for a person's home: credentials and known servers live here.
    final class Home: @unchecked Sendable {
        let path = NSTemporaryDirectory() + "leadline-home-" + UUID().uuidString
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        var knownServers: String? { try? String(contentsOfFile: path + "/.config/leadline/known_servers", encoding: .utf8) }
    }

    func environment(_ server: TestServer, as name: String, host: String = "127.0.0.1", home: Home,
                     extra: [String: String] = [:]) -> [String: String] {
        ["LEADLINE_SERVER": "tls://\(host):\(server.tlsPort!)", "LEADLINE_USER": name, "LEADLINE_TOKEN": server.tokens[name]!,
         "HOME": home.path, "PATH": "/usr/bin:/bin", "TERM": "xterm"].merging(extra) { $1 }
    }

    @Test func aCertificateFromATrustedAuthorityNeedsNoQuestion() throws {
        let certificates = try TestCertificates()
        let authority = try certificates.authority("Leadline Test Root")
        let chain = try certificates.server(["localhost", "127.0.0.1"], signedBy: authority.pair, as: "shop")
        let server = try TestServer { config in
            config.tls = TLSSettings(host: "127.0.0.1", port: 0, certificate: chain.certificate, key: chain.key)
        }
        let home = try Home()
        let trusting = ["LEADLINE_CA_FILE": authority.files.certificate]
        let byAddress = try ClientProcess.run(["send", "PING by address"], environment: environment(server, as: "ana", home: home, extra: trusting))
        #expect(byAddress.0 == 0, "\(byAddress.2)")
        #expect(byAddress.1 == ["OK PING :by address"])
        let byName = try ClientProcess.run(["--ca-file", authority.files.certificate, "send", "PING by name"],
                                           environment: environment(server, as: "ana", host: "localhost", home: home))
        #expect(byName.0 == 0, "\(byName.2)")
        #expect(home.knownServers == nil, "nothing to remember: the authority vouches for the server")

        // Without the authority, the same chain is a stranger: no terminal, so the client
        // stops and says how to trust it.
        let stranger = try ClientProcess.run(["send", "PING"], environment: environment(server, as: "ana", home: home))
        #expect(stranger.0 == 3)
        #expect(stranger.2.last?.contains("no authority vouches for") == true, "\(stranger.2)")
        #expect(stranger.2.last?.contains("--trust \(chain.fingerprint)") == true, "\(stranger.2)")
    }

    /// Plaintext to the TLS port: the server's answer says to use tls://, and the client
    /// shows it and stops at once instead of retrying until it gives up.
    @Test func plaintextToTheTLSPortIsToldWhatToDo() throws {
        let server = try TestServer { config in config.tls = TLSSettings(host: "127.0.0.1", port: 0) }
        let home = try Home()
        let started = Date()
        let run = try ClientProcess.run(["--server", "127.0.0.1:\(server.tlsPort!)", "--wait", "20", "send", "PING"],
                                        environment: environment(server, as: "ana", home: home))
        #expect(run.0 == 3)
        #expect(run.2.last?.contains("this port speaks TLS") == true && run.2.last?.contains("tls://") == true, "\(run.2)")
        #expect(Date().timeIntervalSince(started) < 10, "no retrying for the whole --wait")
    }

    /// The authority signed the certificate for another name: the host name check fails.
    @Test func aCertificateForAnotherHostIsNotTrusted() throws {
        let certificates = try TestCertificates()
        let authority = try certificates.authority("Leadline Test Root")
        let chain = try certificates.server(["shop.example.com"], signedBy: authority.pair, as: "elsewhere")
        let server = try TestServer { config in
            config.tls = TLSSettings(host: "127.0.0.1", port: 0, certificate: chain.certificate, key: chain.key)
        }
        let home = try Home()
        let run = try ClientProcess.run(["send", "PING"],
                                        environment: environment(server, as: "ana", home: home, extra: ["LEADLINE_CA_FILE": authority.files.certificate]))
        #expect(run.0 == 3)
        #expect(run.2.last?.contains("IP address mismatch") == true, "\(run.2)")
        let byName = try ClientProcess.run(["send", "PING"], environment: environment(
            server, as: "ana", host: "localhost", home: home, extra: ["LEADLINE_CA_FILE": authority.files.certificate]))
        #expect(byName.0 == 3)
        #expect(byName.2.last?.contains("hostname mismatch") == true, "\(byName.2)")
    }

    @Test func aSelfSignedServerIsAskedAboutOnceAndAChangeIsRefused() throws {
        // The TLS port stays the same across restarts, as a shop's does.
        let fixedPort = Mutex<UInt16>(0)
        let server = try TestServer { config in
            let port = fixedPort.withLock { $0 }
            if port != 0 { config.tls?.port = port }
        }
        fixedPort.withLock { $0 = server.tlsPort! }
        let first = try #require(server.server.tlsFingerprint)
        let home = try Home()

        // On a terminal: the fingerprint is shown and asked about.
        let pty = try PseudoTerminal()
        let asked = try pty.spawn(ClientProcess.executable, ["send", "PING asked"], environment: environment(server, as: "ana", home: home))
        defer { if asked.isRunning { asked.terminate() } }
        #expect(eventually { pty.screen.contains("(yes/no)") }, "\(pty.screen)")
        #expect(pty.screen.contains(first))
        #expect(pty.screen.contains("self-signed certificate"))
        pty.type("yes\r")
        #expect(eventually { !asked.isRunning })
        #expect(asked.terminationStatus == 0)
        #expect(pty.screen.contains("OK PING :asked"))
        #expect(home.knownServers?.contains("tls://127.0.0.1:\(server.tlsPort!) \(first)") == true)
        var info = stat()
        #expect(stat(home.path + "/.config/leadline/known_servers", &info) == 0 && info.st_mode & 0o077 == 0)

        // Remembered: no question, even with no terminal.
        let again = try ClientProcess.run(["send", "PING again"], environment: environment(server, as: "ana", home: home))
        #expect(again.0 == 0 && again.1 == ["OK PING :again"], "\(again)")

        // The server gets a new certificate: refused loudly, both fingerprints shown.
        try FileManager.default.removeItem(atPath: server.directory + "/tls")
        try server.restart()
        let second = try #require(server.server.tlsFingerprint)
        #expect(second != first)
        let changed = try ClientProcess.run(["send", "PING"], environment: environment(server, as: "ana", home: home))
        #expect(changed.0 == 3)
        let said = changed.2.joined(separator: "\n")
        #expect(said.contains("has CHANGED"), "\(said)")
        #expect(said.contains("trusted: \(first)") && said.contains("now:     \(second)"), "\(said)")
        #expect(said.contains("--trust \(second)"))

        // A wrong fingerprint given on purpose is refused; the right one is accepted and remembered.
        let wrong = try ClientProcess.run(["--trust", first, "send", "PING"], environment: environment(server, as: "ana", home: home))
        #expect(wrong.0 == 3)
        #expect(wrong.2.last?.contains("not \(first) given with --trust") == true, "\(wrong.2)")
        let accepted = try ClientProcess.run(["--trust", second.replacingOccurrences(of: ":", with: "").lowercased(), "send", "PING accepted"],
                                             environment: environment(server, as: "ana", home: home))
        #expect(accepted.0 == 0 && accepted.1 == ["OK PING :accepted"], "\(accepted)")
        #expect(home.knownServers?.contains("tls://127.0.0.1:\(server.tlsPort!) \(second)") == true)
    }

    /// A person who answers no is not connected, and nothing is remembered.
    @Test func answeringNoSendsNothing() throws {
        let server = try TestServer()
        let home = try Home()
        let pty = try PseudoTerminal()
        let asked = try pty.spawn(ClientProcess.executable, ["send", "NEW phone=555-0100"], environment: environment(server, as: "ana", home: home))
        defer { if asked.isRunning { asked.terminate() } }
        #expect(eventually { pty.screen.contains("(yes/no)") })
        pty.type("no\r")
        #expect(eventually { !asked.isRunning })
        #expect(asked.terminationStatus == 3)
        #expect(pty.screen.contains("not trusted; nothing was sent"))
        #expect(home.knownServers == nil)
        #expect(server.server.withDurableBoard { $0.leads.count } == 0)
    }
}

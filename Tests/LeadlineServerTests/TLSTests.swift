import Foundation
import Glibc
import LeadlineServer
import LeadlineTestSupport
import LeadlineTransport
import Synchronization
import Testing

/// TLS end to end: a client no one here wrote (`openssl s_client`), the certificate the
/// server shows and reloads, and TLS clients that misbehave.
@Suite struct TLSTests {
    static let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// `openssl s_client` logs in, claims a lead, and sees the event another person
    /// caused; a watcher over TLS sees the claim.
    @Test(.enabled(if: openssl != nil, "openssl is not installed: apt install openssl"))
    func opensslClientLogsInClaimsAndSeesEvents() throws {
        let server = try TestServer()
        let watcher = try server.client("omar", over: .tls)
        #expect(watcher.reply("WATCH board").hasPrefix("OK WATCH mode=board last="))
        let lead = watcher.newLead()
        _ = watcher.readLine()  // its own CREATED

        let client = Process()
        client.executableURL = URL(fileURLWithPath: Self.openssl!)
        client.arguments = ["s_client", "-quiet", "-connect", "127.0.0.1:\(server.tlsPort!)"]
        let input = Pipe(), output = Pipe()
        client.standardInput = input
        client.standardOutput = output
        client.standardError = FileHandle.nullDevice
        try client.run()
        defer { if client.isRunning { client.terminate() } }
        let lines = LinesReader(output.fileHandleForReading)
        #expect(lines.next()?.hasPrefix("HELLO leadline ") == true)
        input.fileHandleForWriting.write(Data("LOGIN ana \(server.tokens["ana"]!)\n".utf8))
        #expect(lines.next() == "OK LOGIN user=ana role=csr")
        input.fileHandleForWriting.write(Data("CLAIM \(lead)\n".utf8))
        #expect(lines.next()?.hasPrefix("OK CLAIM lead=\(lead) owner=ana") == true)
        #expect(lines.next()?.contains(" CLAIMED lead=\(lead) owner=ana") == true, "her own claim, on the board stream")
        #expect(watcher.readLine()?.contains(" CLAIMED lead=\(lead) owner=ana") == true)
        _ = watcher.newLead("phone=555-0101 name=\"Second Caller\"")
        #expect(lines.next()?.contains(" CREATED lead=\(lead + 1) ") == true, "s_client sees another person's event")
        input.fileHandleForWriting.write(Data("QUIT\n".utf8))
        #expect(lines.next() == "BYE :goodbye")
        client.waitUntilExit()
    }

    /// `openssl s_client` pointed at the plaintext port fails at once, with the error
    /// every TLS library gives for a plaintext server, instead of both sides waiting
    /// out the login timeout; the log says where TLS is.
    @Test(.enabled(if: openssl != nil, "openssl is not installed: apt install openssl"))
    func tlsOnThePlaintextPortFailsAtOnce() throws {
        let server = try TestServer()
        let client = Process()
        client.executableURL = URL(fileURLWithPath: Self.openssl!)
        client.arguments = ["s_client", "-connect", "127.0.0.1:\(server.port)"]
        let errors = Pipe()
        client.standardInput = Pipe()
        client.standardOutput = FileHandle.nullDevice
        client.standardError = errors
        let started = Date()
        try client.run()
        defer { if client.isRunning { client.terminate() } }
        #expect(eventually(timeout: 10) { !client.isRunning }, "s_client still waiting")
        #expect(Date().timeIntervalSince(started) < 10)
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(said.contains("wrong version number") || said.contains("packet length too long"), "\(said)")
        #expect(eventually { server.logLines.all.contains { $0.contains("began a TLS handshake on the plaintext port; TLS is on port \(server.tlsPort!)") } })
    }

    /// The fingerprint a client sees is the one the server printed and the one
    /// `openssl x509 -fingerprint -sha256` gives for the file in the data folder.
    @Test func theSelfSignedCertificateIsMadeOnceAndItsFingerprintShown() throws {
        let server = try TestServer()
        let client = try server.client(over: .tls)
        let printed = try #require(server.server.tlsFingerprint)
        #expect(server.server.tlsCertificateCreated)
        #expect(client.serverFingerprint == printed)
        #expect(try Certificate.fingerprint(pemFile: server.directory + "/tls/certificate.pem") == printed)
        #expect(server.logLines.all.contains { $0.contains("a new self-signed certificate") && $0.hasSuffix(printed) })
        // The key is private to the server's user.
        var info = stat()
        #expect(stat(server.directory + "/tls/key.pem", &info) == 0 && info.st_mode & 0o077 == 0)
        // A restart keeps the certificate: clients that trusted it keep trusting it.
        try server.restart()
        #expect(!server.server.tlsCertificateCreated)
        #expect(try server.client(over: .tls).serverFingerprint == printed)
    }

    /// A renewed certificate is picked up without dropping anyone; a broken pair is
    /// refused and the one before keeps serving.
    @Test func aReloadServesTheNewCertificateAndKeepsConnections() throws {
        let certificates = try TestCertificates()
        let first = try certificates.selfSigned(["127.0.0.1"], as: "first")
        let paths = (certificate: certificates.folder + "/live.pem", key: certificates.folder + "/live-key.pem")
        func install(_ files: TestCertificates.Files) throws {
            for (from, to) in [(files.certificate, paths.certificate), (files.key, paths.key)] {
                _ = try? FileManager.default.removeItem(atPath: to)
                try FileManager.default.copyItem(atPath: from, toPath: to)
            }
        }
        try install(first)
        let server = try TestServer { config in
            config.tls = TLSSettings(host: "127.0.0.1", port: 0, certificate: paths.certificate, key: paths.key)
        }
        let connected = try server.client("ana", over: .tls)
        #expect(connected.serverFingerprint == first.fingerprint)

        let second = try certificates.selfSigned(["127.0.0.1"], as: "second")
        try install(second)
        #expect(try server.server.reloadCertificate().get() == second.fingerprint)
        #expect(connected.reply("PING still here") == "OK PING :still here", "an open connection keeps its session")
        #expect(try server.client(over: .tls).serverFingerprint == second.fingerprint)

        // A certificate without its key (a half-finished deploy): refused, the second keeps serving.
        try FileManager.default.removeItem(atPath: paths.certificate)
        try FileManager.default.copyItem(atPath: first.certificate, toPath: paths.certificate)
        guard case .failure(let error) = server.server.reloadCertificate() else {
            Issue.record("a mismatched pair was loaded")
            return
        }
        #expect(error.description.contains("does not match"), "\(error)")
        #expect(server.logLines.all.contains { $0.contains("was not reloaded") })
        #expect(try server.client(over: .tls).serverFingerprint == second.fingerprint)
        #expect(connected.reply("PING") == "OK PING :")
    }

    /// Thousands of tiny requests, each its own TLS record, sent without waiting, are all
    /// answered. This walks the path where the server stops reading at its inbound
    /// limit with records already pulled into the TLS layer, which no socket event will
    /// announce (it must go on reading them itself); when that happens depends on how
    /// the bytes arrive, which a test cannot force.
    @Test func thousandsOfPipelinedTinyRecordsAreAllAnswered() throws {
        let server = try TestServer()
        let client = try server.client("ana", over: .tls)
        let count = 9000
        for n in 0..<count { client.send("PING \(n)") }
        var answered = 0
        while answered < count, let line = client.readLine(timeout: 10) {
            if line.hasPrefix("OK PING") || line.hasPrefix("ERR") { answered += 1 }
        }
        #expect(answered == count, "every pipelined request is answered with nothing more sent")
    }

    /// Someone types at the TLS port with `nc`: one plaintext line says why, then it closes.
    @Test func plaintextToTheTLSPortIsToldAndClosed() throws {
        let server = try TestServer()
        let typist = try LineClient(port: server.tlsPort!)
        typist.send("LOGIN ana \(server.tokens["ana"]!)")
        #expect(typist.readLine() == "BYE TLS :this port speaks TLS: connect with leadline --server tls://HOST:PORT, or openssl s_client -quiet -connect HOST:PORT")
        #expect(typist.readLine() == nil && typist.sawEndOfStream)
        // The line is logged as the server closes, just after the client sees the end.
        #expect(eventually { server.logLines.all.contains { $0.contains("sent plaintext to the TLS port") } })
    }

    /// Garbage records, and a handshake that never finishes, close the connection with
    /// a log line; the server goes on serving.
    @Test func garbageAndSilentHandshakesAreClosed() throws {
        let server = try TestServer { $0.limits.loginTimeout = 0.3 }
        let garbage = try LineClient(port: server.tlsPort!)
        garbage.sendRaw([0x16, 0x03, 0x01, 0x00, 0x05, 0xde, 0xad, 0xbe, 0xef, 0x00] + Array(repeating: 0xff, count: 64))
        garbage.readUntilClosed()  // a TLS alert, perhaps, then the end
        #expect(garbage.sawEndOfStream)
        #expect(eventually { server.logLines.all.contains { $0.contains("(not logged in): TLS: ") } }, "\(server.logLines.all.suffix(3))")

        let silent = try LineClient(port: server.tlsPort!)
        #expect(silent.readLine(timeout: 5) == nil && silent.sawEndOfStream, "closed after the login timeout")
        #expect(eventually { server.logLines.all.contains { $0.contains("closed before its TLS handshake finished") } })
        #expect(try server.client("ana", over: .tls).reply("PING") == "OK PING :")
    }

    /// Requests that arrive faster than they are answered, many records in one read,
    /// are all answered, in order: nothing waits in the TLS layer unread.
    @Test func pipelinedRequestsOverTLSAreAllAnswered() throws {
        let server = try TestServer()
        let ana = try server.client("ana", over: .tls)
        for i in 0..<300 { ana.send("@p\(i) PING \(i)") }
        var answered = 0
        while let line = ana.readLine(), answered < 300 {
            #expect(line == "@p\(answered) OK PING :\(answered)")
            answered += 1
            if answered == 300 { break }
        }
        #expect(answered == 300)
    }

    /// A watcher on TLS that stops reading is cut off with `BYE SLOW`, like any other.
    @Test func aSlowReaderOnTLSIsCutOff() throws {
        let server = try TestServer { $0.limitSlowConsumers(to: 128 << 10) }
        let (writer, id, slow) = try server.writerAndSlowWatcher(over: .tls)
        let text = String(repeating: "n", count: 3000)
        for i in 0..<200 {
            #expect(writer.reply("NOTE \(id) \(i) \(text)").hasPrefix("OK NOTE"))
            if server.logLines.all.contains(where: { $0.contains("cut off as a slow consumer") }) { break }
        }
        #expect(eventually { server.logLines.all.contains { $0.contains("(ana) fell") && $0.contains("cut off as a slow consumer") } })
        let tail = slow.readUntilClosed(timeout: 10)
        #expect(tail.last == "BYE SLOW :more than 131072 bytes of events waited unread; reconnect and use SINCE to catch up")
    }
}

/// Reads lines from a pipe, waiting up to a few seconds for each.
final class LinesReader: @unchecked Sendable {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(_ handle: FileHandle) { self.handle = handle }

    func next(timeout: TimeInterval = 5) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            var p = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            let wait = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
            guard wait > 0, poll(&p, 1, wait) > 0 else { return nil }
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            buffer += chunk
        }
    }
}

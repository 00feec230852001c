import Dispatch
import Foundation
import Glibc
import LeadlineServer
import LeadlineTestSupport
import Synchronization
import Testing

/// Tests that run the real `leadlined` executable.
@Suite(.serialized) struct ProcessTests {
    /// A data folder seeded with two people; returns their tokens.
    static func seededFolder() throws -> (String, [String: String]) {
        let dir = NSTemporaryDirectory() + "leadline-proc-" + UUID().uuidString
        var tokens: [String: String] = [:]
        for (name, role) in [("ana", "csr"), ("ben", "csr")] {
            let run = try ServerProcess.run(["user", "add", name, "--role", role, "--data", dir])
            #expect(run.status == 0, "\(run.err)")
            let token = run.out.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(token.count == 32 && !token.contains(" "), "the token is printed alone: \(run.out)")
            tokens[name] = token
        }
        return (dir, tokens)
    }

    /// SIGTERM: everyone gets BYE, and the process exits 0.
    @Test func sigtermSaysGoodbyeAndExitsCleanly() throws {
        let (dir, tokens) = try Self.seededFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServerProcess(arguments: ["--port", "0", "--data", dir])
        let anon = try LineClient(port: server.port)
        _ = anon.readLine()
        let ana = try LineClient(port: server.port)
        _ = ana.readLine()
        #expect(ana.reply("LOGIN ana \(tokens["ana"]!)") == "OK LOGIN user=ana role=csr")
        server.terminate()
        #expect(ana.readLine() == "BYE SHUTDOWN :the server is shutting down")
        #expect(anon.readLine() == "BYE SHUTDOWN :the server is shutting down")
        #expect(server.waitForExit() == 0)
    }

    /// A log no one reads any more stops nothing: with its stderr pipe closed, the
    /// server logs into the void (a login, a refused one, a signal) and goes on
    /// answering, then stops cleanly. (Foundation's FileHandle trapped on the EPIPE:
    /// the server exited at its next log line.)
    @Test func aClosedLogPipeStopsNothing() throws {
        let (dir, tokens) = try Self.seededFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServerProcess(arguments: ["--port", "0", "--data", dir])
        server.closeErrorOutput()
        let ana = try LineClient(port: server.port)
        _ = ana.readLine()
        #expect(ana.reply("LOGIN ana \(tokens["ana"]!)") == "OK LOGIN user=ana role=csr")
        let intruder = try LineClient(port: server.port)
        _ = intruder.readLine()
        #expect(intruder.reply("LOGIN ben wrong-token").hasPrefix("ERR AUTH"))
        #expect(ana.reply("PING still here") == "OK PING :still here")
        server.terminate()
        #expect(ana.readLine() == "BYE SHUTDOWN :the server is shutting down")
        #expect(server.waitForExit() == 0)
    }

    /// Two servers on one data folder: the second is refused with a clear message.
    @Test func aSecondServerOnTheSameFolderIsRefused() throws {
        let (dir, _) = try Self.seededFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try ServerProcess(arguments: ["--port", "0", "--data", dir])
        let second = try ServerProcess.run(["--port", "0", "--data", dir])
        #expect(second.status == 1)
        #expect(second.err.contains("is in use by leadlined serving on 127.0.0.1:0 (pid \(first.process.processIdentifier))"))
        let user = try ServerProcess.run(["user", "add", "cara", "--role", "csr", "--data", dir])
        #expect(user.status == 1)
        #expect(user.err.contains("USER ADD"))
        let list = try ServerProcess.run(["user", "list", "--data", dir])
        #expect(list.status == 0)
        #expect(list.out == "ana\tcsr\nben\tcsr\n")
        first.terminate()
        #expect(first.waitForExit() == 0)
    }

    /// A first start that cannot listen (the port is taken) has already made the owner:
    /// it shows the token before it fails, and the token works on the next start.
    @Test func aFirstStartThatCannotListenStillShowsTheOwnersToken() throws {
        let dir = NSTemporaryDirectory() + "leadline-busy-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let taken = try ServerProcess(arguments: ["--port", "0", "--data", dir + "-other"])
        defer { try? FileManager.default.removeItem(atPath: dir + "-other") }
        let failed = try ServerProcess.run(["--port", "\(taken.port)", "--data", dir])
        taken.terminate()
        #expect(taken.waitForExit() == 0)
        #expect(failed.status == 1 && failed.err.contains("cannot listen"), "\(failed.err)")
        let token = failed.out.split(separator: "\n").first { $0.contains("token:") }
            .map { String($0.split(separator: " ").last!) }
        #expect(token != nil, "\(failed.out)")
        let server = try ServerProcess(arguments: ["--port", "0", "--data", dir])
        let c = try LineClient(port: server.port)
        _ = c.readLine()
        #expect(c.reply("LOGIN owner \(token ?? "")") == "OK LOGIN user=owner role=owner")
        server.terminate()
        #expect(server.waitForExit() == 0)
    }

    /// The first start on an empty folder makes an owner and prints its token once.
    @Test func firstStartMakesAnOwner() throws {
        let dir = NSTemporaryDirectory() + "leadline-first-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + ".json"
        _ = FileManager.default.createFile(atPath: config, contents: Data(#"{"listen":{"port":0},"data":"\#(dir)"}"#.utf8))
        defer { try? FileManager.default.removeItem(atPath: config) }
        let server = try ServerProcess(arguments: ["--config", config])
        let c = try LineClient(port: server.port)
        #expect(c.readLine()?.hasPrefix("HELLO leadline version=") == true)
        server.terminate()
        #expect(server.waitForExit() == 0)
        let list = try ServerProcess.run(["user", "list", "--data", dir])
        #expect(list.out == "owner\towner\n")
    }

    /// `--clock sim --start`: a simulated clock, moved only by CLOCK ADVANCE.
    @Test func aSimulatedClockStartsWhereItIsTold() throws {
        let (dir, tokens) = try Self.seededFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + ".json"
        _ = FileManager.default.createFile(atPath: config, contents: Data(#"{"policy":{"timeZone":"America/Chicago"}}"#.utf8))
        defer { try? FileManager.default.removeItem(atPath: config) }
        let server = try ServerProcess(arguments: ["--port", "0", "--data", dir, "--config", config,
                                                   "--clock", "sim", "--start", "2026-11-23T08:00"])
        let c = try LineClient(port: server.port)
        _ = c.readLine()
        _ = c.reply("LOGIN ana \(tokens["ana"]!)")
        #expect(c.reply("CLOCK") == "OK CLOCK now=2026-11-23T08:00:00-06:00 mode=sim")
        server.terminate()
        #expect(server.waitForExit() == 0)
        let bad = try ServerProcess.run(["--port", "0", "--data", dir, "--start", "2026-11-23T08:00"])
        #expect(bad.status == 2)
        #expect(bad.err.contains("--start goes with --clock sim"))
    }

    /// The real process: TLS with a named certificate, `leadlined tls fingerprint`, and
    /// SIGHUP (a certbot deploy hook) swapping the certificate while a client stays connected.
    @Test func sighupReloadsTheCertificateWhileConnected() throws {
        let (dir, tokens) = try Self.seededFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let certificates = try TestCertificates()
        let first = try certificates.selfSigned(["127.0.0.1"], as: "first")
        let live = (certificate: certificates.folder + "/fullchain.pem", key: certificates.folder + "/privkey.pem")
        func deploy(_ files: TestCertificates.Files) throws {
            for (from, to) in [(files.key, live.key), (files.certificate, live.certificate)] {
                try? FileManager.default.removeItem(atPath: to)
                try FileManager.default.copyItem(atPath: from, toPath: to)
            }
        }
        try deploy(first)
        let server = try ServerProcess(arguments: ["--port", "0", "--data", dir, "--tls-listen", "127.0.0.1:0",
                                                   "--tls-cert", live.certificate, "--tls-key", live.key])
        let tlsPort = try #require(server.waitForOutput(#"TLS on 127\.0\.0\.1:\d+"#).flatMap { UInt16($0.split(separator: ":").last!) })
        let printed = try ServerProcess.run(["tls", "fingerprint", "--tls-cert", live.certificate])
        #expect(printed.out == first.fingerprint + "\n", "\(printed)")

        let ana = try LineClient(tlsPort: tlsPort)
        _ = ana.readLine()
        #expect(ana.reply("LOGIN ana \(tokens["ana"]!)") == "OK LOGIN user=ana role=csr")
        #expect(ana.serverFingerprint == first.fingerprint)

        let second = try certificates.selfSigned(["127.0.0.1"], as: "second")
        try deploy(second)
        kill(server.process.processIdentifier, SIGHUP)
        #expect(eventually { (try? LineClient(tlsPort: tlsPort))?.serverFingerprint == second.fingerprint })
        #expect(ana.reply("PING") == "OK PING :", "the connection made before the reload goes on")
        server.terminate()
        #expect(server.waitForExit() == 0)
    }

    /// A plaintext listener on every interface is warned about; a self-signed TLS
    /// certificate is made and its fingerprint printed, then shown again on request.
    @Test func plaintextOnTheNetworkIsWarnedAndTheFingerprintPrinted() throws {
        let (dir, _) = try Self.seededFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let errors = dir + ".log"
        defer { try? FileManager.default.removeItem(atPath: errors) }
        let server = try ServerProcess(arguments: ["--host", "0.0.0.0", "--port", "0", "--data", dir, "--tls-listen", "127.0.0.1:0"])
        let fingerprint = try #require(server.waitForOutput(#"\n  ([0-9A-F]{2}:){31}[0-9A-F]{2}"#)?.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(server.printed.contains("self-signed (made just now"))
        let again = try ServerProcess.run(["tls", "fingerprint", "--data", dir])
        #expect(again.out == fingerprint + "\n")
        server.terminate()
        #expect(server.waitForExit() == 0)
        #expect(server.errorOutput.contains("warning: the plaintext listener on 0.0.0.0 is reachable from the network"))
    }

    @Test func badCommandLinesExitTwo() throws {
        for arguments in [["--bogus"], ["--port", "http"], ["user", "add", "x"], ["--config", "/nonexistent.json"]] {
            let run = try ServerProcess.run(arguments)
            #expect(run.status == 2, "\(arguments): \(run.status) \(run.err)")
            #expect(run.err.hasPrefix("leadlined: "))
        }
        let help = try ServerProcess.run(["--help"])
        #expect(help.status == 0)
        #expect(help.out.contains("leadlined user add NAME --role ROLE"))
    }
}

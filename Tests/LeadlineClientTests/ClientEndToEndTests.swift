import Foundation
import Glibc
import LeadlineClient
import LeadlineTestSupport
import LeadlineTransport
import Synchronization
import Testing

/// The client against a real server: exit codes, the watch stream through a dropped
/// line, retries that are not applied twice, and the credentials file.
@Suite struct ClientEndToEndTests {
    func environment(_ server: TestServer, as name: String, port: UInt16? = nil, secure: Bool = false) -> [String: String] {
        var environment = ["LEADLINE_SERVER": "127.0.0.1:\(port ?? server.port)", "LEADLINE_USER": name,
                           "LEADLINE_TOKEN": server.tokens[name]!, "HOME": NSTemporaryDirectory(), "PATH": "/usr/bin:/bin"]
        if secure {
            // TLS, trusting the test server's self-signed certificate by its fingerprint.
            environment["LEADLINE_SERVER"] = "tls://127.0.0.1:\(port ?? server.tlsPort!)"
            environment["LEADLINE_KNOWN_SERVERS"] = NSTemporaryDirectory() + "leadline-known-" + UUID().uuidString
            try? "tls://127.0.0.1:\(port ?? server.tlsPort!) \(server.server.tlsFingerprint!)\n"
                .write(toFile: environment["LEADLINE_KNOWN_SERVERS"]!, atomically: true, encoding: .utf8)
            chmod(environment["LEADLINE_KNOWN_SERVERS"]!, 0o600)
        }
        return environment
    }

    @Test func oneShotExitCodes() throws {
        let server = try TestServer()
        let ana = environment(server, as: "ana")
        let created = try ClientProcess.run(["new", "--phone", "555-0100", "--name", "Jane Roe"], environment: ana)
        #expect(created.0 == 0)
        #expect(created.1 == ["OK NEW lead=1 due=2026-11-23T08:15:00-06:00 seq=9"])
        #expect(try ClientProcess.run(["send", "CLAIM 1"], environment: ana).0 == 0)
        let conflict = try ClientProcess.run(["claim", "1"], environment: environment(server, as: "ben"))
        #expect(conflict.0 == 1)
        #expect(conflict.1 == ["ERR CONFLICT lead=1 owner=ana :lead 1 is already claimed by ana"])
        let shown = try ClientProcess.run(["show", "1"], environment: ana)
        #expect(shown.0 == 0)
        #expect(shown.1.first?.hasPrefix("LEAD 1 status=needs-callback") == true)
        #expect(shown.1.last == "OK SHOW lead=1 history=2")
        // The technician's short form.
        _ = try ClientProcess.run(["send", #"STATUS 1 booked appt="tomorrow 9am" tech=tess"#], environment: ana)
        let outcome = try ClientProcess.run(["outcome", "1", "no-decision", "--followup", "thu"], environment: environment(server, as: "tess"))
        #expect(outcome.0 == 0, "\(outcome)")
        #expect(outcome.1.first?.hasPrefix("OK OUTCOME lead=1 status=no-decision due=2026-11-26T08:00:00-06:00") == true)
        let usage = try ClientProcess.run(["clam", "1"], environment: ana)
        #expect(usage.0 == 2)
        #expect(usage.2.first?.contains("did you mean claim?") == true)
        var wrong = ana
        wrong["LEADLINE_TOKEN"] = "not-her-token"
        let refused = try ClientProcess.run(["send", "PING"], environment: wrong)
        #expect(refused.0 == 3)
        #expect(refused.2.last == "leadline: login refused: wrong name or token")
    }

    /// A server that accepts the connection and never greets (or an address that never
    /// answers) is given up on when `--wait` ends too, not only one that refuses.
    @Test func aServerThatNeverGreetsIsGivenUpOnAtTheWait() throws {
        let server = try TestServer()
        let (silent, port) = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 4)  // never accepts
        defer { silent.close() }
        var env = environment(server, as: "ana")
        env["LEADLINE_SERVER"] = "127.0.0.1:\(port)"
        let started = Date()
        let run = try ClientProcess.run(["send", "PING", "--wait", "1"], environment: env)
        let took = Date().timeIntervalSince(started)
        #expect(run.0 == 3)
        #expect(run.2.last?.contains("cannot reach 127.0.0.1:\(port) within --wait 1 s") == true, "\(run.2)")
        #expect(took < 6, "\(took) s")
    }

    /// A server that cannot be reached is retried a few times, then exit code 3.
    @Test func anUnreachableServerExitsThree() throws {
        let server = try TestServer()
        var unreachable = environment(server, as: "ana")
        unreachable["LEADLINE_SERVER"] = "127.0.0.1:1"
        let started = Date()
        let down = try ClientProcess.run(["send", "PING", "--wait", "1"], environment: unreachable)
        #expect(down.0 == 3)
        #expect(down.2.last?.contains("cannot connect to 127.0.0.1:1") == true)
        #expect(down.2.last?.contains("gave up after") == true)
        let took = Date().timeIntervalSince(started)
        #expect(took >= 1 && took < 5, "--wait 1 keeps trying for the whole second, then gives up: \(took) s")
    }

    /// The server's side of the line is cut mid-stream, twice: the watch stream shows
    /// every event once, in order, with no gap.
    @Test(arguments: [false, true])
    func watchSurvivesADroppedLineWithNoGapAndNoDuplicate(secure: Bool) throws {
        let server = try TestServer()
        let proxy = try FlakyProxy(to: secure ? server.tlsPort! : server.port)
        let watcher = try ClientProcess(["watch", "--keepalive", "1"],
                                        environment: environment(server, as: "omar", port: proxy.port, secure: secure))
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        #expect(eventually { watcher.stderr.contains { $0.contains("watching") } })
        var expected: [String] = []
        for round in 0..<3 {
            for i in 0..<15 {
                let reply = ana.reply("NEW phone=555-\(round)\(String(format: "%02d", i)) name=\"Customer \(round)-\(i)\"")
                expected.append(field("seq", in: reply) ?? "?")
                if i == 7 && round < 2 { proxy.cut() }  // mid-stream, with events still coming
            }
            // Let the client come back before the next round, so each cut meets a live line.
            #expect(eventually(timeout: 10) { watcher.stderr.filter { $0.contains("watching") }.count >= round + 2 || round == 2 })
        }
        #expect(eventually(timeout: 15) { watcher.stdout.filter { $0.contains(" logged lead ") }.count >= expected.count })
        let seen = watcher.stdout.compactMap { line -> String? in
            guard line.contains(" logged lead ") else { return nil }
            return line.split(separator: " ").first { $0.hasPrefix("#") }.map { String($0.dropFirst()) }
        }
        #expect(seen == expected, "missing: \(Set(expected).subtracting(seen).sorted()); stderr: \(watcher.stderr)")
        #expect(watcher.stderr.filter { $0.contains("reconnecting") }.count >= 2)
        #expect(watcher.stderr.contains { $0.contains("missed events replayed") })
        watcher.interrupt()
        #expect(watcher.waitForExit() == 0)
    }

    /// An alerts-only watch that has shown nothing yet loses its line while alerts are
    /// raised: back, it shows them all, once. (It resumes from the `last=` of its first
    /// `OK WATCH`; before, it had nowhere to resume from and showed none.)
    @Test func anAlertsWatchThatShowedNothingYetMissesNothing() throws {
        let server = try TestServer()
        let proxy = try FlakyProxy(to: server.port)
        let watcher = try ClientProcess(["watch", "--alerts", "--keepalive", "1"],
                                        environment: environment(server, as: "omar", port: proxy.port))
        #expect(eventually { watcher.stderr.contains { $0.contains("watching") } })
        let ana = try server.client("ana")
        _ = ana.reply("WATCH none")
        #expect(ana.reply("NEW phone=555-0100 name=\"Nobody's Lead\"").hasPrefix("OK NEW lead=1"))
        proxy.swallowServerBytes()
        let olive = try server.client("olive")
        _ = olive.reply("WATCH none")
        #expect(olive.reply("CLOCK ADVANCE 30m").hasPrefix("OK CLOCK"))
        #expect(watcher.stdout.filter { $0.contains("ALERT") }.isEmpty, "swallowed on the way")
        proxy.cut()
        #expect(eventually(timeout: 15) { watcher.stdout.contains { $0.contains("ALERT unassigned") } }, "\(watcher.stderr)")
        let shown = watcher.stdout.filter { $0.contains("ALERT") }
        #expect(Set(shown).count == shown.count, "nothing twice: \(shown)")
        watcher.interrupt()
        #expect(watcher.waitForExit() == 0)
    }

    /// Events about a lead made before the watch began name its customer too: the
    /// watch learns the open leads' names when it connects.
    @Test func aWatchNamesTheCustomersOfLeadsMadeBeforeIt() throws {
        let server = try TestServer()
        let ana = try server.client("ana")
        let olive = try server.client("olive")
        for c in [ana, olive] { _ = c.reply("WATCH none") }
        /// A `leadline watch` started now, once it says it is watching.
        func startWatch() throws -> ClientProcess {
            let watch = try ClientProcess(["watch"], environment: environment(server, as: "omar"))
            #expect(eventually { watch.stderr.contains { $0.contains("watching") } })
            return watch
        }
        /// Ana claims `lead`; `watch` names its customer.
        func claim(_ lead: Int, named name: String, seenBy watch: ClientProcess) {
            #expect(ana.reply("CLAIM \(lead)").hasPrefix("OK CLAIM"))
            #expect(eventually { watch.stdout.contains { $0.contains("ana claimed lead \(lead) (\(name))") } }, "\(watch.stdout)")
        }
        #expect(ana.reply("NEW phone=555-0100 name=\"Jane Roe\"").hasPrefix("OK NEW lead=1"))
        let watcher = try startWatch()
        claim(1, named: "Jane Roe", seenBy: watcher)
        // A lead closed before it started, reopened: named from the events after.
        #expect(ana.reply("NEW phone=555-0102 name=\"Kim Ode\"").hasPrefix("OK NEW lead=2"))
        #expect(olive.reply("STATUS 2 disqualified reason=\"out of area\"").hasPrefix("OK STATUS"))
        let later = try startWatch()
        #expect(olive.reply("STATUS 2 needs-callback").hasPrefix("OK STATUS"))
        #expect(eventually { later.stdout.contains { $0.contains("reopened lead 2") } })
        claim(2, named: "Kim Ode", seenBy: later)
        for watch in [later, watcher] {
            watch.interrupt()
            #expect(watch.waitForExit() == 0)
        }
    }

    /// A request sent as the link reports itself connected (what `watch` does to learn
    /// the customers' names) is written once, not once more with the requests that
    /// waited for the line.
    @Test func aRequestSentOnConnectingIsWrittenOnce() throws {
        let server = try TestServer()
        let proxy = try FlakyProxy(to: server.port)
        var options = ServerLink.Options(address: ServerAddress(host: "127.0.0.1", port: proxy.port, secure: false),
                                         user: "ana", token: server.tokens["ana"]!)
        options.watch = "none"
        let link = ServerLink(options: options)
        let answered = Mutex<Int>(0)
        link.onStatus = { status in
            guard case .connected = status else { return }
            link.send("PING on-connect") { _ in answered.withLock { $0 += 1 } }
        }
        link.start()
        #expect(eventually { answered.withLock { $0 } == 1 })
        link.queue.sync {}
        #expect(eventually { proxy.clientLines.contains { $0.hasSuffix(" PING on-connect") } })
        usleep(200_000)
        #expect(proxy.clientLines.filter { $0.hasSuffix(" PING on-connect") }.count == 1, "\(proxy.clientLines)")
        link.stop()
    }

    /// A tagged change in flight when the line drops is re-sent with the same tag after
    /// reconnecting: the person gets the original answer, and it is done once.
    @Test(arguments: [false, true])
    func aRequestInFlightIsResentAndDoneOnce(secure: Bool) throws {
        let server = try TestServer()
        let proxy = try FlakyProxy(to: secure ? server.tlsPort! : server.port)
        var options = ServerLink.Options(address: ServerAddress(host: "127.0.0.1", port: proxy.port, secure: secure),
                                         user: "ana", token: server.tokens["ana"]!)
        options.tls.pinned = server.server.tlsFingerprint
        options.watch = "none"
        let link = ServerLink(options: options)
        let replies = Mutex<[String]>([])
        let connected = Mutex<Int>(0)
        link.onStatus = { status in
            if case .connected = status { connected.withLock { $0 += 1 } }
        }
        link.start()
        #expect(eventually { connected.withLock { $0 } == 1 })
        let watcher = try server.client("omar")
        proxy.swallowServerBytes()
        link.queue.async {
            link.send("NEW phone=555-0100 name=\"Only Once\"") { result in
                if case .success(let reply) = result { replies.withLock { $0 += reply.texts } }
            }
        }
        // The server has done it, but its answer was lost: then the line drops.
        #expect(watcher.readLine()?.contains(" CREATED lead=1 ") == true)
        proxy.cut()
        #expect(eventually(timeout: 10) { !replies.withLock { $0 }.isEmpty })
        #expect(replies.withLock { $0 } == ["OK NEW lead=1 due=2026-11-23T08:15:00-06:00 seq=9"])
        #expect(watcher.request("LIST all").count == 2, "one lead, not two")
        link.stop()
    }

    /// A new, empty folder for a client's home and credentials (the caller removes it).
    static func newHome() throws -> String {
        let folder = NSTemporaryDirectory() + "leadline-home-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func theCredentialsFileMustBePrivate() throws {
        let server = try TestServer()
        let folder = try Self.newHome()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/credentials"
        let text = "user=ana\ntoken=\(server.tokens["ana"]!)\nserver=127.0.0.1:\(server.port)\n"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644])
        let env = ["LEADLINE_CREDENTIALS": path, "HOME": folder, "PATH": "/usr/bin:/bin"]
        let refused = try ClientProcess.run(["send", "PING"], environment: env)
        #expect(refused.0 == 2)
        #expect(refused.2.first?.contains("refusing to use \(path): others can read it (mode 644); run: chmod 600") == true)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let accepted = try ClientProcess.run(["send", "PING hello"], environment: env)
        #expect(accepted.0 == 0)
        #expect(accepted.1 == ["OK PING :hello"])
    }

    /// With no terminal, `leadline login` reads the token from its input, checks it and
    /// writes the credentials file (mode 600), which the next command uses.
    @Test func loginTakesTheTokenFromItsInput() throws {
        let server = try TestServer()
        let folder = try Self.newHome()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/credentials"
        let login = try ClientProcess.run(["login", "--user", "ana", "--server", "127.0.0.1:\(server.port)"],
                                          environment: ["LEADLINE_CREDENTIALS": path, "HOME": folder, "PATH": "/usr/bin:/bin"],
                                          input: server.tokens["ana"]! + "\n")
        #expect(login.0 == 0)
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        let env = ["LEADLINE_CREDENTIALS": path, "HOME": folder, "PATH": "/usr/bin:/bin"]
        #expect(try ClientProcess.run(["send", "PING hi"], environment: env).1 == ["OK PING :hi"])

        // Any other command's input is requests: with no token anywhere, it says so at
        // once (exit 2), never taking the first request for the token.
        let piped = try ClientProcess.run(["--user", "ana", "--server", "127.0.0.1:\(server.port)"],
                                          environment: ["LEADLINE_CREDENTIALS": folder + "/none", "HOME": folder, "PATH": "/usr/bin:/bin"],
                                          input: "NEW phone=555-0100\n", keepInputOpen: true)  // must not be waited on
        #expect(piped.0 == 2)
        #expect(piped.2.joined(separator: "\n").contains("no token for ana: set LEADLINE_TOKEN"), "\(piped.2)")
    }

    /// Piped requests with a token the server refuses: the reason on stderr, exit 3
    /// (no connection or login), as for every other command.
    @Test func pipedInputWithARefusedLoginExitsThree() throws {
        let server = try TestServer()
        var env = environment(server, as: "ana")
        env["LEADLINE_TOKEN"] = "wrong"
        let refused = try ClientProcess.run([], environment: env, input: "PING\n")
        #expect(refused.0 == 3)
        #expect(refused.2.joined(separator: "\n").contains("login refused"), "\(refused.2)")
    }

    /// The board is a full-screen view: asked for on a pipe, it says what to use instead.
    @Test func theBoardWantsATerminal() throws {
        let server = try TestServer()
        let piped = try ClientProcess.run(["board"], environment: environment(server, as: "ana"))
        #expect(piped.0 == 2)
        #expect(piped.2.first?.contains("leadline board draws on a terminal") == true, "\(piped.2)")
        #expect(piped.1.isEmpty)
    }

    @Test func pipedInputIsSentLineByLine() throws {
        let server = try TestServer()
        let run = try ClientProcess.run([], environment: environment(server, as: "ana"),
                                        input: "NEW phone=555-0100\nCLAIM 1\nLIST mine\n")
        let lines = run.1
        #expect(run.0 == 0)
        #expect(lines.contains("OK NEW lead=1 due=2026-11-23T08:15:00-06:00 seq=9"))
        #expect(lines.contains("OK CLAIM lead=1 owner=ana seq=10"))
        #expect(lines.last == "OK LIST filter=mine count=1")
    }

    /// A request the server refuses before reading it (too long, a control byte) is
    /// answered with its tag, so a one-shot prints the error and exits 1, not waits.
    @Test func aRequestRefusedUnreadStillEndsTheOneShot() throws {
        let server = try TestServer()
        let ana = environment(server, as: "ana")
        let long = try ClientProcess.run(["send", "NOTE 3 " + String(repeating: "z", count: 5_000)], environment: ana)
        #expect(long.0 == 1 && long.1.first?.hasPrefix("ERR TOOLONG max=4096") == true, "\(long)")
        let control = try ClientProcess.run(["send", "NOTE 3 a\u{01}b"], environment: ana)
        #expect(control.0 == 1 && control.1 == ["ERR BADSYNTAX :the line holds a control character (byte 1)"], "\(control)")
    }

    /// An `IMPORT` piped with its file (up to the dot) is sent as one request and
    /// answered; a one-shot `IMPORT` is pointed to `leadline import`.
    @Test func aPipedImportSendsItsFile() throws {
        let server = try TestServer()
        let ana = environment(server, as: "ana")
        let run = try ClientProcess.run([], environment: ana,
                                        input: "PING a\nIMPORT leads\nname,phone\nPiped Imp,555-6200\n.\nPING b\n")
        #expect(run.0 == 0, "\(run)")
        #expect(run.1.contains { $0.hasPrefix("OK IMPORT count=1 first=1 last=1") }, "\(run.1)")
        #expect(run.1.last == "OK PING :b")
        let unended = try ClientProcess.run([], environment: ana, input: "IMPORT leads\nname,phone\nNo Dot,555-6201\n")
        #expect(unended.0 == 1 && unended.2.contains { $0.contains("ended inside IMPORT leads's file") }, "\(unended)")
        // A malformed IMPORT still takes its file to the dot: nothing in it is a request.
        let typo = try ClientProcess.run([], environment: ana, input: "IMPORT\tlead\nNEW phone=555-6202\n.\nPING c\n")
        #expect(typo.0 == 0 && typo.1.contains { $0.hasPrefix("ERR INVALID arg=what") } && typo.1.last == "OK PING :c", "\(typo)")
        let oneShot = try ClientProcess.run(["send", "IMPORT leads"], environment: ana)
        #expect(oneShot.0 == 2 && oneShot.2.contains { $0.contains("leadline import leads FILE.csv") }, "\(oneShot)")
        #expect(try server.client("olive").reply("LIST all") == "OK LIST filter=all count=1", "only the piped file's lead")
    }

    /// A one-shot `SINCE` replays what a connection watching the default stream would
    /// see (it used to turn events off first, and so replayed nothing).
    @Test func aOneShotSinceReplaysEvents() throws {
        let server = try TestServer()
        let ana = environment(server, as: "ana")
        #expect(try ClientProcess.run(["send", "NEW phone=555-0100"], environment: ana).0 == 0)
        let since = try ClientProcess.run(["send", "SINCE 0"], environment: ana)
        #expect(since.0 == 0 && since.1.contains { $0.contains(" CREATED lead=1 ") }, "\(since)")
        #expect(since.1.last?.hasPrefix("OK SINCE count=") == true && since.1.last?.hasPrefix("OK SINCE count=0") == false)
    }

    /// A piped `QUIT` ends the input, not the answers: what came before it is answered
    /// and printed, and nothing after it is sent.
    @Test func aPipedQuitWaitsForTheAnswersBeforeIt() throws {
        let server = try TestServer()
        let run = try ClientProcess.run([], environment: environment(server, as: "ana"),
                                        input: "PING one\nQUIT\nNEW phone=555-0100\n")
        #expect(run.0 == 0)
        #expect(run.1 == ["OK PING :one"], "\(run.1)")
        let olive = try server.client("olive")
        #expect(olive.reply("LIST all") == "OK LIST filter=all count=0", "nothing after QUIT was sent")
    }

    /// A one-shot request is one line: a line break in an argument is refused before
    /// anything is sent (it used to reach the server as a second request).
    @Test func aLineBreakInAOneShotIsRefused() throws {
        let server = try TestServer()
        let run = try ClientProcess.run(["note", "1", "hello\nNEW phone=555-0100"], environment: environment(server, as: "ana"))
        #expect(run.0 == 2)
        #expect(run.2.contains { $0.contains("a request is one line") }, "\(run.2)")
        let olive = try server.client("olive")
        #expect(olive.reply("LIST all") == "OK LIST filter=all count=0")
    }
}


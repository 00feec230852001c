import Dispatch
import Foundation
import Glibc
import LeadlineCore
import LeadlineJournal
import LeadlineServer
import LeadlineTransport
import LeadlineWire

/// The executable's steps, in a nonisolated type so that the signal handlers it
/// installs are not inferred to belong to the main actor.
enum ServerMain {
    static func run(_ arguments: [String]) -> Never {
        switch ServerCommandLine.parse(arguments) {
        case .failure(let error):
            fail(error.description, code: 2)
        case .success(.help):
            print(ServerCommandLine.usage)
            exit(0)
        case .success(.version):
            print("leadlined \(LeadlineVersion.current) (protocol \(LeadlineVersion.protocolVersion))")
            exit(0)
        case .success(.user(let action, let options)):
            // The shop's policy, as for the desk's commands: removing someone it names
            // is refused offline as over the protocol, or the server would not start.
            let config = deskConfiguration(options)
            do {
                let output = try DataFolderAdmin.run(action, dataDirectory: config.dataDirectory, policy: config.policy)
                if !output.isEmpty { print(output) }
                exit(0)
            } catch {
                fail(error.description, code: 1)
            }
        case .success(.check(let options)):
            let config = configuration(options)
            do {
                let result = try DataFolderDoctor.check(dataDirectory: config.dataDirectory)
                print(result.text)
                exit(result.sound ? 0 : 1)
            } catch {
                fail(error.description, code: 1)
            }
        case .success(.repair(let options)):
            let config = configuration(options)
            do {
                print(try DataFolderDoctor.repair(dataDirectory: config.dataDirectory, force: options.force))
                exit(0)
            } catch {
                fail(error.description, code: 1)
            }
        case .success(.tlsFingerprint(var options)):
            // The certificate named on the command line, or the one the server would show.
            let named = options.tlsCertificate
            (options.tlsCertificate, options.tlsKey) = (nil, nil)
            let config = configuration(options)
            var settings = config.tls ?? TLSSettings()
            if let named { settings.certificate = named }
            switch LeadlineServer.certificateFingerprint(settings, dataDirectory: config.dataDirectory) {
            case .success(let fingerprint):
                print(fingerprint)
                exit(0)
            case .failure(let error):
                fail(error.description, code: 1)
            }
        case .success(.report(let request, let format, let options)):
            do {
                print(try DataFolderExchange.report(request, format: format, configuration: deskConfiguration(options)), terminator: "")
                exit(0)
            } catch {
                fail(error.description, code: 1)
            }
        case .success(.export(let request, let options)):
            do {
                try DataFolderExchange.export(request, configuration: deskConfiguration(options)) { chunk in
                    // A reader that went away (`| head`) ends the export.
                    guard DescriptorText.write(chunk, to: 1) else { exit(1) }
                }
                exit(0)
            } catch {
                fail(error.description, code: 1)
            }
        case .success(.importLeads(let path, let strict, let system, let options)):
            do {
                print(try DataFolderExchange.importLeads(path: path, strict: strict, system: system, configuration: deskConfiguration(options)))
                exit(0)
            } catch {
                fail(error.description, code: 1)
            }
        case .success(.serve(let options)):
            serve(configuration(options))
        }
    }

    /// For `report`, `export`, `import` and `user`, which judge by the shop's policy:
    /// without `--config`, the config file the server last started with on this folder,
    /// so that an owner's offline report counts the same hours as the running server's.
    /// Said on stderr only to a person at a terminal (a cron job mails what it prints);
    /// a remembered config that is gone or unreadable here is warned about, and the
    /// defaults used, as before.
    private static func deskConfiguration(_ options: ServeOptions) -> ServerConfiguration {
        guard options.config == nil else { return configuration(options) }
        var options = options
        let folder = DataDirectory(path: options.data ?? ServerConfiguration().dataDirectory)
        guard let served = folder.servedConfig() else { return configuration(options) }
        // The folder asked about, whatever the remembered config's own "data" says.
        options.data = folder.path
        do {
            let file = try loaded(served)
            if isatty(2) != 0 {
                DescriptorText.write("leadlined: the shop's policy (time zone, hours) from \(served), the config the server last started with; --config FILE to use another\n", to: 2)
            }
            return withFlags(options, file)
        } catch {
            DescriptorText.write("leadlined: warning: the server last started with \(served), which cannot be read here (\(error)); "
                + "times and business hours are the defaults (--config FILE to give the shop's)\n", to: 2)
            return withFlags(options, ServerConfiguration())
        }
    }

    /// Defaults, then the config file, then the flags.
    private static func configuration(_ options: ServeOptions) -> ServerConfiguration {
        var file = ServerConfiguration()
        if let path = options.config {
            do {
                file = try loaded(path)
            } catch {
                fail(error.description, code: 2)
            }
        }
        return withFlags(options, file)
    }

    /// The defaults with the config file at `path` over them, which they remember.
    private static func loaded(_ path: String) throws(ServerError) -> ServerConfiguration {
        var config = ServerConfiguration()
        try ConfigurationFile.load(path: path, into: &config)
        config.configPath = URL(fileURLWithPath: path).standardizedFileURL.path
        return config
    }

    /// `config` (the defaults and the config file) with the command line's flags over it.
    private static func withFlags(_ options: ServeOptions, _ config: ServerConfiguration) -> ServerConfiguration {
        var config = config
        do {
            try options.applyListeners(to: &config)
        } catch {
            fail(error.description, code: 2)
        }
        if let data = options.data { config.dataDirectory = data }
        if options.simulatedClock {
            var start = Date()
            if let text = options.start {
                guard let spec = TimeSpec.parse(text), let date = spec.resolve(now: Date(), policy: config.policy),
                      TimeBounds.contains(date) else {
                    fail("--start must be a time like 2026-11-23T08:00, \(TimeBounds.spoken); got \"\(text)\"", code: 2)
                }
                start = date
            }
            config.clock = .simulated(ManualClock(Timestamp.truncatedToMillis(start)))
            config.drillCopy = options.drillCopy
            config.resumeDrill = options.start == nil
        }
        return config
    }

    /// The first owner's token, the one time it exists in the clear.
    private static func printBootstrapToken(_ server: LeadlineServer) {
        guard let token = server.bootstrapToken else { return }
        print("""
            Nobody was set up yet, so an account was created with the owner role:
              name:  \(LeadlineServer.bootstrapName)
              token: \(token)
            This token is shown only this once. Log in with:  LOGIN \(LeadlineServer.bootstrapName) \(token)
            Add people with: leadlined user add NAME --role ROLE (server stopped), or USER ADD over the protocol.
            """)
        fflush(nil)
    }

    private static func serve(_ config: ServerConfiguration) -> Never {
        let server = LeadlineServer(configuration: config)
        // Watch for SIGTERM/SIGINT before anyone can learn the port, so no signal is lost.
        let watcher = SignalWatcher { signal in
            DescriptorText.write("leadlined: signal \(signal), stopping\n", to: 2)
            server.stop { exit(0) }
        }
        // SIGHUP: read the TLS certificate again (a certbot deploy hook sends it).
        let reloader = SignalWatcher(signals: [SIGHUP]) { _ in
            if config.tls == nil {
                DescriptorText.write("leadlined: SIGHUP: nothing to reload (no --tls-listen)\n", to: 2)
            } else {
                server.reloadCertificate()
            }
        }
        do {
            try server.start()
        } catch {
            // The owner account may be journaled before the start failed (a port in use):
            // its token is shown now, or it would never be.
            printBootstrapToken(server)
            fail(error.description, code: 1)
        }
        printBootstrapToken(server)
        if config.clock.isSimulated {
            print("The clock is simulated: it reads \(Timestamp.local(config.clock.now, in: config.policy.timeZone)) and moves only on CLOCK ADVANCE (owner).")
        }
        print("leadlined \(LeadlineVersion.current) listening on \(config.host):\(server.port); try: nc \(config.host) \(server.port)")
        if let tls = config.tls, let port = server.tlsPort, let fingerprint = server.tlsFingerprint {
            print("TLS on \(tls.host):\(port); try: openssl s_client -quiet -connect 127.0.0.1:\(port)")
            if tls.certificate == nil {
                print("""
                    The certificate is self-signed\(server.tlsCertificateCreated ? " (made just now, kept in the data folder)" : ""). \
                    Its SHA-256 fingerprint, which clients show the first time they connect:
                      \(fingerprint)
                    Print it again with: leadlined tls fingerprint --data \(config.dataDirectory)
                    """)
            }
        }
        fflush(nil)
        withExtendedLifetime((watcher, reloader)) { dispatchMain() }
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        DescriptorText.write("leadlined: \(message)\n", to: 2)
        exit(code)
    }
}

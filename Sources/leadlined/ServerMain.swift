import Dispatch
import Foundation
import Glibc
import LeadlineCore
import LeadlineServer
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
            let config = configuration(options)
            do {
                let output = try DataFolderAdmin.run(action, dataDirectory: config.dataDirectory)
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
        case .success(.serve(let options)):
            serve(configuration(options))
        }
    }

    /// Defaults, then the config file, then the flags.
    private static func configuration(_ options: ServeOptions) -> ServerConfiguration {
        var config = ServerConfiguration()
        if let path = options.config {
            do {
                try ConfigurationFile.load(path: path, into: &config)
            } catch {
                fail(error.description, code: 2)
            }
        }
        if let host = options.host { config.host = host }
        if let port = options.port { config.port = port }
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
        }
        return config
    }

    private static func serve(_ config: ServerConfiguration) -> Never {
        let server = LeadlineServer(configuration: config)
        // Watch for SIGTERM/SIGINT before anyone can learn the port, so no signal is lost.
        let watcher = SignalWatcher { signal in
            FileHandle.standardError.write(Data("leadlined: signal \(signal), stopping\n".utf8))
            server.stop { exit(0) }
        }
        do {
            try server.start()
        } catch {
            fail(error.description, code: 1)
        }
        if let token = server.bootstrapToken {
            print("""
                Nobody was set up yet, so an account was created with the owner role:
                  name:  \(LeadlineServer.bootstrapName)
                  token: \(token)
                This token is shown only this once. Log in with:  LOGIN \(LeadlineServer.bootstrapName) \(token)
                Add people with: leadlined user add NAME --role ROLE (server stopped), or USER ADD over the protocol.
                """)
        }
        if config.clock.isSimulated {
            print("The clock is simulated: it reads \(Timestamp.local(config.clock.now, in: config.policy.timeZone)) and moves only on CLOCK ADVANCE (owner).")
        }
        print("leadlined \(LeadlineVersion.current) listening on \(config.host):\(server.port); try: nc \(config.host) \(server.port)")
        fflush(nil)
        withExtendedLifetime(watcher) { dispatchMain() }
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("leadlined: \(message)\n".utf8))
        exit(code)
    }
}

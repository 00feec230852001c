import Dispatch
import Foundation
import Glibc
import LeadlineWire

/// The `leadline` executable's steps: parse, find the server and the person, run a mode.
public enum ClientMain {
    public static func run(_ arguments: [String], environment: [String: String]) -> Never {
        signal(SIGPIPE, SIG_IGN)
        let invocation: ClientInvocation
        switch ClientCommandLine.parse(arguments) {
        case .success(let parsed): invocation = parsed
        case .failure(let error): fail(error, hint: true)
        }
        let style = Style.detect(environment: environment)
        switch invocation.mode {
        case .help:
            Output.line(ClientCommandLine.usage)
            exit(0)
        case .version:
            Output.line("leadline \(LeadlineVersion.current) (protocol \(LeadlineVersion.protocolVersion))")
            exit(0)
        case .login:
            login(invocation, environment: environment)
        default:
            break
        }
        var settings: ClientSettings
        do {
            settings = try ClientSettings.resolve(invocation, environment: environment, ask: true)
            try settings.settleTrust(invocation, environment: environment, ask: askOnTerminal)
        } catch {
            fail(error, hint: false)
        }
        switch invocation.mode {
        case .interactive: InteractiveSession(settings: settings, style: style).run()
        case .watch(let alertsOnly): WatchSession.run(alertsOnly: alertsOnly, settings: settings, style: style)
        case .board:
            // A full-screen view: on a pipe or in a file it would be escape codes.
            guard Terminal.isTerminal(1) else {
                fail(.usage("leadline board draws on a terminal; for a list on a pipe: leadline send 'LIST open'"), hint: false)
            }
            BoardSession(settings: settings, style: style).run()
        case .send(let line):
            OneShot.run(line, settings: settings, style: style, width: invocation.readable && Terminal.isTerminal(1) ? Terminal.size().columns : nil)
        case .report(let line):
            if Terminal.isTerminal(1) {
                ReportRun.run(line, settings: settings, style: style)
            } else {
                OneShot.run(line, settings: settings, style: style, width: nil)
            }
        case .export(let line):
            CSVTransfer.export(line, settings: settings)
        case .importLeads(let path, let strict, let system):
            CSVTransfer.importLeads(path: path, strict: strict, system: system, settings: settings, style: style)
        case .help, .version, .login: exit(0)
        }
    }

    /// `leadline login`: asks for (or takes) a name and token, checks them with the
    /// server, and saves them with the server in the credentials file (mode 600).
    private static func login(_ invocation: ClientInvocation, environment: [String: String]) -> Never {
        let path = invocation.credentials ?? Credentials.defaultPath(environment: environment)
        var settings: ClientSettings
        do {
            settings = try ClientSettings.resolve(invocation, environment: environment, ask: true, useFile: false, tokenFromInput: true)
            try settings.settleTrust(invocation, environment: environment, ask: askOnTerminal)
        } catch {
            fail(error, hint: false)
        }
        var options = settings.linkOptions(watch: "none")
        options.maxAttempts = 3
        options.keepalive = 0
        let link = ServerLink(options: options)
        link.onStatus = { status in
            switch status {
            case .connected:
                do throws(ClientError) {
                    try Credentials(user: settings.user, token: settings.token, server: settings.address.description).save(path: path)
                    Output.line("logged in as \(settings.user) at \(settings.address); saved in \(path)")
                    exit(0)
                } catch {
                    fail(error, hint: false)
                }
            case .failed(let reason):
                fail(.connection(reason), hint: false)
            default:
                break
            }
        }
        link.start()
        dispatchMain()
    }

    /// Asks a yes-or-no question on the terminal (nil when there is none to ask on).
    private static func askOnTerminal(_ question: String) -> Bool? {
        guard Terminal.isTerminal(0), Terminal.isTerminal(2) else { return nil }
        Output.write(question + " ", to: 2)
        while let answer = Output.readLine()?.trimmingCharacters(in: .whitespaces).lowercased() {
            if answer == "yes" || answer == "y" { return true }
            if answer == "no" || answer == "n" || answer.isEmpty { return false }
            Output.write("please type yes or no: ", to: 2)
        }
        return false
    }

    private static func fail(_ error: ClientError, hint: Bool) -> Never {
        Output.line("leadline: \(error)" + (hint ? "\n(leadline --help shows how to use it)" : ""), to: 2)
        exit(error.exitCode)
    }
}

import Dispatch
import Foundation
import Glibc

/// `leadline watch`: the supervisor's stream, one readable line per event, with the
/// shop's local time, who and what; alerts stand out. Connection news goes to stderr,
/// so the stream itself can be piped and kept.
enum WatchSession {
    static func run(alertsOnly: Bool, settings: ClientSettings, style: Style) -> Never {
        let link = ServerLink(options: settings.linkOptions(watch: alertsOnly ? "alerts" : "all"))
        final class State: @unchecked Sendable {
            var wording = EventWording()
            var day = ""
        }
        let state = State()
        func learnNames() {
            link.send(EventWording.openLeadNames) { result in
                if case .success(let reply) = result { state.wording.learn(reply) }
            }
        }
        link.onEvent = { event in
            if state.wording.needsNames(after: event) { learnNames() }
            guard let line = state.wording.describe(event) else { return }
            if line.day != state.day {
                if !state.day.isEmpty { Output.line(style.dim("— \(line.day) —")) }
                state.day = line.day
            }
            let text = "\(line.time)  #\(line.seq)  \(line.text)"
            Output.line(line.isUrgent ? style.alert(text) : line.isAlert ? style.warning(text) : text)
        }
        link.onStatus = { status in
            switch status {
            case .connecting: break
            case .connected(_, let resumed):
                learnNames()
                Output.line(style.dim("leadline: watching \(settings.address) as \(settings.user)"
                    + (resumed.map { ", \($0) missed events replayed" } ?? "")), to: 2)
            case .lost(let reason, let delay):
                Output.line(style.dim("leadline: \(reason); reconnecting in \(String(format: "%.1f", delay)) s"), to: 2)
            case .gap(let reason):
                Output.line(style.warning("leadline: \(reason)"), to: 2)
            case .failed(let reason):
                Output.line("leadline: \(reason)", to: 2)
                exit(3)
            }
        }
        let stop = SignalExit { exit(0) }
        link.start()
        withExtendedLifetime(stop) { dispatchMain() }
    }
}

/// Exits cleanly on SIGINT or SIGTERM (after `cleanup`).
final class SignalExit: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(queue: DispatchQueue = .global(), cleanup: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler(handler: cleanup)
            source.activate()
            sources.append(source)
        }
    }
}

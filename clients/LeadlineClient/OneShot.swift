import Dispatch
import Foundation

/// `leadline send '...'` and the short forms: one request, its reply printed, and an
/// exit status a script can branch on. A dropped connection is retried (the request
/// keeps its tag, so a change is not made twice).
enum OneShot {
    /// A link for a few requests and an exit: no events, no keepalive, and exit status 3
    /// once it gives up reaching the server (after `--wait`).
    ///   - watch: the stream to watch; `none`, but nil (the server's default) for a
    ///     `SINCE`, which replays what the connection watches and would replay nothing.
    static func startLink(_ settings: ClientSettings, watch: String? = "none") -> ServerLink {
        var options = settings.linkOptions(watch: watch)
        options.giveUpAfter = settings.wait
        options.keepalive = 0
        let link = ServerLink(options: options)
        link.onStatus = { status in
            if case .failed(let reason) = status {
                Output.line("leadline: \(reason)", to: 2)
                exit(3)
            }
        }
        link.start()
        // `--wait` bounds the whole reach, not only the retries after a refusal: a
        // connection that hangs (an address that never answers, a port that never
        // greets) gives up when it ends too.
        let wait = settings.wait
        let shown = wait == wait.rounded() ? String(Int(wait)) : String(wait)
        link.queue.asyncAfter(deadline: .now() + wait + 1) {
            guard !link.isReady else { return }
            Output.line("leadline: cannot reach \(settings.address) within --wait \(shown) s", to: 2)
            exit(3)
        }
        return link
    }

    /// - Parameter width: lay the reply out for a person on a screen this wide (nil: as sent).
    static func run(_ line: String, settings: ClientSettings, style: Style, width: Int?) -> Never {
        let verb = ServerLink.verb(of: line)
        let link = startLink(settings, watch: verb == "SINCE" ? nil : "none")
        link.queue.async {
            link.send(line) { result in
                switch result {
                case .success(let reply):
                    let texts = width.map { ReplyView.lines(reply.texts, width: max(40, $0)) } ?? reply.texts
                    for text in texts {
                        Output.line(text.hasPrefix("ERR ") ? style.error(text) : text)
                    }
                    exit(reply.isOK ? 0 : 1)
                case .failure(let error):
                    Output.line("leadline: \(error)", to: 2)
                    exit(3)
                }
            }
        }
        dispatchMain()
    }
}

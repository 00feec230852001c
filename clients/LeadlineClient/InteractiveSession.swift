import Dispatch
import Foundation
import Glibc

/// The prompt. Requests are sent as typed (the client adds tags); replies and events
/// print above the line being typed without disturbing it; alerts stand out. On a
/// terminal: line editing (arrows, Home/End, Ctrl-A/E/U/K/W) and history (up/down).
/// With piped input: each line is sent in turn, and the session ends when all are
/// answered. An `IMPORT`'s file, typed or piped after it up to a lone dot, is sent
/// with it as one request.
final class InteractiveSession: @unchecked Sendable {
    private let link: ServerLink
    private let settings: ClientSettings
    private let style: Style
    private let terminal = Terminal()
    private let raw: Bool
    private var editor = LineEditor()
    private var decoder = KeyDecoder()
    private var wording = EventWording()
    private var prompt: String { "\(settings.user)> " }
    private var outstanding = 0
    private var inputEnded = false
    /// An `IMPORT` whose file is being typed or piped: the request and its lines so far.
    private var upload: (request: String, lines: [String])?
    /// How piped input ends once every answer is in: 1 when it ended inside a file.
    private var endStatus: Int32 = 0
    private var input: DispatchSourceRead?
    private var stopper: SignalExit?

    init(settings: ClientSettings, style: Style) {
        self.settings = settings
        self.style = style
        link = ServerLink(options: settings.linkOptions(watch: nil))
        raw = Terminal.isTerminal(0) && Terminal.isTerminal(1)
    }

    func run() -> Never {
        link.onEvent = { [unowned self] event in
            if raw, wording.needsNames(after: event) { learnNames() }
            guard let line = wording.describe(event) else { return }
            let text = "\(line.time) \(line.text)"
            show(line.isUrgent ? style.alert(text) : line.isAlert ? style.warning(text) : style.dim(text))
        }
        link.onStatus = { [unowned self] status in
            switch status {
            case .connecting: break
            case .connected(_, let resumed):
                notice(style.dim("connected to \(settings.address) as \(settings.user)"
                    + (resumed.map { "; \($0) missed events replayed" } ?? "") + ". HELP lists the verbs; QUIT or Ctrl-D ends."))
                // At a terminal, events name the customers of leads made before it
                // connected too (piped requests get their answers and nothing more).
                if raw { learnNames() }
            case .lost(let reason, let delay):
                notice(style.dim("\(reason); reconnecting in \(String(format: "%.1f", delay)) s (what you send waits)"))
            case .gap(let reason):
                notice(style.warning(reason))
            case .failed(let reason):
                finish(reason, status: 3)
            }
        }
        if raw {
            terminal.enterRawMode()
            stopper = SignalExit(queue: link.queue) { [unowned self] in finish(nil, status: 0) }
            let source = DispatchSource.makeReadSource(fileDescriptor: 0, queue: link.queue)
            source.setEventHandler { [unowned self] in readKeys() }
            source.activate()
            input = source
        } else {
            // Piped input: a plain blocking reader, since a pipe's data and its end
            // can arrive together, and a dispatch source may not fire again for the end.
            Thread.detachNewThread { [unowned self] in
                while let line = Output.readLine(0) {
                    link.queue.async { self.submit(line) }
                }
                link.queue.async { self.endOfInput() }
            }
        }
        link.start()
        redraw()
        dispatchMain()
    }

    /// Reads the open leads' names (``EventWording/openLeadNames``) for the events
    /// shown above the prompt.
    private func learnNames() {
        link.send(EventWording.openLeadNames) { [unowned self] result in
            if case .success(let reply) = result { wording.learn(reply) }
        }
    }

    private func readKeys() {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = read(0, &chunk, chunk.count)
        guard n > 0 else { finish(nil, status: 0) }
        for key in decoder.feed(chunk[0..<n]) { handle(key) }
    }

    /// Piped input is over: end once every request sent has its answer.
    private func endOfInput() {
        if let file = upload {
            upload = nil
            notice(style.error("the input ended inside \(file.request)'s file (no line holding only .); it was not sent"))
            endStatus = 1
        }
        inputEnded = true
        if outstanding == 0 { finish(nil, status: endStatus) }
    }

    private func handle(_ key: Key) {
        switch editor.handle(key) {
        case .none: break
        case .redraw: redraw()
        case .submit(let line):
            // What was sent stays above in full (wrapped if it must), not as scrolled.
            Output.write("\r\u{1B}[2K" + style.bold(prompt) + line + "\r\n")
            submit(line)
            redraw()
        case .endOfInput, .interrupt:
            finish(upload.map { "\($0.request)'s file was not sent (it had no line holding only .)" }, status: 0)
        case .clearScreen:
            Output.write("\u{1B}[H\u{1B}[2J")
            redraw()
        }
    }

    private func submit(_ typed: String) {
        guard !inputEnded else { return }  // (nothing after a piped QUIT)
        if var file = upload {
            // The file's lines go as they are, dot-stuffed as the protocol has them.
            guard typed == "." else {
                file.lines.append(typed)
                upload = file
                return
            }
            upload = nil
            return send(file.request, payload: file.lines + ["."])
        }
        let line = typed.trimmingCharacters(in: .whitespaces)
        guard !line.isEmpty else { return }
        if ServerLink.verb(of: line) == ServerLink.uploadVerb {
            upload = (line, [])
            if raw { show(style.dim("the file's lines now (a line starting with . takes one more), then a line holding only .")) }
            return
        }
        if ServerLink.sessionEnders.contains(line.uppercased()) {
            // Typed: the session ends now. Piped: the end of the input, so the answers
            // to what came before it are still printed.
            guard raw else { return endOfInput() }
            finish(nil, status: 0)
        }
        send(line)
    }

    /// Sends a request (with an `IMPORT`'s file) and prints its answer.
    private func send(_ line: String, payload: [String] = []) {
        outstanding += 1
        link.send(line, payload: payload) { [unowned self] result in
            outstanding -= 1
            switch result {
            case .success(let reply):
                for (row, text) in zip(reply.rows + [reply.final], reply.texts) {
                    if case .data(_, "LEAD", _, _, _) = row { wording.learn(row) }
                    show(text.hasPrefix("ERR ") ? style.error(text) : text.hasPrefix("OK ") ? style.ok(text) : text)
                }
            case .failure(let error):
                show(style.error("not sent: \(error)"))
            }
            if inputEnded && outstanding == 0 { finish(nil, status: endStatus) }
        }
    }

    /// Prints `text` above the prompt, then redraws the prompt and what is typed.
    private func show(_ text: String) {
        if raw {
            Output.write("\r\u{1B}[2K" + text.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n")
            redraw()
        } else {
            Output.line(text)
        }
    }

    /// News about the connection: above the prompt on a terminal, on stderr when piped
    /// (so stdout holds only replies and events).
    private func notice(_ text: String) {
        if raw { show(text) } else { Output.line(text, to: 2) }
    }

    private func redraw() {
        guard raw else { return }
        let shown = editor.visible(width: Terminal.size().columns - ColumnWidth.of(prompt))
        let back = ColumnWidth.of(shown.text) - shown.cursor
        Output.write("\r\u{1B}[2K" + style.bold(prompt) + shown.text + (back > 0 ? "\u{1B}[\(back)D" : ""))
    }

    private func finish(_ reason: String?, status: Int32) -> Never {
        if raw {
            Output.write("\r\u{1B}[2K")
            terminal.restore()
        }
        if let reason { Output.line("leadline: \(reason)", to: 2) }
        exit(status)
    }
}

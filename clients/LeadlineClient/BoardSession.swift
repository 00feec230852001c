import Dispatch
import Foundation
import Glibc
import LeadlineCore

/// `leadline board`: a full-screen live view of the open leads, most urgent first,
/// with countdowns, owners, backups and statuses, coloured by risk; redrawn in place
/// from the event stream and every second, and on resize. `q` quits.
///
/// It loads `LIST open` (again after any reconnection that may have missed events)
/// and reads the server's clock, so countdowns follow a simulated clock too.
final class BoardSession: @unchecked Sendable {
    private let link: ServerLink
    private let settings: ClientSettings
    private let style: Style
    private let terminal = Terminal()
    private var model = BoardModel()
    private var wording = EventWording()
    private var alerts: [String] = []
    private var zone = TimeZone.current
    /// The server's clock: its reading, when we read it, and whether it is simulated.
    private var clock: (server: Date, local: Date, simulated: Bool)?
    private var drawQueued = false
    private var sources: [DispatchSourceProtocol] = []
    private var status = "connecting"

    init(settings: ClientSettings, style: Style) {
        self.settings = settings
        self.style = style
        link = ServerLink(options: settings.linkOptions(watch: "all"))
    }

    func run() -> Never {
        terminal.enterRawMode()
        Output.write("\u{1B}[?1049h\u{1B}[?25l")
        link.onEvent = { [unowned self] event in
            if model.apply(event) { reload() }
            if let line = wording.describe(event), line.isAlert { alerts.append("\(line.time) \(line.text)") }
            if case .event(_, _, _, let f, _) = event, let at = f["at"].flatMap(Timestamp.parse), let c = clock, at > now() {
                clock = (at, Date(), c.simulated)
            }
            queueDraw()
        }
        link.onStatus = { [unowned self] status in
            switch status {
            case .connecting(let address): self.status = "connecting to \(address)"
            case .connected: self.status = "live"; reload()
            case .gap: reload()
            case .lost(let reason, _): self.status = "reconnecting: \(reason)"
            case .failed(let reason): finish(reason, status: 3)
            }
            queueDraw()
        }
        let input = DispatchSource.makeReadSource(fileDescriptor: 0, queue: link.queue)
        input.setEventHandler { [unowned self] in
            var byte: UInt8 = 0
            if read(0, &byte, 1) <= 0 || byte == UInt8(ascii: "q") || byte == 0x03 { finish(nil, status: 0) }
        }
        let tick = DispatchSource.makeTimerSource(queue: link.queue)
        tick.schedule(deadline: .now() + 1, repeating: 1)
        var ticks = 0
        tick.setEventHandler { [unowned self] in
            ticks += 1
            if ticks % 2 == 0 { readClock() }  // a simulated clock jumps when advanced
            draw()
        }
        signal(SIGWINCH, SIG_IGN)
        let resize = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: link.queue)
        resize.setEventHandler { [unowned self] in draw() }
        for source in [input, tick, resize] as [DispatchSourceProtocol] {
            source.activate()
            sources.append(source)
        }
        let stop = SignalExit(queue: link.queue) { [unowned self] in finish(nil, status: 0) }
        link.start()
        withExtendedLifetime(stop) { dispatchMain() }
    }

    private func reload() {
        link.send("LIST open") { [unowned self] result in
            if case .success(let reply) = result {
                model.load(reply.rows)
                wording.learn(reply)
                queueDraw()
            }
        }
        readClock()
    }

    private func readClock() {
        link.send("CLOCK") { [unowned self] result in
            guard case .success(let reply) = result, case .ok(_, _, let f, _) = reply.final,
                  let text = f["now"], let now = Timestamp.parse(text) else { return }
            clock = (now, Date(), f["mode"] == "sim")
            zone = Self.zone(of: text) ?? zone
            queueDraw()
        }
    }

    /// The offset a server time carries, as a time zone.
    static func zone(of text: String) -> TimeZone? {
        if text.hasSuffix("Z") { return TimeZone(secondsFromGMT: 0) }
        let tail = text.suffix(6)
        guard tail.count == 6, let sign = tail.first, sign == "+" || sign == "-",
              let h = Int(tail.dropFirst().prefix(2)), let m = Int(tail.suffix(2)) else { return nil }
        return TimeZone(secondsFromGMT: (h * 3600 + m * 60) * (sign == "-" ? -1 : 1))
    }

    private func now() -> Date {
        guard let clock else { return Date() }
        return clock.simulated ? clock.server : clock.server.addingTimeInterval(Date().timeIntervalSince(clock.local))
    }

    private func queueDraw() {
        guard !drawQueued else { return }
        drawQueued = true
        link.queue.asyncAfter(deadline: .now() + 0.05) { [unowned self] in
            drawQueued = false
            draw()
        }
    }

    private func draw() {
        model.serverNow = now()
        let (columns, rows) = Terminal.size()
        let title = "Leadline \(settings.address) · \(settings.user) · \(status)"
        let lines = BoardView.render(model, title: title, alerts: alerts, width: columns, height: rows - 1,
                                     zone: zone, style: style, now: now())
        var screen = "\u{1B}[H"
        for line in lines { screen += line + "\u{1B}[K\r\n" }
        screen += style.dim("q quits") + "\u{1B}[K\u{1B}[J"
        Output.write(screen)
    }

    private func finish(_ reason: String?, status: Int32) -> Never {
        Output.write("\u{1B}[?25h\u{1B}[?1049l")
        terminal.restore()
        if let reason { Output.line("leadline: \(reason)", to: 2) }
        exit(status)
    }
}

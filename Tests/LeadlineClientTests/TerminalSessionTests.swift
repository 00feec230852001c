import Foundation
import LeadlineTestSupport
import Testing

/// The prompt and the board, driven through a pseudo-terminal as a person would.
@Suite struct TerminalSessionTests {
    func environment(_ server: TestServer, as name: String) -> [String: String] {
        ["LEADLINE_SERVER": "127.0.0.1:\(server.port)", "LEADLINE_USER": name, "LEADLINE_TOKEN": server.tokens[name]!,
         "HOME": NSTemporaryDirectory(), "TERM": "xterm", "PATH": "/usr/bin:/bin"]
    }

    @Test func thePromptEditsAndShowsEventsAboveTheLine() throws {
        let server = try TestServer()
        let pty = try PseudoTerminal()
        let client = try pty.spawn(ClientProcess.executable, [], environment: environment(server, as: "ben"))
        defer { if client.isRunning { client.terminate() } }
        #expect(eventually { pty.screen.contains("ben> ") })
        pty.type("NEW phone=555-0100 name=\"Jane Roe\"\r")
        #expect(eventually { pty.screen.contains("OK NEW lead=1") })
        // Half a line typed, then someone else's claim arrives: it prints above, the
        // half line is redrawn after the prompt.
        pty.type("NOTE 1 call")
        #expect(eventually { pty.screen.hasSuffix("ben> NOTE 1 call") })
        let ana = try server.client("ana")
        _ = ana.reply("CLAIM 1")
        #expect(eventually { pty.screen.contains("ana claimed lead 1 (Jane Roe)") })
        #expect(eventually { pty.screen.hasSuffix("ben> NOTE 1 call") }, "the line being typed is intact")
        // History: Ctrl-U clears, Up brings back the NEW.
        pty.type("\u{15}\u{1B}[A")
        #expect(eventually { pty.screen.hasSuffix("ben> NEW phone=555-0100 name=\"Jane Roe\"") })
        pty.type("\u{15}CLAIM 1\r")
        #expect(eventually { pty.screen.contains("ERR CONFLICT lead=1 owner=ana") })
        #expect(pty.raw.contains("\u{1B}[31mERR CONFLICT"), "errors are coloured on a terminal")
        pty.type("\u{04}")
        #expect(eventually { !client.isRunning })
        #expect(client.terminationStatus == 0)
    }

    /// A line wider than the terminal scrolls sideways while typed (the redraw of one
    /// row would otherwise leave its wrapped rows behind) and is shown whole once sent.
    @Test func aLongLineScrollsAtThePromptAndIsShownWholeWhenSent() throws {
        let server = try TestServer()
        let pty = try PseudoTerminal(columns: 40, rows: 12)
        let client = try pty.spawn(ClientProcess.executable, [], environment: environment(server, as: "ben"))
        defer { if client.isRunning { client.terminate() } }
        #expect(eventually { pty.screen.contains("ben> ") })
        let line = #"NEW phone=555-0100 name="Jane Roe" service="replace the furnace""#
        pty.type(line)
        #expect(eventually { pty.screen.hasSuffix("ben> «" + line.suffix(32)) }, "\(pty.screen.suffix(80))")
        pty.type("\r")
        #expect(eventually { pty.screen.contains("OK NEW lead=1") })
        #expect(pty.screen.contains("ben> " + line + "\r"), "the sent line, whole")
        pty.type("\u{04}")
        #expect(eventually { !client.isRunning })
    }

    @Test func theBoardShowsOpenLeadsAndFollowsTheClock() throws {
        let server = try TestServer()
        let dora = try server.client("dora")
        _ = dora.reply("WATCH none")
        _ = dora.reply(#"NEW kind=missed-call phone=555-0101 name="Bob Lane" owner=ana"#)
        _ = dora.reply(#"NEW kind=promised phone=555-0102 name="Kim Ode" due=13:00"#)
        let pty = try PseudoTerminal(columns: 110, rows: 20)
        let board = try pty.spawn(ClientProcess.executable, ["board"], environment: environment(server, as: "omar"))
        defer { if board.isRunning { board.terminate() } }
        #expect(eventually { pty.screen.contains("2 open") && pty.screen.contains("Kim Ode") })
        #expect(pty.screen.contains("in 5m"))
        #expect(pty.raw.contains("\u{1B}[?1049h"), "the board uses the alternate screen")
        let olive = try server.client("olive")
        _ = olive.reply("CLOCK ADVANCE 10m")
        #expect(eventually { pty.screen.contains("5m late") }, "countdowns follow the server's clock")
        #expect(eventually { pty.screen.contains("ALERT escalation") })
        _ = dora.reply(#"NEW phone=555-0103 name="New Arrival""#)
        #expect(eventually { pty.screen.contains("3 open") && pty.screen.contains("New Arrival") })
        pty.resize(columns: 60, rows: 10)
        kill(board.processIdentifier, SIGWINCH)
        pty.type("q")
        #expect(eventually { !board.isRunning })
        #expect(board.terminationStatus == 0)
        #expect(pty.raw.hasSuffix("\u{1B}[?25h\u{1B}[?1049l"), "the terminal is given back")
    }
}

import Glibc
import LeadlineTransport

/// The controlling terminal: raw input for the prompt and the board, its size, and
/// putting it back as it was.
public final class Terminal: @unchecked Sendable {
    private var original: termios?
    public let input: Int32

    public init(input: Int32 = 0) { self.input = input }

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Keys arrive one by one, unechoed, with Ctrl-C as a key; output keeps its line
    /// handling. Returns false when input is not a terminal.
    @discardableResult
    public func enterRawMode() -> Bool {
        var t = termios()
        guard Self.isTerminal(input), tcgetattr(input, &t) == 0 else { return false }
        original = t
        t.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        t.c_iflag &= ~tcflag_t(IXON | ICRNL)
        withUnsafeMutablePointer(to: &t.c_cc) { cc in
            cc.withMemoryRebound(to: cc_t.self, capacity: Int(NCCS)) { c in
                c[Int(VMIN)] = 1
                c[Int(VTIME)] = 0
            }
        }
        return tcsetattr(input, TCSAFLUSH, &t) == 0
    }

    public func restore() {
        guard var t = original else { return }
        tcsetattr(input, TCSAFLUSH, &t)
        original = nil
    }

    /// Columns and rows of the terminal on `fd` (80×24 when unknown).
    public static func size(_ fd: Int32 = 1) -> (columns: Int, rows: Int) {
        var w = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0, w.ws_row > 0 else { return (80, 24) }
        return (Int(w.ws_col), Int(w.ws_row))
    }

    /// Reads a line from the terminal without echoing it (for a token).
    public func readSecret(prompt: String) -> String? {
        Output.write(prompt, to: 2)
        var t = termios()
        let echoing = Self.isTerminal(input) && tcgetattr(input, &t) == 0
        if echoing {
            var quiet = t
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(input, TCSAFLUSH, &quiet)
        }
        defer {
            if echoing {
                tcsetattr(input, TCSAFLUSH, &t)
                Output.write("\n", to: 2)
            }
        }
        return Output.readLine(input)
    }
}

/// Writing to stdout and stderr without Foundation's buffering, and reading a line.
public enum Output {
    public static func write(_ text: String, to fd: Int32 = 1) {
        DescriptorText.write(text, to: fd)
    }

    public static func line(_ text: String, to fd: Int32 = 1) { write(text + "\n", to: fd) }

    /// One line from `fd`, byte by byte (no buffering past the newline).
    public static func readLine(_ fd: Int32 = 0) -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == 0x0A { break }
            if byte != 0x0D { bytes.append(byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

import Foundation
import Glibc

/// A pseudo-terminal for driving the client as a person at a terminal would: the
/// client's stdin, stdout and stderr are the terminal; the test types into it and
/// reads the screen's bytes.
final class PseudoTerminal: @unchecked Sendable {
    let master: Int32
    let slavePath: String
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    init(columns: UInt16 = 100, rows: UInt16 = 30) throws {
        // posix_openpt, unlockpt and ptsname, as Linux implements them.
        let tiocsptlck: UInt = 0x4004_5431
        let tiocgptn: UInt = 0x8004_5430
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard master >= 0, ioctl(master, tiocsptlck, &unlock) == 0, ioctl(master, tiocgptn, &number) == 0 else {
            throw NSError(domain: "pty", code: Int(errno))
        }
        slavePath = "/dev/pts/\(number)"
        resize(columns: columns, rows: rows)
        Thread.detachNewThread { [self] in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(master, &chunk, chunk.count)
                if n <= 0 { return }
                lock.lock()
                bytes += chunk[0..<n]
                lock.unlock()
            }
        }
    }

    func resize(columns: UInt16, rows: UInt16) {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
    }

    /// Starts `executable` with the terminal as its stdin, stdout and stderr.
    func spawn(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Process {
        let slave = FileHandle(forUpdatingAtPath: slavePath)!
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = slave
        process.standardOutput = slave
        process.standardError = slave
        try process.run()
        return process
    }

    func type(_ text: String) {
        let data = Array(text.utf8)
        _ = data.withUnsafeBytes { write(master, $0.baseAddress!, $0.count) }
    }

    /// Everything shown so far, escape sequences removed.
    var screen: String {
        lock.lock()
        defer { lock.unlock() }
        return Self.plain(String(decoding: bytes, as: UTF8.self))
    }

    /// Everything shown so far, as sent.
    var raw: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func plain(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{1B}\\[[0-9;?]*[A-Za-z]", with: "", options: .regularExpression)
    }

    deinit { close(master) }
}

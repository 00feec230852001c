import Glibc

/// One complete line of a journal file: its number (from 1), where it starts, and its
/// bytes without the LF.
public struct RawLine {
    public let number: Int
    public let offset: Int
    public let bytes: ArraySlice<UInt8>
}

/// What scanning a journal file found after its last complete line.
public struct ScanEnd: Sendable, Equatable {
    /// Complete lines read.
    public let lines: Int
    /// Bytes of complete lines, so where the file would be cut to drop the tail.
    public let completeLength: Int
    /// An incomplete last line (no LF): a write cut short, or one still in progress.
    /// Blanks after it are room made ahead (``JournalPadding``), not part of it.
    public let tail: [UInt8]
    /// How many blanks of that room follow the content.
    public let padding: Int
}

/// Reads a journal file line by line in large chunks.
///
/// The one line splitter of every journal reader — replay, `leadlined check` and
/// `leadlined repair` — so they agree on what a line, its number and its offset are.
public enum JournalLineScanner {
    /// Calls `body` with each complete line, in order; nil when the file does not exist.
    /// - Parameters:
    ///   - offset: where to start (the start of a line), with `lines` lines before it:
    ///     a snapshot's end, when only the journal after it is replayed.
    public static func scan(path: String, from offset: Int = 0, lines: Int = 0,
                            _ body: (RawLine) throws(JournalError) -> Void) throws(JournalError) -> ScanEnd? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw JournalError.io("cannot open \(path): \(errnoText())")
        }
        defer { close(fd) }
        if offset > 0, lseek(fd, off_t(offset), SEEK_SET) != off_t(offset) {
            throw JournalError.io("cannot read \(path) from byte \(offset): \(errnoText())")
        }
        var number = lines
        var consumed = offset     // bytes of complete lines handled so far
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError.io("cannot read \(path): \(errnoText())")
            }
            if n == 0 { break }
            buffer.append(contentsOf: chunk[0..<n])
            var start = 0
            while let lf = buffer[start...].firstIndex(of: 0x0A) {
                number += 1
                // A CR before the LF (a copy made on Windows, git's autocrlf) is not part of the line.
                let end = lf > start && buffer[lf - 1] == 0x0D ? lf - 1 : lf
                try body(RawLine(number: number, offset: consumed, bytes: buffer[start..<end]))
                consumed += lf - start + 1
                start = lf + 1
            }
            buffer.removeSubrange(0..<start)
        }
        let tail = JournalPadding.trimmed(buffer)
        return ScanEnd(lines: number, completeLength: consumed, tail: tail, padding: buffer.count - tail.count)
    }
}

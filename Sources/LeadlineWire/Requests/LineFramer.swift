/// One framed unit of input: a line, or why a line was refused (with the tag it
/// starts with, if its first bytes hold one: the answer carries it).
public enum Frame: Sendable, Equatable {
    /// A valid line, without its terminator (CR before LF stripped).
    case line(String)
    /// A line longer than the limit; its bytes up to the next LF are skipped.
    case tooLong(tag: String?)
    /// A line with invalid UTF-8, a NUL or another control byte.
    case badSyntax(String, tag: String?)
}

/// Cuts a byte stream into lines, enforcing the protocol's limits.
///
/// Modelled on nats-server's control-line limit and swift-nio's line decoder: it
/// refuses a line as soon as it grows past `maxLine` bytes (including the
/// terminator), reports it once, and discards the rest of that line without keeping
/// it in memory, so a client sending a endless line costs a bounded buffer.
public struct LineFramer: Sendable {
    /// The longest line accepted, in bytes, including its LF (and CR, if any).
    public let maxLine: Int
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the next LF resumes (bytes before it hold none).
    private var scanned = 0
    private var discarding = false

    public init(maxLine: Int = 4096) {
        precondition(maxLine >= 2)
        self.maxLine = maxLine
    }

    /// Bytes received but not yet framed.
    public var bufferedCount: Int { buffer.count - start }

    /// Whether the framer is skipping the rest of an over-long line.
    public var isDiscarding: Bool { discarding }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        append(UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count))
    }

    /// The next complete frame, or nil until more bytes arrive.
    public mutating func next() -> Frame? {
        while true {
            let newline = findNewline()
            if discarding {
                guard let lf = newline else {
                    start = buffer.count
                    scanned = buffer.count
                    return nil
                }
                discarding = false
                consume(through: lf)
                continue
            }
            guard let lf = newline else {
                if buffer.count - start >= maxLine {
                    let tag = RequestDecoder.leadingTag(of: buffer[start...])
                    discarding = true
                    start = buffer.count
                    scanned = buffer.count
                    return .tooLong(tag: tag)
                }
                return nil
            }
            let lineStart = start
            let length = lf - lineStart + 1
            consume(through: lf)
            if length > maxLine { return .tooLong(tag: RequestDecoder.leadingTag(of: buffer[lineStart..<lf])) }
            var end = lf
            if end > lineStart && buffer[end - 1] == 0x0D { end -= 1 }
            return Self.validate(buffer[lineStart..<end])
        }
    }

    private mutating func consume(through lf: Int) {
        start = lf + 1
        scanned = start
    }

    private mutating func findNewline() -> Int? {
        let from = max(scanned, start)
        let found: Int? = buffer.withUnsafeBufferPointer { buf in
            var i = from
            while i < buf.count {
                if buf[i] == 0x0A { return i }
                i += 1
            }
            return nil
        }
        scanned = found ?? buffer.count
        return found
    }

    /// Checks one line's bytes: UTF-8, and no control bytes but TAB.
    static func validate(_ bytes: ArraySlice<UInt8>) -> Frame {
        for b in bytes where b < 0x20 || b == 0x7F {
            if b == 0x09 { continue }
            let tag = RequestDecoder.leadingTag(of: bytes)
            if b == 0 { return .badSyntax("the line holds a NUL byte", tag: tag) }
            return .badSyntax("the line holds a control character (byte \(b))", tag: tag)
        }
        guard let text = String(validUTF8: bytes) else {
            return .badSyntax("the line is not valid UTF-8", tag: RequestDecoder.leadingTag(of: bytes))
        }
        return .line(text)
    }
}

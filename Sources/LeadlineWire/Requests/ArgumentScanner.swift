import LeadlineCore

/// One argument of a request line.
public enum Token: Sendable, Equatable {
    /// A bare word.
    case word(String)
    /// `key=value`, the value bare or quoted.
    case pair(key: String, value: String)
    /// `:` and the rest of the line.
    case text(String)
}

/// Reads a request's arguments left to right, as the brief's grammar has them:
/// words, `key=value` pairs (value bare or `"quoted"` with `\"` and `\\`), and
/// free text after ` :`. A verb decides when the rest of the line is free text.
public struct ArgumentScanner: Sendable {
    /// The line's UTF-8 bytes: every delimiter of the grammar is ASCII, so scanning
    /// bytes finds the same boundaries as scanning characters, without building them.
    private let bytes: [UInt8]
    private var index = 0

    private static let space: UInt8 = 0x20, tab: UInt8 = 0x09, colon: UInt8 = 0x3A, equals: UInt8 = 0x3D,
                       quote: UInt8 = 0x22, backslash: UInt8 = 0x5C

    public init(_ text: Substring) { bytes = Array(text.utf8) }

    /// Scans a line's bytes (valid UTF-8, as every line the framer passes is).
    public init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = Array(bytes) }

    private func isBlank(_ i: Int) -> Bool { Self.isBlank(bytes[i]) }

    /// A space or a tab: what separates the words of a request line.
    static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    public var atEnd: Bool {
        var i = index
        while i < bytes.count, isBlank(i) { i += 1 }
        return i == bytes.count
    }

    private mutating func skipSpaces() {
        while index < bytes.count, isBlank(index) { index += 1 }
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// The rest of the line as free text, with a leading `:` removed; nil if empty.
    public mutating func rest() -> String? {
        skipSpaces()
        guard index < bytes.count else { return nil }
        if bytes[index] == Self.colon { index += 1 }
        let rest = text(index..<bytes.count)
        index = bytes.count
        return rest.isEmpty ? nil : rest
    }

    /// Whether the next token is a `key=value` pair whose key is in `keys`.
    public func nextIsPair(in keys: Set<String>) -> Bool {
        var copy = self
        guard case .pair(let key, _)? = try? copy.next() else { return false }
        return keys.contains(key)
    }

    /// The next token, or nil at the end of the line.
    public mutating func next() throws(CommandError) -> Token? {
        skipSpaces()
        guard index < bytes.count else { return nil }
        if bytes[index] == Self.colon {
            index += 1
            let rest = text(index..<bytes.count)
            index = bytes.count
            return .text(rest)
        }
        let begin = index
        while index < bytes.count, !isBlank(index), bytes[index] != Self.equals { index += 1 }
        let head = text(begin..<index)
        guard index < bytes.count, bytes[index] == Self.equals, Self.isKey(head) else {
            while index < bytes.count, !isBlank(index) { index += 1 }
            return .word(text(begin..<index))
        }
        index += 1  // past "="
        if index < bytes.count, bytes[index] == Self.quote {
            index += 1
            var value: [UInt8] = []
            while index < bytes.count {
                let c = bytes[index]
                if c == Self.backslash, index + 1 < bytes.count, bytes[index + 1] == Self.quote || bytes[index + 1] == Self.backslash {
                    value.append(bytes[index + 1])
                    index += 2
                } else if c == Self.quote {
                    index += 1
                    if index < bytes.count, !isBlank(index) {
                        throw CommandError.invalid(argument: head, "\(head)= has text right after its closing quote")
                    }
                    return .pair(key: head.lowercased(), value: String(decoding: value, as: UTF8.self))
                } else {
                    value.append(c)
                    index += 1
                }
            }
            throw CommandError.invalid(argument: head, "\(head)= opens a quote that is never closed")
        }
        let valueStart = index
        while index < bytes.count, !isBlank(index) { index += 1 }
        return .pair(key: head.lowercased(), value: text(valueStart..<index))
    }

    /// Keys are letters, digits and `-`, starting with a letter.
    static func isKey(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
    }
}

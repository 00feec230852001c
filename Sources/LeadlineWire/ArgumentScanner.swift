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
    private let chars: [Character]
    private var index = 0

    public init(_ text: Substring) { chars = Array(text) }

    public var atEnd: Bool {
        var i = index
        while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
        return i == chars.count
    }

    private mutating func skipSpaces() {
        while index < chars.count, chars[index] == " " || chars[index] == "\t" { index += 1 }
    }

    /// The rest of the line as free text, with a leading `:` removed; nil if empty.
    public mutating func rest() -> String? {
        skipSpaces()
        guard index < chars.count else { return nil }
        if chars[index] == ":" { index += 1 }
        let text = String(chars[index...])
        index = chars.count
        return text.isEmpty ? nil : text
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
        guard index < chars.count else { return nil }
        if chars[index] == ":" {
            index += 1
            let text = String(chars[index...])
            index = chars.count
            return .text(text)
        }
        let begin = index
        while index < chars.count, chars[index] != " ", chars[index] != "\t", chars[index] != "=" { index += 1 }
        let head = String(chars[begin..<index])
        guard index < chars.count, chars[index] == "=", Self.isKey(head) else {
            while index < chars.count, chars[index] != " ", chars[index] != "\t" { index += 1 }
            return .word(String(chars[begin..<index]))
        }
        index += 1  // past "="
        if index < chars.count, chars[index] == "\"" {
            index += 1
            var value = ""
            while index < chars.count {
                let c = chars[index]
                if c == "\\", index + 1 < chars.count, chars[index + 1] == "\"" || chars[index + 1] == "\\" {
                    value.append(chars[index + 1])
                    index += 2
                } else if c == "\"" {
                    index += 1
                    if index < chars.count, chars[index] != " ", chars[index] != "\t" {
                        throw CommandError.invalid(argument: head, "\(head)= has text right after its closing quote")
                    }
                    return .pair(key: head.lowercased(), value: value)
                } else {
                    value.append(c)
                    index += 1
                }
            }
            throw CommandError.invalid(argument: head, "\(head)= opens a quote that is never closed")
        }
        let valueStart = index
        while index < chars.count, chars[index] != " ", chars[index] != "\t" { index += 1 }
        return .pair(key: head.lowercased(), value: String(chars[valueStart..<index]))
    }

    /// Keys are letters, digits and `-`, starting with a letter.
    static func isKey(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
    }
}

import Foundation
import LeadlineCore

/// A JSON scalar in a journal line.
public enum JSONScalar: Sendable, Equatable {
    case string(String)
    case number(Int)
}

/// Reads and writes flat JSON objects: one level, string and integer values.
///
/// The journal holds nothing else, and this narrow codec is several times faster than
/// Foundation's on start-up replay; its output is ordinary JSON that `jq` reads.
public enum FlatJSON {
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    // MARK: Writing

    public static func appendKey(_ key: String, to out: inout [UInt8], first: Bool) {
        out.append(first ? 0x7B : 0x2C)
        appendString(key, to: &out)
        out.append(0x3A)
    }

    public static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        // Most strings need no escape: copied whole, from where the string holds them.
        let copied = s.withUTF8Bytes { bytes in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied {
            out.append(0x22)
            return
        }
        for c in s.utf8 {
            switch c {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0..<0x20, 0x7F:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex(c >> 4))
                out.append(hex(c & 0xF))
            default: out.append(c)
            }
        }
        out.append(0x22)
    }

    private static func hex(_ n: UInt8) -> UInt8 { n < 10 ? 0x30 + n : 0x61 + n - 10 }

    /// `"2026-11-23T14:05:00.123Z"`: a time as the journal holds it, written in place.
    public static func appendTime(_ date: Date, to out: inout [UInt8]) {
        appendWritten(quoted: true, to: &out) { Timestamp.writeUTC(date, at: $0) }
    }

    /// A whole number, written in place.
    public static func appendNumber(_ n: Int, to out: inout [UInt8]) {
        appendWritten(quoted: false, to: &out) { start in
            var w = DigitCursor(start)
            w.number(n)
            return w.count
        }
    }

    private static func appendWritten(quoted: Bool, to out: inout [UInt8], _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Timestamp.maxWrittenBytes) { scratch in
            let count = write(scratch.baseAddress!)
            if quoted { out.append(0x22) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<count]))
            if quoted { out.append(0x22) }
        }
    }

    // MARK: Reading

    /// Parses one object, keeping its keys in order.
    public static func parse(_ bytes: ArraySlice<UInt8>) throws(SyntaxError) -> [(String, JSONScalar)] {
        var p = Parser(bytes: bytes)
        return try p.object()
    }

    private struct Parser {
        let bytes: ArraySlice<UInt8>
        var i: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            i = bytes.startIndex
        }

        mutating func skip() {
            while i < bytes.endIndex, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1 }
        }

        mutating func expect(_ c: UInt8, _ what: String) throws(SyntaxError) {
            skip()
            guard i < bytes.endIndex, bytes[i] == c else { throw SyntaxError("expected \(what) at byte \(i - bytes.startIndex + 1)") }
            i += 1
        }

        mutating func object() throws(SyntaxError) -> [(String, JSONScalar)] {
            try expect(0x7B, "{")
            var out: [(String, JSONScalar)] = []
            skip()
            if i < bytes.endIndex, bytes[i] == 0x7D {
                i += 1
            } else {
                while true {
                    skip()
                    let key = try string()
                    try expect(0x3A, ":")
                    skip()
                    out.append((key, try scalar()))
                    skip()
                    guard i < bytes.endIndex else { throw SyntaxError("the object is not closed") }
                    if bytes[i] == 0x2C { i += 1; continue }
                    if bytes[i] == 0x7D { i += 1; break }
                    throw SyntaxError("expected , or } at byte \(i - bytes.startIndex + 1)")
                }
            }
            skip()
            guard i == bytes.endIndex else { throw SyntaxError("text after the object") }
            return out
        }

        mutating func scalar() throws(SyntaxError) -> JSONScalar {
            guard i < bytes.endIndex else { throw SyntaxError("a value is missing") }
            let c = bytes[i]
            if c == 0x22 { return .string(try string()) }
            if c == 0x2D || (c >= 0x30 && c <= 0x39) {
                let start = i
                i += 1
                while i < bytes.endIndex, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
                guard let n = Int(String(decoding: bytes[start..<i], as: UTF8.self)) else {
                    throw SyntaxError("a number is out of range")
                }
                return .number(n)
            }
            throw SyntaxError("values must be strings or whole numbers (byte \(i - bytes.startIndex + 1))")
        }

        mutating func string() throws(SyntaxError) -> String {
            guard i < bytes.endIndex, bytes[i] == 0x22 else { throw SyntaxError("expected a string at byte \(i - bytes.startIndex + 1)") }
            i += 1
            // Most strings have no escape: made straight from the line's bytes, with
            // no buffer of their own.
            let start = i
            var end = i
            while end < bytes.endIndex, bytes[end] != 0x22, bytes[end] != 0x5C, bytes[end] >= 0x20 { end += 1 }
            if end < bytes.endIndex, bytes[end] == 0x22 {
                i = end + 1
                guard let s = String(validUTF8: bytes[start..<end]) else { throw SyntaxError("a string is not valid UTF-8") }
                return s
            }
            var out: [UInt8] = []
            while i < bytes.endIndex {
                let c = bytes[i]
                i += 1
                switch c {
                case 0x22:
                    guard let s = String(validUTF8: out[...]) else { throw SyntaxError("a string is not valid UTF-8") }
                    return s
                case 0x5C:
                    guard i < bytes.endIndex else { throw SyntaxError("a string ends inside an escape") }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case 0x22, 0x5C, 0x2F: out.append(e)
                    case 0x62: out.append(0x08)
                    case 0x66: out.append(0x0C)
                    case 0x6E: out.append(0x0A)
                    case 0x72: out.append(0x0D)
                    case 0x74: out.append(0x09)
                    case 0x75:
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard i + 1 < bytes.endIndex, bytes[i] == 0x5C, bytes[i + 1] == 0x75 else {
                                throw SyntaxError("a lone surrogate in a string")
                            }
                            i += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw SyntaxError("a bad surrogate pair in a string") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let u = Unicode.Scalar(scalar) else { throw SyntaxError("a bad \\u escape") }
                        out.append(contentsOf: Array(String(Character(u)).utf8))
                    default:
                        throw SyntaxError("an unknown escape in a string")
                    }
                case 0..<0x20:
                    throw SyntaxError("a raw control character in a string")
                default:
                    out.append(c)
                }
            }
            throw SyntaxError("a string is not closed")
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            guard i + 4 <= bytes.endIndex else { throw SyntaxError("a short \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                i += 1
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                default: throw SyntaxError("a bad \\u escape")
                }
                v = v * 16 + d
            }
            return v
        }
    }
}

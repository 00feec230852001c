import Foundation
import LeadlineCore

/// Writes protocol lines straight into bytes: words, `key=value` fields (quoted when
/// they need it), and ` :free text`.
///
/// Times are written in the shop's zone with their offset, so a person reads local
/// time and a program still has an exact instant.
public struct LineBuilder: Sendable {
    public private(set) var bytes: [UInt8] = []
    public let zone: TimeZone
    private var lineStart = true

    public init(zone: TimeZone, capacity: Int = 160) {
        self.zone = zone
        bytes.reserveCapacity(capacity)
    }

    /// Goes on writing at the end of `bytes` (many lines into one buffer). Pass the
    /// buffer over, not a copy of it: `LineBuilder(zone:continuing: take(&out))`.
    public init(zone: TimeZone, continuing bytes: [UInt8]) {
        self.zone = zone
        self.bytes = bytes
    }

    /// Hands the bytes written over to the caller, leaving the builder empty.
    public mutating func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    public mutating func tag(_ tag: String?) {
        if let tag { word(tag) }
    }

    public mutating func word(_ w: String) {
        separate()
        bytes.append(contentsOf: w.utf8)
    }

    public mutating func field(_ f: Field) {
        separate()
        bytes.append(contentsOf: f.key.utf8)
        bytes.append(0x3D)
        switch f.value {
        case .text(let s): value(s)
        case .number(let n): bytes.append(contentsOf: String(n).utf8)
        case .time(let d): Timestamp.appendLocal(d, in: zone, to: &bytes)
        }
    }

    public mutating func fields(_ fs: [Field]) {
        for f in fs { field(f) }
    }

    // Fields written straight from values, with no `Field` made: for rows written by
    // the thousand (`LIST`).

    /// `key=text`, quoted when it needs it.
    public mutating func field(_ key: StaticString, text: String) {
        writeKey(key)
        value(text)
    }

    public mutating func field(_ key: StaticString, number: Int) {
        writeKey(key)
        bytes.append(contentsOf: String(number).utf8)
    }

    /// `key=<time>`, or `key=none`.
    public mutating func field(_ key: StaticString, time: Date?) {
        writeKey(key)
        if let time { Timestamp.appendLocal(time, in: zone, to: &bytes) } else { bytes.append(contentsOf: "none".utf8) }
    }

    private mutating func writeKey(_ key: StaticString) {
        separate()
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0x3D)
    }

    /// Free text, after ` :`.
    public mutating func text(_ t: String?) {
        guard let t else { return }
        separate()
        bytes.append(0x3A)
        bytes.append(contentsOf: t.utf8)
    }

    public mutating func endLine() {
        bytes.append(0x0A)
        lineStart = true
    }

    private mutating func separate() {
        if !lineStart { bytes.append(0x20) }
        lineStart = false
    }

    /// A value as it is, or in quotes (with `"` and `\` escaped) when it is empty or
    /// holds a space, tab, quote or backslash. One pass over the string's own bytes:
    /// `LIST` writes ten of these per row, for thousands of rows.
    private mutating func value(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            guard utf8.isEmpty || utf8.contains(where: Self.isSpecial) else {
                bytes.append(contentsOf: utf8)
                return
            }
            bytes.append(0x22)
            for c in utf8 {
                if c == 0x22 || c == 0x5C { bytes.append(0x5C) }
                bytes.append(c)
            }
            bytes.append(0x22)
        }
    }

    private static func isSpecial(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x22 || c == 0x5C }
}
